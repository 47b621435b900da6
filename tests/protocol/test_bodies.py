"""The bodies the server builds (``_protocol.bodies``) read back through the client's parsers
(``_protocol.models``) with every value intact, zero values included."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from gameservices._protocol.bodies import (
    format_rfc3339,
    record_json,
    record_list_json,
    session_json,
)
from gameservices._protocol.models import parse_auth, parse_record, parse_record_list
from gameservices._protocol.wire import INT64_MAX, INT64_MIN, dumps

int64 = st.integers(INT64_MIN, INT64_MAX)
seconds = st.integers(0, 253_402_300_799)  # up to 9999-12-31T23:59:59Z
text = st.text(max_size=20)
metadata = st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3)


@given(
    board=text,
    owner=text,
    username=text,
    score=int64,
    subscore=int64,
    num_score=st.integers(0, 2**31 - 1),
    meta=metadata,
    created=seconds,
    updated=seconds,
    rank=st.none() | st.integers(1, INT64_MAX),
)
def test_a_record_reads_back_as_written(
    board: str,
    owner: str,
    username: str,
    score: int,
    subscore: int,
    num_score: int,
    meta: dict[str, object],
    created: int,
    updated: int,
    rank: int | None,
) -> None:
    body = record_json(
        board, owner, username, score, subscore, num_score, dumps(meta), created, updated, rank
    )
    record = parse_record(json.loads(dumps(body)))
    assert (record.leaderboard_id, record.owner_id, record.username) == (board, owner, username)
    assert (record.score, record.subscore, record.num_score) == (score, subscore, num_score)
    assert record.metadata == meta
    assert record.create_time == datetime.fromtimestamp(created, timezone.utc)
    assert record.update_time == datetime.fromtimestamp(updated, timezone.utc)
    assert record.rank == (rank or 0)


def test_zero_values_are_left_out_and_read_as_zero() -> None:
    body = record_json("weekly", "u1", "ada", 0, 0, 1, "{}", 0, 0, None)
    assert body == {
        "leaderboard_id": "weekly",
        "owner_id": "u1",
        "username": "ada",
        "num_score": 1,
        "metadata": "{}",
        "create_time": "1970-01-01T00:00:00Z",
        "update_time": "1970-01-01T00:00:00Z",
        "max_num_score": 1_000_000,
    }
    record = parse_record(body)
    assert (record.score, record.subscore, record.rank) == (0, 0, 0)


def test_a_page_reads_back_and_an_empty_one_is_an_empty_object() -> None:
    one = record_json("weekly", "u1", "ada", 5, 0, 1, "{}", 10, 10, 1)
    body = record_list_json([one], [one], "next", "", 7)
    page = parse_record_list(json.loads(dumps(body)))
    assert [r.score for r in page.records] == [5]
    assert page.owner_records == page.records
    assert (page.next_cursor, page.prev_cursor, page.rank_count) == ("next", None, 7)
    assert record_list_json([], [], "", "", 0) == {}


def test_a_session_reads_back_and_created_false_is_left_out() -> None:
    assert parse_auth(session_json("t", "r", True)).created is True
    again = session_json("t", "r", False)
    assert again == {"token": "t", "refresh_token": "r"}
    assert parse_auth(again).created is False


def test_rfc3339_is_utc_with_whole_seconds() -> None:
    assert format_rfc3339(1_800_000_000) == "2027-01-15T08:00:00Z"
