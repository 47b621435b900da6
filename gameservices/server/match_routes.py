"""``GET /v2/match``: match listing, with Nakama's checks and messages (``_protocol.matches``).

Invariant: this server runs no authoritative matches, and relayed matches live in the realtime
socket's registry, which is not part of this server yet: every valid listing is the empty list,
``{}``, as Nakama answers when no match runs (docs/server.md).
"""

from __future__ import annotations

from aiohttp import web

from .._protocol.matches import parse_match_query
from .._protocol.routes import MATCHES
from .http import accept, json_response

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get(MATCHES, allow_head=False)
async def list_matches(request: web.Request) -> web.Response:
    accept(parse_match_query, request.query)
    return json_response({})
