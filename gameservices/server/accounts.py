"""Accounts and sessions: device, custom and email authentication, refresh and logout.

Invariants:
- Validation rules and messages are Nakama's, from ``_protocol.account_rules``.
- Finding or creating an account is one writer job, so two racing first logins make one account.
- Passwords are scrypt-hashed off the event loop; a wrong password and an unknown account under
  ``create=false`` are told apart only as Nakama does (401 vs 404).
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from .._protocol.account_rules import (
    check_custom_id,
    check_device_id,
    check_username,
    parse_email_login,
    parse_id_login,
    parse_logout,
    parse_refresh_token,
)
from .._protocol.bodies import session_json
from .._protocol.request_rules import vars_field
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response, query_bool, read_json
from .passwords import hash_password, verify_password
from .sqlite_store import Txn
from .state import USER, ServerState, state_of
from .tokens import Claims, TokenError, token_digest

__all__ = ["routes"]

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Account:
    user_id: str
    username: str
    password: str | None
    created: bool = False


def _username(request: web.Request) -> str:
    return accept(check_username, request.query.get("username", ""))


_FIND = {
    "device": "SELECT u.uuid, u.username, u.password FROM user_devices d"
    " JOIN users u ON u.id = d.user_id WHERE d.id = ?",
    "custom": "SELECT uuid, username, password FROM users WHERE custom_id = ?",
    "email": "SELECT uuid, username, password FROM users WHERE email = ?",
    "uuid": "SELECT uuid, username, password FROM users WHERE uuid = ?",
}


def find_account(conn: sqlite3.Connection, kind: str, ident: str) -> Account | None:
    row = conn.execute(_FIND[kind], (ident,)).fetchone()
    return None if row is None else Account(row[0], row[1], row[2])


def _free_username(conn: sqlite3.Connection) -> str:
    while True:
        name = "".join(secrets.choice(string.ascii_letters) for _ in range(10))
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone() is None:
            return name


def find_or_create(
    txn: Txn, kind: str, ident: str, username: str, password: str | None, now: int
) -> Account:
    conn = txn.conn
    existing = find_account(conn, kind, ident)
    if existing is not None:
        return existing
    if not username:
        username = _free_username(conn)
    elif conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise ApiFailure(GrpcCode.ALREADY_EXISTS, "Username is already in use.")
    user_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO users(uuid, username, custom_id, email, password, create_time)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            user_id,
            username,
            ident if kind == "custom" else None,
            ident if kind == "email" else None,
            password,
            now,
        ),
    )
    if kind == "device":
        conn.execute(
            "INSERT INTO user_devices(id, user_id) VALUES (?, last_insert_rowid())", (ident,)
        )
    return Account(user_id, username, password, created=True)


async def _login(state: ServerState, kind: str, ident: str, username: str, create: bool) -> Account:
    if create:
        now = int(state.config.clock())
        return await state.store.write(
            lambda txn: find_or_create(txn, kind, ident, username, None, now)
        )
    account = await state.store.read(lambda conn: find_account(conn, kind, ident))
    if account is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "User account not found.")
    return account


async def _login_email(
    state: ServerState, email: str, password: str, username: str, create: bool
) -> Account:
    account = await state.store.read(lambda conn: find_account(conn, "email", email))
    if account is None:
        if not create:
            raise ApiFailure(GrpcCode.NOT_FOUND, "User account not found.")
        hashed = await asyncio.to_thread(hash_password, password)
        now = int(state.config.clock())
        account = await state.store.write(
            lambda txn: find_or_create(txn, "email", email, username, hashed, now)
        )
        if account.created:
            return account
    stored = account.password or ""
    if not await asyncio.to_thread(verify_password, password, stored):
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Invalid credentials.")
    return account


def _session(state: ServerState, account: Account, vars_: dict[str, str]) -> web.Response:
    token, refresh = state.tokens.issue(account.user_id, account.username, vars_)
    return json_response(session_json(token, refresh, account.created))


async def _authenticate_id(
    request: web.Request, kind: str, check_id: Callable[[str], str]
) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    ident, vars_ = accept(parse_id_login, body, check_id)
    username = _username(request)
    account = await _login(state, kind, ident, username, query_bool(request, "create", True))
    return _session(state, account, vars_)


@routes.post("/v2/account/authenticate/device")
async def authenticate_device(request: web.Request) -> web.Response:
    return await _authenticate_id(request, "device", check_device_id)


@routes.post("/v2/account/authenticate/custom")
async def authenticate_custom(request: web.Request) -> web.Response:
    return await _authenticate_id(request, "custom", check_custom_id)


@routes.post("/v2/account/authenticate/email")
async def authenticate_email(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    email, password, vars_ = accept(parse_email_login, body)
    username = _username(request)
    create = query_bool(request, "create", True)
    account = await _login_email(state, email.lower(), password, username, create)
    return _session(state, account, vars_)


@routes.post("/v2/account/session/refresh")
async def session_refresh(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    token = accept(parse_refresh_token, body)
    try:
        claims = state.tokens.verify_refresh(token)
    except TokenError as exc:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, str(exc)) from None
    account = await state.store.read(lambda conn: find_account(conn, "uuid", claims.user_id))
    if account is None:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Refresh token invalid or expired.")
    return _session(state, account, accept(vars_field, body) or dict(claims.vars))


def _revocable(state: ServerState, user: Claims, tokens: list[str]) -> list[tuple[str, int]]:
    """(digest, exp) of the given tokens that are ours and belong to this user."""
    found = []
    for token in tokens:
        for verify in (state.tokens.verify_session, state.tokens.verify_refresh):
            try:
                claims = verify(token)
            except TokenError:
                continue
            if claims.user_id == user.user_id:
                found.append((token_digest(token), claims.expires_at))
    return found


def _store_revocations(txn: Txn, revoked: list[tuple[str, int]]) -> None:
    txn.conn.executemany("INSERT OR IGNORE INTO revoked_tokens(digest, exp) VALUES (?, ?)", revoked)


@routes.post("/v2/session/logout")
async def session_logout(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    body = await read_json(request)
    tokens = accept(parse_logout, body)
    revoked = _revocable(state, user, tokens)
    if revoked:
        await state.store.write(lambda txn: _store_revocations(txn, revoked))
        state.tokens.mark_revoked(d for d, _ in revoked)
    return json_response({})
