"""``GET|POST /v2/rpc/{id}``: server functions, answered as Nakama's ``RpcFuncHttp`` answers.

Invariants, in Nakama's order:
1. Auth before anything: ``?http_key=`` (non-empty) or HTTP Basic with the runtime HTTP key as
   user (server to server: no user), else a Bearer session token; each refusal is a 401 with
   Nakama's RPC body (``_protocol.rpc`` Rule 3), without ``WWW-Authenticate``, as Nakama's.
2. An empty id is 400, an unknown one 404; ids are case-insensitive.
3. A POST's body is the payload as a JSON string (``?unwrap``: the payload itself); a GET's body
   is ignored. The function runs (``rpc``); its text comes back as ``{"payload": ...}``, or raw
   with ``?unwrap`` under the request's Content-Type (``text/plain`` without one).
The HTTP key is compared in constant time and never logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from .._protocol.routes import RPC
from .._protocol.rpc import (
    function_error_body,
    function_error_code,
    read_payload,
    refusal_body,
)
from .._protocol.wire import STATUS_FOR_GRPC_CODE, GrpcCode, dumps
from .http import read_body
from .notification_store import NewNotification, notify
from .rpc import RpcContext, RpcError, run_handler
from .state import ServerState, state_of
from .tokens import Claims, TokenError

__all__ = ["routes"]

log = logging.getLogger("gameservices.server")
routes = web.RouteTableDef()
_ROUTE = RPC.replace("{id}", "{id:.*}")  # any id, "/" included, as Nakama's mux routes it


class _Refusal(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message"))
        self.status, self.body = status, body


def _refuse(code: GrpcCode, message: str) -> _Refusal:
    return _Refusal(STATUS_FOR_GRPC_CODE.get(code, 500), refusal_body(message, code))


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(status=status, text=dumps(body), content_type="application/json")


def _basic_user(header: str) -> str | None:
    """The user of ``Basic base64(user:password)`` (Go's ``parseBasicAuth``), or None."""
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[len("Basic ") :], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, _ = decoded.partition(":")
    return user if colon else None


def _same(given: str, key: str) -> bool:
    return hmac.compare_digest(given.encode(), key.encode())


def _caller(request: web.Request, state: ServerState) -> Claims | None:
    """The session's claims, or None for a server-to-server call with the HTTP key."""
    key = state.config.http_key
    given = request.query.get("http_key", "")
    if given:
        if not _same(given, key):
            raise _refuse(GrpcCode.UNAUTHENTICATED, "HTTP key invalid")
        return None
    headers = request.headers.getall("Authorization", [])
    if not headers:
        raise _refuse(GrpcCode.UNAUTHENTICATED, "Auth token or HTTP key required")
    header = headers[0]
    basic = _basic_user(header)
    if basic is not None:
        if not _same(basic, key):
            raise _refuse(GrpcCode.UNAUTHENTICATED, "HTTP key invalid")
        return None
    if header.startswith("Bearer "):
        try:
            return state.tokens.verify_session(header[len("Bearer ") :])
        except TokenError:
            pass
    raise _refuse(GrpcCode.UNAUTHENTICATED, "Auth token invalid")


def _context(request: web.Request, user: Claims | None) -> RpcContext:
    state = state_of(request)

    async def send(notes: Sequence[NewNotification]) -> object:
        return await notify(state, notes)

    query = {
        name: tuple(request.query.getall(name))
        for name in dict.fromkeys(request.query)
        if name != "http_key"
    }
    if user is None:
        return RpcContext(query=query, notify=send)
    return RpcContext(
        user.user_id, user.username, dict(user.vars), user.expires_at, query, notify=send
    )


def _answer(request: web.Request, result: str, unwrap: bool) -> web.Response:
    if not unwrap:
        return _json(200, {"payload": result})
    ctype = request.headers.get("Content-Type", "text/plain")
    return web.Response(body=result.encode(), headers={"Content-Type": ctype})


async def _call(request: web.Request, state: ServerState) -> web.Response:
    user = _caller(request, state)
    rpc_id = request.match_info["id"]
    if not rpc_id:
        raise _refuse(GrpcCode.INVALID_ARGUMENT, "RPC ID must be set")
    handler = state.config.rpc.get(rpc_id.lower())
    if handler is None:
        raise _refuse(GrpcCode.NOT_FOUND, "RPC function not found")
    unwrap = "unwrap" in request.query
    payload = ""
    if request.method == "POST":
        try:
            payload = read_payload(await read_body(request), unwrap)
        except ValueError as exc:
            raise _refuse(GrpcCode.INVALID_ARGUMENT, str(exc)) from None
    try:
        result = await run_handler(handler, _context(request, user), payload)
    except RpcError as exc:
        code = function_error_code(exc.code)
        return _json(STATUS_FOR_GRPC_CODE.get(code, 500), function_error_body(exc.message, code))
    except Exception as exc:  # a broken function: what Nakama answers for a Lua error
        log.exception("RPC function %r failed", rpc_id.lower())
        message = str(exc) or type(exc).__name__
        return _json(500, function_error_body(message, GrpcCode.INTERNAL))
    return _answer(request, result, unwrap)


@routes.get(_ROUTE, allow_head=False)
@routes.post(_ROUTE)
async def call_rpc(request: web.Request) -> web.Response:
    try:
        return await _call(request, state_of(request))
    except _Refusal as refusal:
        return _json(refusal.status, refusal.body)
