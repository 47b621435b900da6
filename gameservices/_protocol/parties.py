"""Party listing on Nakama's wire (``GET /v2/party``), both directions: the ``Party`` record and
its parser, the request builder, and a server's reading of the query (pure). Parties themselves
are made and joined on the realtime socket.

Rule 1: ``limit`` is 1-100 (Nakama's default 10); ``open`` keeps open (or closed) parties only;
        ``query`` is a Bluge query on the parties' labels; ``cursor`` continues a listing (with
        the same filters). Hidden parties are never listed.
Rule 2: a server reads the query as grpc-gateway does (``query_rules``), ``limit`` with Nakama's
        message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .._checks import int_between
from .._exceptions import ProtocolError
from . import routes
from .api import Request
from .fields import as_object, boolean, list_field, text
from .query_rules import parse_bool, parse_limit

__all__ = [
    "PARTY_LIST_DEFAULT",
    "PARTY_LIST_MAX",
    "Party",
    "PartyList",
    "PartyQuery",
    "list_parties",
    "parse_party_list",
    "parse_party_query",
]

PARTY_LIST_MAX = 100
PARTY_LIST_DEFAULT = 10


@dataclass(frozen=True)
class Party:
    """One listed party (``apiParty``)."""

    party_id: str = ""
    open: bool = False
    hidden: bool = False
    max_size: int = 0
    label: str = ""


@dataclass(frozen=True)
class PartyList:
    parties: tuple[Party, ...] = ()
    cursor: str | None = None


@dataclass(frozen=True)
class PartyQuery:
    """What a listing asks for; None: not given."""

    limit: int | None = None
    open: bool | None = None
    query: str | None = None
    cursor: str | None = None


def _party(obj: object) -> Party:
    o = as_object(obj, "a party")
    size = o.get("max_size", 0)
    if size.__class__ is not int or not 0 <= size < 2**31:
        raise ProtocolError(f"server sent max_size as {size!r}, expected an int32 number")
    return Party(text(o, "party_id"), boolean(o, "open"), boolean(o, "hidden"), size,
                 text(o, "label"))  # fmt: skip


def parse_party_list(obj: object) -> PartyList:
    o = as_object(obj, "a party list")
    parties = tuple(_party(p) for p in list_field(o, "parties"))
    return PartyList(parties, text(o, "cursor") or None)


def list_parties(q: PartyQuery) -> Request:
    """``GET /v2/party`` for a query the server will take (checked here first)."""
    query: list[tuple[str, str]] = []
    if q.limit is not None:
        query.append(("limit", str(int_between("limit", q.limit, 1, PARTY_LIST_MAX))))
    if q.open is not None:
        if not isinstance(q.open, bool):
            raise TypeError(f"open must be True, False or None, not {q.open!r}")
        query.append(("open", "true" if q.open else "false"))
    for name in ("query", "cursor"):
        value = getattr(q, name)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")
        if value:
            query.append((name, value))
    return Request("GET", routes.PARTIES, tuple(query))


def parse_party_query(query: Mapping[str, str]) -> PartyQuery:
    """A server's reading of ``GET /v2/party``'s query (Rule 2)."""
    raw_open = query.get("open")
    return PartyQuery(
        limit=parse_limit(query.get("limit"), PARTY_LIST_MAX),
        open=None if raw_open is None else parse_bool(raw_open, "open", False),
        query=query.get("query"),
        cursor=query.get("cursor"),
    )
