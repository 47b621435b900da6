"""Tournaments on Nakama's wire, both directions: records, parsers, request builders, the query
rules and answer bodies (pure: no I/O).

A tournament is a leaderboard with a schedule: its records are leaderboard records (``models``
parses them, ``bodies.record_json`` builds them), its writes are leaderboard writes
(``request_rules.parse_record_write`` reads them). What is its own:

Rule 1: a tournament's numbers (category, sort order, size, max size, max num score, duration,
        the computed active window and resets) are uint32 on Nakama's wire: plain JSON numbers,
        not the int64 strings the swagger promises; ``operator`` is a number too. Zero values
        are omitted, as everywhere.
Rule 2: limits: tournaments are listed 1-100 a page (default 100), records 1-100 (default 10),
        records around an owner 1-100 (default 100); categories are 0-127.
Rule 3: writes go out as ``PUT /v2/tournament/{id}`` with an ``Idempotency-Key`` (as leaderboard
        writes: safe to resend only for BEST and SET, or when the server honours keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._checks import int_between
from .._exceptions import ProtocolError
from . import routes
from .api import Request, write_record
from .fields import (
    as_object,
    boolean,
    format_rfc3339,
    list_field,
    metadata,
    new_record,
    text,
    time_field,
)
from .wire import Operator, SortOrder, omit_zero

__all__ = [
    "CATEGORY_MAX",
    "TOURNAMENT_AROUND_DEFAULT",
    "TOURNAMENT_LIST_DEFAULT",
    "TOURNAMENT_LIST_MAX",
    "TOURNAMENT_RECORDS_DEFAULT",
    "TOURNAMENT_RECORDS_MAX",
    "Tournament",
    "TournamentList",
    "delete_tournament_record",
    "join_tournament",
    "list_tournament_records",
    "list_tournament_records_around",
    "list_tournaments",
    "parse_list_limit",
    "parse_tournament",
    "parse_tournament_list",
    "parse_uint32",
    "tournament_json",
    "write_tournament_record",
]

TOURNAMENT_LIST_MAX = 100
TOURNAMENT_LIST_DEFAULT = 100
TOURNAMENT_RECORDS_MAX = 100
TOURNAMENT_RECORDS_DEFAULT = 10
TOURNAMENT_AROUND_DEFAULT = 100
CATEGORY_MAX = 127
_UINT32_MAX = 2**32 - 1


@dataclass(frozen=True)
class Tournament:
    """One ``apiTournament``. Times of the computed window (``start_active``, ``end_active``,
    ``next_reset``, ``prev_reset``) are epoch seconds, 0 when there is none."""

    id: str = ""
    title: str = ""
    description: str = ""
    category: int = 0
    sort_order: SortOrder = SortOrder.ASCENDING
    size: int = 0
    max_size: int = 0
    max_num_score: int = 0
    can_enter: bool = False
    end_active: int = 0
    next_reset: int = 0
    metadata: Mapping[str, Any] = field(default_factory=dict)
    create_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int = 0
    start_active: int = 0
    prev_reset: int = 0
    operator: Operator = Operator.NO_OVERRIDE
    authoritative: bool = False
    join_required: bool = False


@dataclass(frozen=True)
class TournamentList:
    """A page of tournaments; ``cursor`` (None on the last page) asks for the next one."""

    tournaments: tuple[Tournament, ...] = ()
    cursor: str | None = None


def _number(o: Mapping[str, Any], key: str) -> int:
    value = o.get(key, 0)
    if value.__class__ is float and value.is_integer():
        value = int(value)
    if value.__class__ is not int or not 0 <= value <= _UINT32_MAX:
        raise ProtocolError(f"server sent {key} as {value!r}, expected a uint32 number")
    return int(value)


def _enum(o: Mapping[str, Any], key: str, kind: type[SortOrder] | type[Operator]) -> Any:
    number = _number(o, key)
    try:
        return kind(number)
    except ValueError:
        raise ProtocolError(f"server sent an unknown {key} {number}") from None


def parse_tournament(obj: object) -> Tournament:
    o = as_object(obj, "a tournament")
    return new_record(
        Tournament,
        {
            "id": text(o, "id"),
            "title": text(o, "title"),
            "description": text(o, "description"),
            "category": _number(o, "category"),
            "sort_order": _enum(o, "sort_order", SortOrder),
            "size": _number(o, "size"),
            "max_size": _number(o, "max_size"),
            "max_num_score": _number(o, "max_num_score"),
            "can_enter": boolean(o, "can_enter"),
            "end_active": _number(o, "end_active"),
            "next_reset": _number(o, "next_reset"),
            "metadata": metadata(o),
            "create_time": time_field(o, "create_time"),
            "start_time": time_field(o, "start_time"),
            "end_time": time_field(o, "end_time"),
            "duration": _number(o, "duration"),
            "start_active": _number(o, "start_active"),
            "prev_reset": _number(o, "prev_reset"),
            "operator": _enum(o, "operator", Operator),
            "authoritative": boolean(o, "authoritative"),
            "join_required": boolean(o, "join_required"),
        },
    )


def parse_tournament_list(obj: object) -> TournamentList:
    o = as_object(obj, "a tournament list")
    items = list_field(o, "tournaments")
    return TournamentList(tuple(parse_tournament(t) for t in items), text(o, "cursor") or None)


# --- request builders (the client)


def _path(tournament_id: str) -> str:
    return routes.fill(routes.TOURNAMENT, tournament_id=tournament_id)


def _bounded(name: str, value: int | None, low: int, high: int) -> list[tuple[str, str]]:
    if value is None:
        return []
    return [(name, str(int_between(name, value, low, high)))]


def list_tournaments(
    *,
    category_start: int | None = None,
    category_end: int | None = None,
    start_time: int | None = None,
    end_time: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Request:
    """``GET /v2/tournament``; times are epoch seconds (``end_time=0``: only tournaments that
    never end). Unset filters take Nakama's defaults: categories 0-127, current or future."""
    query = [
        *_bounded("category_start", category_start, 0, CATEGORY_MAX),
        *_bounded("category_end", category_end, 0, CATEGORY_MAX),
        *_bounded("start_time", start_time, 0, _UINT32_MAX),
        *_bounded("end_time", end_time, 0, _UINT32_MAX),
        *_bounded("limit", limit, 1, TOURNAMENT_LIST_MAX),
    ]
    if cursor:
        query.append(("cursor", cursor))
    return Request("GET", routes.TOURNAMENTS, tuple(query))


def join_tournament(tournament_id: str) -> Request:
    headers = {"Content-Type": "application/json"}
    path = routes.fill(routes.TOURNAMENT_JOIN, tournament_id=tournament_id)
    return Request("POST", path, headers=headers, body=b"{}")


def write_tournament_record(
    tournament_id: str,
    score: int,
    *,
    subscore: int = 0,
    metadata: Mapping[str, Any] | None = None,
    operator: Operator | str | int | None = None,
    idempotency_key: str | None = None,
) -> Request:
    """``PUT /v2/tournament/{id}``: the leaderboard write's body, key and resend rule."""
    req = write_record(
        tournament_id,
        score,
        subscore=subscore,
        metadata=metadata,
        operator=operator,
        idempotency_key=idempotency_key,
    )
    return Request(
        "PUT",
        _path(tournament_id),
        headers=req.headers,
        body=req.body,
        idempotent=req.idempotent,
        idempotency_key=req.idempotency_key,
    )


def delete_tournament_record(tournament_id: str) -> Request:
    return Request("DELETE", _path(tournament_id))


def _page(limit: int | None, cursor: str | None, expiry: int | None) -> list[tuple[str, str]]:
    query = _bounded("limit", limit, 1, TOURNAMENT_RECORDS_MAX)
    if cursor:
        query.append(("cursor", cursor))
    query += _bounded("expiry", expiry, 0, 2**63 - 1)
    return query


def list_tournament_records(
    tournament_id: str,
    *,
    owner_ids: Iterable[str] = (),
    limit: int | None = None,
    cursor: str | None = None,
    expiry: int | None = None,
) -> Request:
    query = _page(limit, cursor, expiry)
    query.extend(("owner_ids", owner) for owner in owner_ids)
    return Request("GET", _path(tournament_id), tuple(query))


def list_tournament_records_around(
    tournament_id: str,
    owner_id: str,
    *,
    limit: int | None = None,
    cursor: str | None = None,
    expiry: int | None = None,
) -> Request:
    path = routes.fill(routes.TOURNAMENT_OWNER, tournament_id=tournament_id, owner_id=owner_id)
    return Request("GET", path, tuple(_page(limit, cursor, expiry)))


# --- what a server accepts and answers


def parse_uint32(raw: str | None, name: str) -> int | None:
    """A uint32 query value as grpc-gateway reads one (digits only); absent: None."""
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > _UINT32_MAX:
        problem = "value out of range" if raw.isascii() and raw.isdigit() else "invalid syntax"
        raise ValueError(f'parsing field "{name}": strconv.ParseUint: parsing "{raw}": {problem}')
    return int(raw)


def parse_list_limit(raw: str | None) -> int | None:
    """``limit`` of ``GET /v2/tournament``: an int32 (grpc-gateway), then 1-100 (Nakama)."""
    if raw is None:
        return None
    body = raw[1:] if raw[:1] in ("-", "+") else raw
    go = f'parsing field "limit": strconv.ParseInt: parsing "{raw}": '
    if not body.isascii() or not body.isdigit():
        raise ValueError(go + "invalid syntax")
    if not -(2**31) <= int(raw) < 2**31:
        raise ValueError(go + "value out of range")
    if not 1 <= int(raw) <= TOURNAMENT_LIST_MAX:
        raise ValueError("Limit must be between 1 and 100.")
    return int(raw)


def tournament_json(
    t: Mapping[str, Any],
) -> dict[str, Any]:
    """One ``apiTournament`` from plain values (times epoch seconds; ``end_time`` 0: never),
    in Nakama's field order, zero values omitted (Rule 1)."""
    return omit_zero(
        {
            "id": t["id"],
            "title": t["title"],
            "description": t["description"],
            "category": t["category"],
            "sort_order": int(t["sort_order"]),
            "size": t["size"],
            "max_size": t["max_size"],
            "max_num_score": t["max_num_score"],
            "can_enter": t["can_enter"],
            "end_active": t["end_active"],
            "next_reset": t["next_reset"],
            "metadata": t["metadata"],
            "create_time": format_rfc3339(t["create_time"]),
            "start_time": format_rfc3339(t["start_time"]),
            "end_time": format_rfc3339(t["end_time"]) if t["end_time"] else "",
            "duration": t["duration"],
            "start_active": t["start_active"],
            "prev_reset": t["prev_reset"],
            "operator": int(t["operator"]),
            "authoritative": t["authoritative"],
            "join_required": t["join_required"],
        }
    )
