"""Typed records parsed from Nakama's JSON (sessions, leaderboard records): pure functions.

Each field is read by ``fields`` (zeros omitted, int64 strings, ``metadata`` JSON text, RFC 3339
times); a value of the wrong shape is the server's fault and raises ``ProtocolError``.
``loads``, ``parse_rfc3339`` and ``format_rfc3339`` are re-exported from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from .._exceptions import ProtocolError
from .fields import (
    as_object,
    format_rfc3339,
    int64,
    list_field,
    loads,
    metadata,
    new_record,
    parse_rfc3339,
    text,
    time_field,
)

__all__ = [
    "AuthResult",
    "LeaderboardRecord",
    "LeaderboardRecordList",
    "format_rfc3339",
    "loads",
    "parse_auth",
    "parse_empty",
    "parse_record",
    "parse_record_list",
    "parse_rfc3339",
]

T = TypeVar("T")


@dataclass(frozen=True)
class LeaderboardRecord:
    """One score on a board, with real types."""

    leaderboard_id: str = ""
    owner_id: str = ""
    username: str = ""
    score: int = 0
    subscore: int = 0
    num_score: int = 0
    metadata: Mapping[str, Any] = field(default_factory=dict)
    create_time: datetime | None = None
    update_time: datetime | None = None
    expiry_time: datetime | None = None
    rank: int = 0
    max_num_score: int = 0


@dataclass(frozen=True)
class LeaderboardRecordList:
    """A page of records; ``owner_records`` answers ``owner_ids`` (or the caller's own)."""

    records: tuple[LeaderboardRecord, ...] = ()
    owner_records: tuple[LeaderboardRecord, ...] = ()
    next_cursor: str | None = None
    prev_cursor: str | None = None
    rank_count: int = 0


@dataclass(frozen=True)
class AuthResult:
    """The body of ``authenticate/*`` and ``session/refresh``."""

    token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    created: bool = False


def _record(o: Mapping[str, Any]) -> LeaderboardRecord:
    return new_record(
        LeaderboardRecord,
        {
            "leaderboard_id": text(o, "leaderboard_id"),
            "owner_id": text(o, "owner_id"),
            "username": text(o, "username"),
            "score": int64(o, "score"),
            "subscore": int64(o, "subscore"),
            "num_score": int64(o, "num_score"),
            "metadata": metadata(o),
            "create_time": time_field(o, "create_time"),
            "update_time": time_field(o, "update_time"),
            "expiry_time": time_field(o, "expiry_time"),
            "rank": int64(o, "rank"),
            "max_num_score": int64(o, "max_num_score"),
        },
    )


def parse_record(obj: object) -> LeaderboardRecord:
    o = as_object(obj, "a leaderboard record")
    return _record(o)


def _records(o: Mapping[str, Any], key: str) -> tuple[LeaderboardRecord, ...]:
    return tuple(parse_record(item) for item in list_field(o, key))


def parse_record_list(obj: object) -> LeaderboardRecordList:
    o = as_object(obj, "a leaderboard record list")
    return LeaderboardRecordList(
        records=_records(o, "records"),
        owner_records=_records(o, "owner_records"),
        next_cursor=text(o, "next_cursor") or None,
        prev_cursor=text(o, "prev_cursor") or None,
        rank_count=int64(o, "rank_count"),
    )


def parse_empty(obj: object) -> None:
    """For calls whose answer carries nothing (``{}``): delete, logout."""
    return None


def parse_auth(obj: object) -> AuthResult:
    o = as_object(obj, "a session")
    token, refresh = text(o, "token"), text(o, "refresh_token")
    if not token or not refresh:
        raise ProtocolError("server sent a session without token and refresh_token")
    created = o.get("created", False)
    if not isinstance(created, bool):
        raise ProtocolError("server sent created that is not a boolean")
    return AuthResult(token, refresh, created)
