"""``POST /v2/account/link/{device,custom,email}`` and ``.../unlink/...``: which ids log in to
the caller's account, with Nakama 3.40's rules and answers (``_protocol.links``).

Invariants: a Bearer session names the caller (the auth middleware checked it); the body is
judged before anything is stored; an email's password is hashed off the event loop before the
one writer job (``link_store``) that links it. The session itself never changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from .._protocol.links import KINDS, parse_link, parse_unlink
from .._protocol.routes import ACCOUNT_LINK, ACCOUNT_UNLINK, fill
from .http import accept, json_response, read_json
from .link_store import link, unlink
from .passwords import hash_password
from .state import USER, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _link(kind: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        state, user = state_of(request), _caller(request)
        what = accept(parse_link, kind, await read_json(request))
        hashed = await asyncio.to_thread(hash_password, what.password) if what.password else None
        now = int(state.config.clock())
        await state.store.write(lambda txn: link(txn, user, what, hashed, now))
        return json_response({})

    return handler


def _unlink(kind: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        state, user = state_of(request), _caller(request)
        what = accept(parse_unlink, kind, await read_json(request))
        now = int(state.config.clock())
        await state.store.write(lambda txn: unlink(txn, user, what, now))
        return json_response({})

    return handler


def _caller(request: web.Request) -> str:
    claims: Claims = request[USER]
    return claims.user_id


for _kind in KINDS:
    routes.post(fill(ACCOUNT_LINK, kind=_kind))(_link(_kind))
    routes.post(fill(ACCOUNT_UNLINK, kind=_kind))(_unlink(_kind))
