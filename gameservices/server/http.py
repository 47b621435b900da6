"""Small request/response helpers shared by the handlers.

Invariants: bodies are read with the config's read timeout; what a valid request is, and the
message for one that is not, comes from ``_protocol.request_rules`` and ``account_rules``
(``accept`` turns their ValueError into an ``ApiFailure`` with code 3); query values come from
``_protocol.query_rules``; bodies go out as ``_protocol.wire.dumps`` text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from aiohttp import web

from .._protocol.query_rules import parse_bool
from .._protocol.request_rules import parse_body
from .._protocol.wire import GrpcCode, dumps
from .errors import ApiFailure
from .state import state_of

__all__ = ["accept", "json_response", "query_bool", "read_body", "read_json"]

P = ParamSpec("P")
T = TypeVar("T")


async def read_body(request: web.Request) -> bytes:
    if request.content.is_eof():  # the whole body is buffered already: nothing to wait for
        return await request.read()
    timeout = state_of(request).config.read_timeout
    try:
        return await asyncio.wait_for(request.read(), timeout)
    except asyncio.TimeoutError:
        raise ApiFailure(
            GrpcCode.DEADLINE_EXCEEDED, "Request body was not received in time.", status=408
        ) from None


def accept(rule: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Apply a ``_protocol`` request rule: its ValueError (Nakama's message) becomes a 400
    with code 3."""
    try:
        return rule(*args, **kwargs)
    except ValueError as exc:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, str(exc)) from None


async def read_json(request: web.Request) -> dict[str, Any]:
    return accept(parse_body, await read_body(request))


def query_bool(request: web.Request, name: str, default: bool) -> bool:
    return accept(parse_bool, request.query.get(name), name, default)


def json_response(data: Mapping[str, Any]) -> web.Response:
    return web.Response(text=dumps(data), content_type="application/json")
