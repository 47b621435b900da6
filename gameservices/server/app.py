"""``create_app(config)``: the aiohttp application and its middlewares.

Middleware order, outermost first:
1. ``cors_middleware``: an ``OPTIONS`` request is a CORS preflight, answered there (``cors``);
2. ``outer_middleware``: echo the Idempotency-Key on leaderboard write/delete responses (errors
   included), around the error mapping: every failure becomes a Nakama error body; tracebacks go
   to the log only;
3. per-IP rate limit and API fault injection, when configured;
4. ``guard_middleware``, on API routes: routing first (an unknown path is 404, a wrong method
   405 with ``Allow``, before any auth, as Nakama's gateway routes first), a query string that is
   not UTF-8 (400), the body cap (413), then auth: HTTP Basic with the server key for
   authenticate/* and session/refresh, a Bearer session token for every other ``/v2/`` route,
   each header read exactly as Nakama reads it (``_check_server_key``, ``_check_bearer``);
   ``/v2/rpc/`` judges its own (a session or the runtime HTTP key: ``rpc_routes``).
   ``/healthcheck``, the OpenAPI document and assets need no auth.
Steps 2 and 4 are two middlewares each made of several checks: aiohttp wraps every middleware in
a coroutine and a current-app context manager per request, a measurable share of a write's CPU.
Headers every answer of the gateway carries (``Cache-Control: no-store``, CORS'
``Access-Control-Allow-Origin``) are set as a response is prepared, so streamed answers get them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from aiohttp import web
from aiohttp.typedefs import Middleware

from .._protocol import routes
from .._protocol.headers import IDEMPOTENCY_HEADER
from .._protocol.wire import GrpcCode, grpc_code_for_status
from . import (
    account_routes,
    accounts,
    chat_store,
    health,
    leaderboard_routes,
    link_routes,
    match_routes,
    provider_routes,
    rpc_routes,
    storage_routes,
    tournament_routes,
)
from .assets import setup_assets
from .config import ServerConfig
from .cors import allow_origin, cors_middleware
from .errors import ApiFailure, error_response
from .event_routes import routes as event_routes
from .faults import faults_middleware
from .friend_routes import routes as friend_routes
from .group_routes import routes as group_routes
from .http_dates import stamp_date
from .notification_routes import routes as notification_routes
from .openapi import setup_openapi
from .party_routes import routes as party_routes
from .purchase_routes import routes as purchase_routes
from .ratelimit import rate_limit_middleware
from .realtime_routes import setup_realtime
from .state import STATE, USER, ServerState, StateHolder, open_state, purge, state_of
from .tokens import Claims, TokenError

__all__ = ["CONFIG", "create_app", "runner_settings"]

log = logging.getLogger("gameservices.server")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONFIG = web.AppKey("gameservices_config", ServerConfig)

_BASIC_PREFIX = routes.prefix(routes.AUTHENTICATE)
_BASIC_PATHS = frozenset({routes.SESSION_REFRESH})
_PUBLIC_PATHS = frozenset({routes.OPENAPI})
_RPC_PREFIX = routes.prefix(routes.RPC)
NO_STORE = "no-store, no-cache, must-revalidate"


def _is_api(path: str) -> bool:
    return path.startswith(routes.API_PREFIX) or path == routes.HEALTHCHECK


def _is_gateway(path: str) -> bool:
    """What Nakama's gateway answers (every path but its root and ``/ws``); ours less the
    asset host, whose answers carry their own validators."""
    return path != "/" and not path.startswith("/assets/")


async def _gateway_headers(request: web.Request, response: web.StreamResponse) -> None:
    allow_origin(request, response)
    if request.method != "OPTIONS" and _is_gateway(request.path):
        response.headers["Cache-Control"] = NO_STORE


@web.middleware
async def outer_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await _map_errors(request, handler)
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and key.isprintable() and _takes_keys(request):
        response.headers[IDEMPOTENCY_HEADER] = key
    return response


def _takes_keys(request: web.Request) -> bool:
    """Leaderboard and tournament writes and deletes (not joins) honour Idempotency-Key."""
    path, method = request.path, request.method
    if path.startswith(routes.prefix(routes.LEADERBOARD)):
        return method in ("POST", "DELETE")
    return (
        path.startswith(routes.prefix(routes.TOURNAMENT))
        and method in ("PUT", "POST", "DELETE")
        and not path.endswith("/join")
    )


async def _map_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiFailure as exc:
        return error_response(exc.status, exc.code, exc.message, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _routing_error(exc)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, GrpcCode.INTERNAL, "Internal server error.")


def _routing_error(exc: web.HTTPException) -> web.Response:
    if exc.status == 405:
        # Deliberate (docs/server.md): 405 with Allow where Nakama answers 501; code 12 as it.
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(405, GrpcCode.UNIMPLEMENTED, "Method Not Allowed", allow)
    return error_response(exc.status, grpc_code_for_status(exc.status), exc.reason)


@web.middleware
async def guard_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if _is_api(path):
        state = state_of(request)
        routing = request.match_info.http_exception
        if routing is not None:
            raise routing
        _check_query(request)
        _check_body_cap(request, state.config.max_body_bytes)
        if path not in _PUBLIC_PATHS and path != routes.HEALTHCHECK:
            _authenticate(request, path, state)
    return await handler(request)


def _check_query(request: web.Request) -> None:
    """Every query value is UTF-8 once percent-decoded (Nakama fails on one that is not)."""
    for part in request.rel_url.raw_query_string.split("&"):
        try:
            unquote_to_bytes(part.replace("+", " ")).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiFailure(
                GrpcCode.INVALID_ARGUMENT, "Query string is not valid UTF-8."
            ) from None


def _check_body_cap(request: web.Request, cap: int) -> None:
    length = request.content_length
    if length is not None and length > cap:
        raise ApiFailure(
            GrpcCode.INVALID_ARGUMENT,
            f"Request body is too large, the limit is {cap} bytes.",
            status=413,
        )


def _authorization(request: web.Request) -> str | None:
    """The Authorization header; None when absent, "" when empty or repeated."""
    values = request.headers.getall("Authorization", [])
    if not values:
        return None
    return values[0] if len(values) == 1 else ""


def _check_server_key(header: str | None, server_key: str) -> None:
    """``Basic base64(KEY:)``: the scheme case-sensitive, the credentials strict base64 with a
    colon (Nakama's ``parseBasicAuth``)."""
    if header is None:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Server key required")
    key = None
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[len("Basic ") :], validate=True)
        except binascii.Error:
            decoded = b""
        user, colon, _ = decoded.partition(b":")
        key = user if colon else None
    if key is None or not hmac.compare_digest(key, server_key.encode()):
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Server key invalid")


def _check_bearer(header: str | None, state: ServerState) -> Claims:
    """``Bearer <token>``: the scheme case-sensitive, one space, the token as it is."""
    if header is None:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Auth token required")
    if header.startswith("Bearer "):
        try:
            return state.tokens.verify_session(header[len("Bearer ") :])
        except TokenError:
            pass
    raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Auth token invalid")


def _authenticate(request: web.Request, path: str, state: ServerState) -> None:
    if path.startswith(_RPC_PREFIX):
        return  # a session or the runtime HTTP key, judged as Nakama's RPC handler does
    header = _authorization(request)
    if path.startswith(_BASIC_PREFIX) or path in _BASIC_PATHS:
        _check_server_key(header, state.config.server_key)
        return
    request[USER] = _check_bearer(header, state)


PURGE_EVERY = 3600.0


async def _purge_periodically(state: ServerState) -> None:
    config = state.config
    while True:
        await asyncio.sleep(PURGE_EVERY)
        await state.store.write(
            functools.partial(purge, now=config.clock(), idempotency_ttl=config.idempotency_ttl)
        )


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = await open_state(app[CONFIG])
    app[STATE].state = state
    purger = asyncio.ensure_future(_purge_periodically(state))
    try:
        yield
    finally:
        purger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purger
        app[STATE].state = None
        await state.store.close()


def runner_settings(config: ServerConfig) -> dict[str, Any]:
    """``web.AppRunner`` keyword arguments: idle and slow connections are dropped after the read
    timeout (a slow request body gets 408 from ``read_body``)."""
    return {"keepalive_timeout": config.read_timeout, "access_log": None}


def create_app(config: ServerConfig | None = None) -> web.Application:
    """The reference server as an aiohttp application (the store opens at startup)."""
    config = config if config is not None else ServerConfig()
    middlewares: list[Middleware] = [cors_middleware, outer_middleware]
    if config.rate_limit is not None:
        middlewares.append(rate_limit_middleware(config.rate_limit, config.clock))
    if config.faults is not None:
        middlewares.append(faults_middleware(config.faults))
    middlewares.append(guard_middleware)
    app = web.Application(middlewares=middlewares, client_max_size=config.max_body_bytes)
    app[CONFIG] = config
    app[STATE] = StateHolder()
    app.add_routes(accounts.routes)
    app.add_routes(account_routes.routes)
    app.add_routes(link_routes.routes)
    app.add_routes(provider_routes.routes)
    app.add_routes(leaderboard_routes.routes)
    app.add_routes(health.routes)
    app.add_routes(friend_routes)
    app.add_routes(notification_routes)
    app.add_routes(group_routes)
    app.add_routes(tournament_routes.routes)
    app.add_routes(rpc_routes.routes)
    app.add_routes(match_routes.routes)
    app.add_routes(storage_routes.routes)
    app.add_routes(event_routes)
    app.add_routes(purchase_routes)
    app.add_routes(party_routes)
    app.on_response_prepare.append(_gateway_headers)
    if config.clock is not time.time:
        # Clients judge token expiry by Date; with an injected clock it must tell that time.
        app.on_response_prepare.append(stamp_date(config.clock))
    setup_assets(app, config.assets_dir, config.faults)
    setup_openapi(app)
    setup_realtime(app)
    app.add_routes(chat_store.routes)
    app.cleanup_ctx.append(_lifecycle)
    return app
