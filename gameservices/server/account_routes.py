"""The player's own account and other players' profiles: ``GET|PUT|DELETE /v2/account`` and
``GET /v2/user``, in Nakama's shapes and with its rules (``_protocol.accounts``).

Invariants: a Bearer session token names the caller (the auth middleware checked it); reads run
on the store's reader thread, updates and deletes are one writer job each (``account_store``).
A delete ends every session of the account issued before that second (Nakama's session cache
rule, ``tokens.user_revocation``); deleting an account that is already gone succeeds, as on
Nakama.
"""

from __future__ import annotations

from aiohttp import web

from .._protocol.accounts import parse_account_update, parse_system_id
from .._protocol.routes import ACCOUNT, USERS
from .._protocol.wire import GrpcCode, json_name
from .account_delete import delete_account
from .account_store import find_users, read_account, update_account
from .errors import ApiFailure
from .http import accept, json_response, read_json
from .sqlite_store import Txn
from .state import USER, state_of
from .tokens import Claims, user_revocation

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get(ACCOUNT, allow_head=False)
async def get_account(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    online = state.online.snapshot()
    body = await state.store.read(lambda conn: read_account(conn, user.user_id, online))
    if body is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "Account not found.")
    return json_response(body)


@routes.put(ACCOUNT)
async def put_account(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    update = accept(parse_account_update, await read_json(request))
    now = int(state.config.clock())
    await state.store.write(lambda txn: update_account(txn, user.user_id, update, now, state.ranks))
    return json_response({})


@routes.delete(ACCOUNT)
async def remove_account(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    now = int(state.config.clock())
    key = user_revocation(user.user_id, now)
    # Every token issued before now expires by now + the refresh lifetime.
    until = now + state.tokens.refresh_expiry

    def job(txn: Txn) -> bool:
        deleted = delete_account(txn, user.user_id, state.ranks, now)
        if deleted:
            txn.conn.execute(
                "INSERT OR IGNORE INTO revoked_tokens(digest, exp) VALUES (?, ?)", (key, until)
            )
        return deleted

    if await state.store.write(job):
        state.tokens.mark_revoked([key])
        state.online.disconnect(user.user_id)  # its sockets close, as on Nakama
    return json_response({})


def _query_list(request: web.Request, name: str) -> list[str]:
    alias = json_name(name)
    extra = request.query.getall(alias, []) if alias != name else []
    return request.query.getall(name, []) + extra


@routes.get(USERS, allow_head=False)
async def get_users(request: web.Request) -> web.Response:
    state = state_of(request)
    ids = _query_list(request, "ids")
    usernames = _query_list(request, "usernames")
    # Accepted as Nakama accepts them; no account here has a Facebook id, so none matches.
    facebook = _query_list(request, "facebook_ids")
    if not (ids or usernames or facebook):
        return json_response({})
    canonical = [accept(parse_system_id, value) for value in ids]
    online = state.online.snapshot()
    users = await state.store.read(
        lambda conn: find_users(conn, canonical, usernames, online=online)
    )
    return json_response({"users": users} if users else {})
