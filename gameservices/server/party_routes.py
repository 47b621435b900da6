"""``GET /v2/party``: the realtime socket's parties (``parties``), listed as Nakama lists them.

Invariants: the query is read with Nakama's checks (``_protocol.parties``: limit 1-100, default
10; ``open`` a flag); hidden parties are never listed; open parties come first, then closed
ones, each oldest first (Nakama's order without a query; with one, Nakama orders by relevance,
this server the same way as without: docs/server.md). ``query`` is the matchmaker's subset over
the label's fields (``label.NAME``, ``_protocol.matchmaker_query`` Rule 3); anything else lists
none. A cursor is signed and carries the offset and the filters it was made with; one this
server did not issue is a 400 where Nakama answers 500 (docs/server.md).
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web

from .._protocol.fields import loads
from .._protocol.matchmaker_query import Query, parse
from .._protocol.parties import PARTY_LIST_DEFAULT, parse_party_query
from .._protocol.routes import PARTIES
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response
from .parties import PartyRoom
from .realtime_routes import HUB
from .state import state_of

__all__ = ["routes"]

routes = web.RouteTableDef()
_KIND = "party list"


def _rooms(request: web.Request) -> list[PartyRoom]:
    realtime = request.app[HUB].get("rt")
    if realtime is None or realtime.state is not state_of(request):
        return []
    listed: list[PartyRoom] = realtime.parties.listed()
    return sorted(listed, key=lambda room: not room.open)  # stable: oldest first within


def _fields(label: str) -> tuple[dict[str, str], dict[str, float]]:
    try:
        value = loads(label or "{}")
    except ValueError:
        return {}, {}
    if not isinstance(value, dict):
        return {}, {}
    strings = {k: v for k, v in value.items() if isinstance(v, str)}
    numbers = {k: float(v) for k, v in value.items()
               if isinstance(v, int | float) and not isinstance(v, bool)}  # fmt: skip
    return strings, numbers


def _query(text: str) -> Query | Literal[False] | None:
    """None: no query; False: one outside the subset, which lists none (as Nakama lists none
    for a query it cannot parse, and may list some for a valid one: docs/server.md)."""
    if not text:
        return None
    try:
        return parse(text, field="label")
    except ValueError:
        return False


def _party_json(room: PartyRoom) -> dict[str, Any]:
    body: dict[str, Any] = {"party_id": room.id}
    if room.open:
        body["open"] = True
    if room.max_size:
        body["max_size"] = room.max_size
    body["label"] = room.label or "{}"
    return body


@routes.get(PARTIES, allow_head=False)
async def list_parties(request: web.Request) -> web.Response:
    listing = accept(parse_party_query, request.query)
    cursors = state_of(request).social_cursors
    offset, text, only_open = 0, listing.query or "", listing.open
    if listing.cursor:
        values = cursors.decode(listing.cursor, _KIND)
        if values is None or len(values) != 3:
            raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "invalid cursor")
        offset, text, only_open = values  # type: ignore[assignment]  # as encoded below
    query, limit = _query(text), listing.limit or PARTY_LIST_DEFAULT
    found = [room for room in _rooms(request)
             if query is not False and (only_open is None or room.open == only_open)
             and (query is None or query.matches(*_fields(room.label)))]  # fmt: skip
    page = found[offset : offset + limit]
    body: dict[str, Any] = {"parties": [_party_json(room) for room in page]} if page else {}
    if offset + limit < len(found):
        body["cursor"] = cursors.encode(_KIND, [offset + limit, text, only_open])
    return json_response(body)
