"""Response bodies as a Nakama server writes them, as pure functions: the reference server
builds its answers here and the client parses them back with ``models`` (the round-trip tests
hold the two together over ``tests/samples``).

Rule 1: field names are Nakama's proto names, in Nakama's order; zero values are omitted
        (``wire.omit_zero``), so a record with score 0 has no ``score`` field.
Rule 2: int64 fields are decimal strings, int32 fields numbers, times RFC 3339 in UTC with whole
        seconds, ``metadata`` JSON text.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import Any

from .wire import format_int64, omit_zero

__all__ = ["format_rfc3339", "record_json", "record_list_json", "session_json"]


@functools.lru_cache(maxsize=1024)  # most records of a page share a few seconds
def format_rfc3339(seconds: int) -> str:
    """Epoch seconds as protojson writes a Timestamp: ``2026-11-27T10:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def record_json(
    leaderboard_id: str,
    owner_id: str,
    username: str,
    score: int,
    subscore: int,
    num_score: int,
    metadata: str,
    create_time: int,
    update_time: int,
    rank: int | None,
) -> dict[str, Any]:
    """One ``apiLeaderboardRecord``; times are epoch seconds, ``rank`` None when unranked."""
    return omit_zero(
        {
            "leaderboard_id": leaderboard_id,
            "owner_id": owner_id,
            "username": username,
            "score": format_int64(score),
            "subscore": format_int64(subscore),
            "num_score": num_score,
            "metadata": metadata,
            "create_time": format_rfc3339(create_time),
            "update_time": format_rfc3339(update_time),
            "rank": format_int64(rank or 0),
        }
    )


def record_list_json(
    records: Sequence[dict[str, Any]],
    owner_records: Sequence[dict[str, Any]],
    next_cursor: str,
    prev_cursor: str,
    rank_count: int,
) -> dict[str, Any]:
    """One ``apiLeaderboardRecordList`` of ``record_json`` items; "" means no cursor."""
    return omit_zero(
        {
            "records": records,
            "owner_records": owner_records,
            "next_cursor": next_cursor,
            "prev_cursor": prev_cursor,
            "rank_count": format_int64(rank_count),
        }
    )


def session_json(token: str, refresh_token: str, created: bool) -> dict[str, Any]:
    """One ``apiSession``; ``created`` is omitted when false."""
    return omit_zero({"created": created, "token": token, "refresh_token": refresh_token})
