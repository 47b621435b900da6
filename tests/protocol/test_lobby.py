"""The matchmaker's stats and the party listing, pure: requests against Nakama's swagger,
answers in Nakama's format (its stats as Nakama 3.40 answered them, nanoseconds included), a
server's stats body and reading of a party query."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from gameservices import MatchmakerCompletion, MatchmakerStats, Party, ProtocolError
from gameservices._protocol.matchmaker_stats import (
    matchmaker_stats,
    matchmaker_stats_json,
    parse_matchmaker_stats,
)
from gameservices._protocol.parties import (
    PartyQuery,
    list_parties,
    parse_party_list,
    parse_party_query,
)
from tests.protocol.nakama_swagger import check_request

SAMPLES = Path(__file__).parent.parent / "samples" / "handwritten"


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]  # year, month, day...


def test_matchmaker_stats() -> None:
    assert check_request(matchmaker_stats(), "Nakama_GetMatchmakerStats") == {}
    stats = parse_matchmaker_stats(_sample("matchmaker_stats.json"))
    assert stats.ticket_count == 3
    assert stats.oldest_ticket_create_time == _at(2026, 12, 3, 8, 8, 30, 158700)
    first = stats.completions[0]
    assert first == MatchmakerCompletion(
        _at(2026, 12, 3, 8, 8, 30, 158700), _at(2026, 12, 3, 8, 8, 43, 268212)
    )
    assert parse_matchmaker_stats({}) == MatchmakerStats()


@pytest.mark.parametrize(
    "answer", [{"ticket_count": "3"}, {"ticket_count": -1}, {"completions": {}}, []]
)
def test_stats_the_client_cannot_use(answer: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_matchmaker_stats(answer)


def test_a_servers_stats_round_trip() -> None:
    assert matchmaker_stats_json([], []) == {}
    body = matchmaker_stats_json([30.0, 10.5, 20.0], [(float(i), i + 1.0) for i in range(12)])
    stats = parse_matchmaker_stats(body)
    assert stats.ticket_count == 3
    assert stats.oldest_ticket_create_time == _at(1970, 1, 1, 0, 0, 10)
    assert len(stats.completions) == 10  # the latest ten, oldest first
    assert stats.completions[0].create_time == _at(1970, 1, 1, 0, 0, 2)


def test_party_requests_match_the_swagger() -> None:
    assert list_parties(PartyQuery()).query == ()
    req = list_parties(PartyQuery(limit=5, open=False, query="label.mode:duel", cursor="c"))
    check_request(req, "Nakama_ListParties")
    assert req.query == (
        ("limit", "5"),
        ("open", "false"),
        ("query", "label.mode:duel"),
        ("cursor", "c"),
    )


@pytest.mark.parametrize(
    ("q", "error"),
    [
        (PartyQuery(limit=0), ValueError),
        (PartyQuery(limit=101), ValueError),
        (PartyQuery(limit=True), ValueError),  # type: ignore[arg-type]  # a bool: refused
        (PartyQuery(open=1), TypeError),  # type: ignore[arg-type]  # not a bool: refused
        (PartyQuery(query=5), TypeError),  # type: ignore[arg-type]  # not a str: refused
    ],
)
def test_bad_party_queries_fail_before_sending(q: PartyQuery, error: type[Exception]) -> None:
    with pytest.raises(error):
        list_parties(q)


def test_party_lists_parse() -> None:
    page = parse_party_list(_sample("party_list.json"))
    first, second = page.parties
    assert first == Party(first.party_id, True, False, 4, '{"mode":"duel"}')
    assert (second.open, second.hidden, second.max_size, second.label) == (False, False, 2, "")
    assert page.cursor
    assert parse_party_list({}).parties == ()
    with pytest.raises(ProtocolError):
        parse_party_list({"parties": [{"max_size": "4"}]})


def test_a_servers_reading_of_party_queries() -> None:
    assert parse_party_query({}) == PartyQuery()
    read = parse_party_query({"limit": "7", "open": "t", "query": "*", "cursor": ""})
    assert read == PartyQuery(7, True, "*", "")
    for bad in ({"limit": "0"}, {"limit": "x"}, {"limit": ""}, {"open": "maybe"}):
        with pytest.raises(ValueError):  # noqa: PT011  # each with Nakama's message; any will do
            parse_party_query(bad)
