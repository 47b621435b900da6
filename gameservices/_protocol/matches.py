"""Match listing on Nakama's wire (``GET /v2/match``), both directions: the ``Match`` record and
its parser, the request builder, and the query rules a server applies (pure: no I/O).

Rule 1: ``limit`` is 1-100 (Nakama's default 10); ``min_size``/``max_size`` are 0 or more and
        ``min_size <= max_size``; ``label`` and ``query`` filter authoritative matches only, so
        either with ``authoritative=False`` is refused (Nakama's messages, checked in its order).
Rule 2: ``size`` and ``tick_rate`` are int32 numbers; zero values are omitted, as everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._checks import is_int
from .._exceptions import ProtocolError
from . import routes
from .api import Request
from .fields import as_object, boolean, list_field, new_record, text

__all__ = [
    "MATCH_LIST_DEFAULT",
    "MATCH_LIST_MAX",
    "Match",
    "MatchFilter",
    "MatchList",
    "check_match_filter",
    "list_matches",
    "parse_match_list",
    "parse_match_query",
]

MATCH_LIST_MAX = 100
MATCH_LIST_DEFAULT = 10


@dataclass(frozen=True)
class Match:
    """One running match (``apiMatch``)."""

    match_id: str = ""
    authoritative: bool = False
    label: str = ""
    size: int = 0
    tick_rate: int = 0
    handler_name: str = ""


@dataclass(frozen=True)
class MatchList:
    matches: tuple[Match, ...] = ()


@dataclass(frozen=True)
class MatchFilter:
    """What a listing asks for; None: not given."""

    limit: int | None = None
    authoritative: bool | None = None
    label: str | None = None
    min_size: int | None = None
    max_size: int | None = None
    query: str | None = None


def _int32(o: Mapping[str, Any], key: str) -> int:
    value = o.get(key, 0)
    if value.__class__ is not int or not -(2**31) <= value < 2**31:
        raise ProtocolError(f"server sent {key} as {value!r}, expected an int32 number")
    return int(value)


def _match(obj: object) -> Match:
    o = as_object(obj, "a match")
    return new_record(
        Match,
        {
            "match_id": text(o, "match_id"),
            "authoritative": boolean(o, "authoritative"),
            "label": text(o, "label"),
            "size": _int32(o, "size"),
            "tick_rate": _int32(o, "tick_rate"),
            "handler_name": text(o, "handler_name"),
        },
    )


def parse_match_list(obj: object) -> MatchList:
    o = as_object(obj, "a match list")
    return MatchList(tuple(_match(m) for m in list_field(o, "matches")))


def _int32_query(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    digits = raw[1:] if raw[:1] in ("-", "+") else raw
    go = f'parsing field "{name}": strconv.ParseInt: parsing "{raw}": '
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(go + "invalid syntax")
    if not -(2**31) <= int(raw) < 2**31:
        raise ValueError(go + "value out of range")
    return int(raw)


_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_match_query(query: Mapping[str, str]) -> MatchFilter:
    """A server's reading of ``GET /v2/match``'s query (grpc-gateway's parsing, then Rule 1)."""
    raw = query.get("authoritative")
    if raw is not None and raw not in _TRUE | _FALSE:
        raise ValueError(
            f'parsing field "authoritative": strconv.ParseBool: parsing "{raw}": invalid syntax'
        )
    return check_match_filter(
        MatchFilter(
            limit=_int32_query(query.get("limit"), "limit"),
            authoritative=None if raw is None else raw in _TRUE,
            label=query.get("label"),
            min_size=_int32_query(query.get("min_size"), "min_size"),
            max_size=_int32_query(query.get("max_size"), "max_size"),
            query=query.get("query"),
        )
    )


def check_match_filter(f: MatchFilter) -> MatchFilter:
    """``f`` if a server takes it (Rule 1); ValueError with Nakama's message otherwise."""
    if f.limit is not None and not 1 <= f.limit <= MATCH_LIST_MAX:
        raise ValueError("Invalid limit - limit must be between 1 and 100.")
    if f.label is not None and f.authoritative is False:
        raise ValueError("Label filtering is not supported for non-authoritative matches.")
    if f.query is not None and f.authoritative is False:
        raise ValueError("Query filtering is not supported for non-authoritative matches.")
    if f.min_size is not None and f.min_size < 0:
        raise ValueError("Minimum size must be 0 or above.")
    if f.max_size is not None and f.max_size < 0:
        raise ValueError("Maximum size must be 0 or above.")
    if f.min_size is not None and f.max_size is not None and f.min_size > f.max_size:
        raise ValueError(
            "Maximum size must be greater than or equal to minimum size when both are specified."
        )
    return f


def list_matches(f: MatchFilter) -> Request:
    """``GET /v2/match`` for a filter the server will take (checked here first)."""
    for name in ("limit", "min_size", "max_size"):
        value = getattr(f, name)
        if value is not None and not is_int(value):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    for name in ("label", "query"):
        if getattr(f, name) is not None and not isinstance(getattr(f, name), str):
            raise TypeError(f"{name} must be a str")
    if f.authoritative is not None and not isinstance(f.authoritative, bool):
        raise TypeError("authoritative must be True, False or None")
    check_match_filter(f)
    query: list[tuple[str, str]] = []
    for name in ("limit", "authoritative", "label", "min_size", "max_size", "query"):
        value = getattr(f, name)
        if value is not None:
            query.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return Request("GET", routes.MATCHES, tuple(query))
