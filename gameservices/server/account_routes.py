"""The player's own account: ``GET /v2/account``, in Nakama's ``Account`` shape.

Invariants: a Bearer session token names the account (the auth middleware checked it); the
answer is built by ``_protocol.bodies.account_json`` from what this server stores (username,
create time, email, device ids, custom id); the store is read on its reader thread. Further
account and user routes belong here.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from aiohttp import web

from .._protocol.bodies import account_json
from .._protocol.routes import ACCOUNT
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import json_response
from .state import USER, state_of
from .tokens import Claims

__all__ = ["read_account", "routes"]

routes = web.RouteTableDef()


def read_account(conn: sqlite3.Connection, user_id: str) -> dict[str, Any] | None:
    """The account body of ``user_id``, or None if there is no such account (blocking)."""
    row = conn.execute(
        "SELECT id, username, email, custom_id, create_time FROM users WHERE uuid = ?",
        (user_id,),
    ).fetchone()
    if row is None:
        return None
    rowid, username, email, custom_id, created = row
    devices = [
        str(d[0])
        for d in conn.execute("SELECT id FROM user_devices WHERE user_id = ? ORDER BY id", (rowid,))
    ]
    # Accounts never change here, so the update time is the create time.
    return account_json(
        user_id,
        username,
        created,
        created,
        email=email or "",
        devices=devices,
        custom_id=custom_id or "",
    )


@routes.get(ACCOUNT, allow_head=False)
async def get_account(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    body = await state.store.read(lambda conn: read_account(conn, user.user_id))
    if body is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "Account not found.")
    return json_response(body)
