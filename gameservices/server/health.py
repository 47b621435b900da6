"""Nakama's unauthenticated probes: ``GET /healthcheck`` (200 ``{}``) and ``GET /`` (200, empty).

Invariants: neither needs credentials nor touches the store; other methods get the server's
405 with ``Allow``.
"""

from __future__ import annotations

from aiohttp import web

from .._protocol.routes import HEALTHCHECK
from .http import json_response

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get(HEALTHCHECK, allow_head=False)
async def healthcheck(_request: web.Request) -> web.Response:
    return json_response({})


@routes.get("/", allow_head=False)
async def root(_request: web.Request) -> web.Response:
    return web.Response(status=200)  # no body, no Content-Type: Nakama's root answers nothing
