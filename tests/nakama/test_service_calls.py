"""The small service calls on both servers: the health probe (no session), the matchmaker's
stats and the party listing (neither server here has a party: the reference server makes none,
and the suite never makes one on Nakama). A long-lived Nakama may hold other tests' tickets and
matches, so the stats are checked for their shape; the reference server's live figures are
tested in tests/client/test_matchmaker_stats.py (Nakama's lag behind its 15 s interval)."""

from __future__ import annotations

import uuid

import pytest

from gameservices import InvalidArgument, MatchmakerStats, PartyList, ServerError
from gameservices._protocol import routes
from gameservices._protocol.api import Request
from gameservices._protocol.parties import parse_party_list

from .support import Target, device_id


async def test_healthcheck_needs_no_session(target: Target) -> None:
    async with target.client() as client:
        assert client.session is None
        await client.healthcheck()
        assert client.session is None


async def test_matchmaker_stats_parse(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        stats = await client.matches.matchmaker_stats()
    assert isinstance(stats, MatchmakerStats)
    assert stats.ticket_count >= 0
    assert (stats.oldest_ticket_create_time is None) == (stats.ticket_count == 0)
    assert len(stats.completions) <= 10
    for done in stats.completions:
        assert done.create_time is not None
        assert done.complete_time is not None
        assert done.create_time <= done.complete_time


async def test_a_listing_that_matches_no_party_is_empty(target: Target) -> None:
    """Other tests make parties on the same Nakama (listed for a moment after they close), so
    "none" is asked of a label nobody has (tests/nakama/test_realtime_parties.py lists some)."""
    async with target.client() as client:
        await client.auth.device(device_id())
        parties, nobody = client.parties, f"+label.tag:gs{uuid.uuid4().hex}"
        assert await parties.list(query=nobody) == PartyList()
        assert await parties.list(limit=100, open=True, query=nobody) == PartyList()
        assert await parties.list(limit=1, open=False, query=nobody) == PartyList()
        assert [p async for p in parties.iterate(open=True, query=nobody)] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ((("limit", "0"),), "Invalid limit - limit must be between 1 and 100."),
        ((("limit", "101"),), "Invalid limit - limit must be between 1 and 100."),
        ((("limit", "-1"),), "Invalid limit - limit must be between 1 and 100."),
        ((("limit", "x"),), "limit"),
        ((("open", "maybe"),), "open"),
    ],
)
async def test_the_server_refuses_bad_party_queries(
    target: Target, query: tuple[tuple[str, str], ...], message: str
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument, match=message):
            await client.send(Request("GET", routes.PARTIES, query), parse_party_list)
        with pytest.raises(ValueError, match="limit must be an int between 1 and 100"):
            await client.parties.list(limit=101)


async def test_a_party_cursor_from_elsewhere_is_the_players_fault(target: Target) -> None:
    """Nakama answers 500 to a cursor it cannot read; the reference server 400 (docs/server.md)."""
    async with target.client() as client:
        await client.auth.device(device_id())
        expected = ServerError if target.is_nakama else InvalidArgument
        with pytest.raises(expected):
            await client.parties.list(cursor="garbage")
