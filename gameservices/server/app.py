"""``create_app(config)``: the aiohttp application and its middlewares.

Middleware order, outermost first:
1. ``outer_middleware``: echo the Idempotency-Key on leaderboard write/delete responses (errors
   included), around the error mapping: every failure becomes a Nakama error body; tracebacks go
   to the log only;
2. per-IP rate limit and API fault injection, when configured;
3. ``guard_middleware``: body cap on API routes (413 with the error body), then auth: HTTP Basic
   with the server key for authenticate/* and session/refresh, a Bearer session token for every
   other ``/v2/`` route. Asset routes need no auth.
Steps 1 and 3 are two middlewares each made of two checks, not four middlewares: aiohttp wraps
every middleware in a coroutine and a current-app context manager per request, a measurable
share of a write's CPU.
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

from aiohttp import web
from aiohttp.typedefs import Middleware

from .._protocol.headers import IDEMPOTENCY_HEADER
from .._protocol.wire import GrpcCode, grpc_code_for_status
from . import accounts, leaderboard_routes
from .assets import setup_assets
from .config import ServerConfig
from .errors import ApiFailure, error_response
from .faults import faults_middleware
from .http_dates import stamp_date
from .openapi import setup_openapi
from .ratelimit import rate_limit_middleware
from .state import STATE, USER, ServerState, StateHolder, open_state, purge, state_of
from .tokens import TokenError

__all__ = ["CONFIG", "create_app", "runner_settings"]

log = logging.getLogger("gameservices.server")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CONFIG = web.AppKey("gameservices_config", ServerConfig)

_BASIC_PREFIX = "/v2/account/authenticate/"
_BASIC_PATHS = frozenset({"/v2/account/session/refresh"})
_PUBLIC_PATHS = frozenset({"/v2/openapi.json"})


def _is_api(path: str) -> bool:
    return path.startswith("/v2/")


@web.middleware
async def outer_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await _map_errors(request, handler)
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if (
        key is not None
        and key.isprintable()
        and request.method in ("POST", "DELETE")
        and request.path.startswith("/v2/leaderboard/")
    ):
        response.headers[IDEMPOTENCY_HEADER] = key
    return response


async def _map_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiFailure as exc:
        return error_response(exc.status, exc.code, exc.message, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, grpc_code_for_status(exc.status), exc.reason)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, GrpcCode.INTERNAL, "Internal server error.")


@web.middleware
async def guard_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if _is_api(path):
        state = state_of(request)
        _check_body_cap(request, state.config.max_body_bytes)
        if path not in _PUBLIC_PATHS:
            _authenticate(request, path, state)
    return await handler(request)


def _check_body_cap(request: web.Request, cap: int) -> None:
    length = request.content_length
    if length is not None and length > cap:
        raise ApiFailure(
            GrpcCode.INVALID_ARGUMENT,
            f"Request body is too large, the limit is {cap} bytes.",
            status=413,
        )


def _check_server_key(header: str, server_key: str) -> None:
    scheme, _, credentials = header.partition(" ")
    if not header:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Server key required")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Server key invalid") from None
    key = decoded.partition(":")[0]
    if scheme.lower() != "basic" or not hmac.compare_digest(key.encode(), server_key.encode()):
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Server key invalid")


def _authenticate(request: web.Request, path: str, state: ServerState) -> None:
    header = request.headers.get("Authorization", "")
    if path.startswith(_BASIC_PREFIX) or path in _BASIC_PATHS:
        _check_server_key(header, state.config.server_key)
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Auth token required")
    try:
        request[USER] = state.tokens.verify_session(token.strip())
    except TokenError:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Auth token invalid") from None


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
    middlewares: list[Middleware] = [outer_middleware]
    if config.rate_limit is not None:
        middlewares.append(rate_limit_middleware(config.rate_limit, config.clock))
    if config.faults is not None:
        middlewares.append(faults_middleware(config.faults))
    middlewares.append(guard_middleware)
    app = web.Application(middlewares=middlewares, client_max_size=config.max_body_bytes)
    app[CONFIG] = config
    app[STATE] = StateHolder()
    app.add_routes(accounts.routes)
    app.add_routes(leaderboard_routes.routes)
    if config.clock is not time.time:
        # Clients judge token expiry by Date; with an injected clock it must tell that time.
        app.on_response_prepare.append(stamp_date(config.clock))
    setup_assets(app, config.assets_dir, config.faults)
    setup_openapi(app)
    app.cleanup_ctx.append(_lifecycle)
    return app
