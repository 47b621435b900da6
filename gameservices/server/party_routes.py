"""``GET /v2/party``: party listing. This server has no parties yet (the realtime socket refuses
``party_create``), so a listing Nakama takes answers as Nakama's with none: ``{}``.

Invariants: the query is read with Nakama's checks (``_protocol.parties``: limit 1-100, ``open`` a
flag); a cursor, which this server never issues, is refused with a 400 where Nakama answers 500
(docs/server.md); a ``query`` is not parsed (nothing could match it).
"""

from __future__ import annotations

from aiohttp import web

from .._protocol.parties import parse_party_query
from .._protocol.routes import PARTIES
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get(PARTIES, allow_head=False)
async def list_parties(request: web.Request) -> web.Response:
    listing = accept(parse_party_query, request.query)
    if listing.cursor:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "invalid cursor")
    return json_response({})
