"""Accounts and sessions: device, custom and email authentication, refresh and logout.

Invariants:
- Validation rules and messages are Nakama's, from ``_protocol.account_rules``; the body is
  decoded, then the query parsed, then the rules applied, in the gateway's order.
- Finding or creating an account is one writer job, so two racing first logins make one account.
- Passwords are scrypt-hashed off the event loop; a wrong password and an unknown account under
  ``create=false`` are told apart only as Nakama does (401 vs 404). An email login without an
  email logs in by username and password and never creates an account.
- A logout revokes nothing unless every token it names is this player's (400 otherwise).
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
    EmailLogin,
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
from .._protocol.routes import AUTHENTICATE, SESSION_LOGOUT, SESSION_REFRESH, fill
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response, query_bool, read_json
from .passwords import hash_password, verify_password
from .sqlite_store import Txn
from .state import USER, ServerState, state_of
from .tokens import Claims, TokenError, refresh_revocation, session_revocation

__all__ = ["routes"]

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Account:
    user_id: str
    username: str
    password: str | None
    created: bool = False


def _username(request: web.Request) -> str:
    return request.query.get("username", "")


_FIND = {
    "device": "SELECT u.uuid, u.username, u.password FROM user_devices d"
    " JOIN users u ON u.id = d.user_id WHERE d.id = ?",
    "custom": "SELECT uuid, username, password FROM users WHERE custom_id = ?",
    "email": "SELECT uuid, username, password FROM users WHERE email = ?",
    "username": "SELECT uuid, username, password FROM users WHERE username = ?",
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


async def _login_email(state: ServerState, login: EmailLogin, create: bool) -> Account:
    kind, ident = ("email", login.email.lower()) if login.email else ("username", login.username)
    account = await state.store.read(lambda conn: find_account(conn, kind, ident))
    if account is None:
        if not create or kind == "username":  # a login by username never creates
            raise ApiFailure(GrpcCode.NOT_FOUND, "User account not found.")
        hashed = await asyncio.to_thread(hash_password, login.password)
        now = int(state.config.clock())
        account = await state.store.write(
            lambda txn: find_or_create(txn, kind, ident, login.username, hashed, now)
        )
        if account.created:
            return account
    if account.password is None:  # a device or custom account: no password login
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Invalid credentials.")
    if not await asyncio.to_thread(verify_password, login.password, account.password):
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Invalid credentials.")
    return account


def _session(
    state: ServerState, account: Account, vars_: dict[str, str], login: Claims | None = None
) -> web.Response:
    token, refresh = state.tokens.issue(account.user_id, account.username, vars_, login)
    return json_response(session_json(token, refresh, account.created))


async def _authenticate_id(
    request: web.Request, kind: str, check_id: Callable[[str], str]
) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    create = query_bool(request, "create", True)
    ident, vars_ = accept(parse_id_login, body, check_id)
    username = accept(check_username, _username(request))
    account = await _login(state, kind, ident, username, create)
    return _session(state, account, vars_)


@routes.post(fill(AUTHENTICATE, kind="device"))
async def authenticate_device(request: web.Request) -> web.Response:
    return await _authenticate_id(request, "device", check_device_id)


@routes.post(fill(AUTHENTICATE, kind="custom"))
async def authenticate_custom(request: web.Request) -> web.Response:
    return await _authenticate_id(request, "custom", check_custom_id)


@routes.post(fill(AUTHENTICATE, kind="email"))
async def authenticate_email(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    create = query_bool(request, "create", True)
    login = accept(parse_email_login, body, _username(request))
    account = await _login_email(state, login, create)
    return _session(state, account, login.vars)


@routes.post(SESSION_REFRESH)
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
        raise ApiFailure(GrpcCode.NOT_FOUND, "User account not found.")
    vars_ = accept(vars_field, body) or dict(claims.vars)
    return _session(state, account, vars_, login=claims)


def _own(read: Callable[[str], Claims], token: str, user: Claims, message: str) -> Claims:
    """The claims of ``token`` if it is signed, unexpired and ``user``'s; 400 otherwise."""
    try:
        claims = read(token)
    except TokenError:
        claims = None
    if claims is None or claims.user_id != user.user_id:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, message)
    return claims


def _store_revocations(txn: Txn, revoked: list[tuple[str, int]]) -> None:
    txn.conn.executemany("INSERT OR IGNORE INTO revoked_tokens(digest, exp) VALUES (?, ?)", revoked)


@routes.post(SESSION_LOGOUT)
async def session_logout(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    logout = accept(parse_logout, await read_json(request))
    tokens = state.tokens
    revoked: list[tuple[str, int]] = []  # (revocation key, until when it matters)
    if logout.token:
        claims = _own(tokens.read_session, logout.token, user, "Session token invalid.")
        revoked.append((session_revocation(logout.token), claims.expires_at))
    if logout.refresh_token:
        claims = _own(tokens.read_refresh, logout.refresh_token, user, "Refresh token invalid.")
        # Every refresh token of this login expires by then (a refresh moves exp forward).
        until = int(state.config.clock()) + tokens.refresh_expiry
        revoked.append((refresh_revocation(claims), until))
    if revoked:
        await state.store.write(lambda txn: _store_revocations(txn, revoked))
        tokens.mark_revoked(key for key, _ in revoked)
    return json_response({})
