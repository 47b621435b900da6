"""Response bodies as a Nakama server writes them, as pure functions: the reference server
builds its answers here and the client parses them back with ``models`` (the round-trip tests
hold the two together over ``tests/samples``).

Rule 1: field names are Nakama's proto names, in Nakama's order; zero values are omitted
        (``wire.omit_zero``), so a record with score 0 has no ``score`` field; a string
        field holding "0" is a value and stays.
Rule 2: int64 fields are decimal strings, int32 fields numbers, times RFC 3339 in UTC with whole
        seconds, ``metadata`` JSON text.
Rule 3: a record carries ``expiry_time`` only on a board that resets, ``rank`` only where the
        board keeps ranks (or by page position in a top list), and always ``max_num_score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .fields import format_rfc3339
from .limits import MAX_NUM_SCORE
from .wire import format_int64_field, omit_zero

__all__ = ["account_json", "format_rfc3339", "record_json", "record_list_json", "session_json"]


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
    expiry_time: int = 0,
    max_num_score: int = MAX_NUM_SCORE,
) -> dict[str, Any]:
    """One ``apiLeaderboardRecord``; times are epoch seconds (``expiry_time`` 0: the board never
    resets), ``rank`` None or 0 when unranked."""
    return omit_zero(
        {
            "leaderboard_id": leaderboard_id,
            "owner_id": owner_id,
            "username": username,
            "score": format_int64_field(score),
            "subscore": format_int64_field(subscore),
            "num_score": num_score,
            "metadata": metadata,
            "create_time": format_rfc3339(create_time),
            "update_time": format_rfc3339(update_time),
            "expiry_time": format_rfc3339(expiry_time) if expiry_time else "",
            "rank": format_int64_field(rank or 0),
            "max_num_score": max_num_score,
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
            "rank_count": format_int64_field(rank_count),
        }
    )


def account_json(
    user: dict[str, Any],
    *,
    email: str = "",
    devices: Sequence[str] = (),
    custom_id: str = "",
) -> dict[str, Any]:
    """One ``apiAccount`` (``GET /v2/account``) as Nakama answers for an account this server
    can hold: the user (``users.user_json``), an empty wallet, the email, the device ids, the
    custom id; zero values omitted (``verify_time``: never verified, so absent)."""
    return omit_zero(
        {
            "user": user,
            "wallet": "{}",
            "email": email,
            "devices": [{"id": device} for device in devices],
            "custom_id": custom_id,
        }
    )


def session_json(token: str, refresh_token: str, created: bool) -> dict[str, Any]:
    """One ``apiSession``; ``created`` is omitted when false."""
    return omit_zero({"created": created, "token": token, "refresh_token": refresh_token})
