"""Samples in Nakama's real output format parse into typed records."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gameservices import ProtocolError
from gameservices._protocol.jwt import decode_claims
from gameservices._protocol.models import (
    parse_auth,
    parse_record,
    parse_record_list,
    parse_rfc3339,
)

SAMPLES = Path(__file__).parent.parent / "samples" / "handwritten"


def sample(name: str) -> object:
    return json.loads((SAMPLES / name).read_bytes())


def test_full_record_has_real_types() -> None:
    rec = parse_record(sample("record_full.json"))
    assert (rec.score, rec.subscore, rec.num_score, rec.rank) == (1200, 3, 2, 1)
    assert rec.max_num_score == 1_000_000
    assert rec.metadata == {"lvl": 2}
    assert rec.create_time == datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    assert rec.update_time == datetime(2026, 11, 27, 10, 5, 12, 123456, tzinfo=timezone.utc)
    assert rec.expiry_time is not None
    assert rec.expiry_time.tzinfo is timezone.utc
    assert (rec.leaderboard_id, rec.username) == ("weekly", "ada")


def test_omitted_zero_values_read_as_zero() -> None:
    rec = parse_record(sample("record_zero_omitted.json"))
    assert rec.subscore == 0
    assert rec.expiry_time is None
    assert rec.max_num_score == 0
    assert rec.metadata == {}


def test_record_list_and_empty_page() -> None:
    page = parse_record_list(sample("record_list.json"))
    assert [r.rank for r in page.records] == [1, 2]
    assert page.owner_records[0].username == "bob"
    assert page.next_cursor == "CAEQAhoIc29tZXRoaW5n"
    assert page.prev_cursor is None
    assert page.rank_count == 2
    empty = parse_record_list(sample("record_list_empty.json"))
    assert (empty.records, empty.owner_records, empty.next_cursor, empty.rank_count) == (
        (),
        (),
        None,
        0,
    )


def test_session_bodies_and_claims() -> None:
    first = parse_auth(sample("session_created.json"))
    again = parse_auth(sample("session_existing.json"))
    assert first.created is True
    assert again.created is False  # a missing "created" is false
    claims = decode_claims(first.token)
    assert claims.user_id == "3f5c1bc2-6a1e-4d3b-9a30-2d2f4f0e8a11"
    assert (claims.username, claims.vars, claims.exp) == ("ada", {"platform": "linux"}, 1795770000)
    assert first.token not in repr(first)


@pytest.mark.parametrize(
    "bad",
    [
        {"score": "12x"},
        {"score": True},
        {"metadata": "{not json"},
        {"metadata": "[1, 2]"},
        {"create_time": "yesterday"},
        {"username": 7},
    ],
)
def test_malformed_records_are_protocol_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ProtocolError):
        parse_record(bad)


def test_malformed_lists_and_sessions() -> None:
    with pytest.raises(ProtocolError):
        parse_record_list({"records": {}})
    with pytest.raises(ProtocolError):
        parse_record_list([])
    with pytest.raises(ProtocolError):
        parse_auth({"token": "x"})


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ("2026-01-02T03:04:05.5Z", datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)),
        ("2026-01-02T05:04:05+02:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    ],
)
def test_rfc3339(text: str, want: datetime) -> None:
    assert parse_rfc3339(text) == want


@pytest.mark.parametrize("token", ["abc", "a.b", "a.!!!.c", "a.WzFd.c", "a.eyJleHAiOiJ4In0.c"])
def test_bad_tokens_raise_value_error(token: str) -> None:
    with pytest.raises(ValueError, match="token"):
        decode_claims(token)
