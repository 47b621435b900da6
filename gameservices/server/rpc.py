"""Server functions for ``POST /v2/rpc/{id}``: what a handler is, what it is given, how it fails.

A handler is ``fn(context, payload) -> str | None``, plain or ``async``, as a Nakama Lua function
is ``function(context, payload)``: ``payload`` is the text the client sent (JSON when the client
is gameservices), the return value the text sent back (None: ""). A plain function runs on a
worker thread, so a slow one never blocks the server's loop. The same handlers answer
``POST /v2/rpc/{id}`` (``rpc_routes``) and the realtime socket's ``rpc`` (``realtime_rpc``),
both through ``run_handler``.

Invariants: ids are case-insensitive (lowercased at registration and at call, as Nakama does);
the registry is immutable once the config is built; ``RpcError(message, code)`` answers with that
gRPC code and message (Lua's ``error({message, code})``); any other exception is answered as
Nakama answers a Lua error: 500, code 13 and the exception's message (its traceback goes to the
``gameservices.server`` log only).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .._protocol.wire import GrpcCode
from .notification_store import NewNotification

__all__ = ["RpcContext", "RpcError", "RpcHandler", "check_rpc", "load_handler", "run_handler"]


@dataclass(frozen=True)
class RpcContext:
    """Who calls: the session's user (``user_id`` "" when called with the HTTP key), and the
    query parameters other than ``http_key``."""

    user_id: str = ""
    username: str = ""
    vars: Mapping[str, str] = field(default_factory=dict)
    expiry: int = 0
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Creates notifications (``notification_store.notify``), as Nakama's
    # ``nk.notification_send``: ``await context.notify([NewNotification(...)])`` in an async
    # function (it runs on the server's loop; a plain function runs on a thread and has none).
    notify: Callable[[Sequence[NewNotification]], Awaitable[object]] | None = field(
        default=None, repr=False, compare=False
    )


RpcHandler = Callable[[RpcContext, str], str | Awaitable[str | None] | None]


class RpcError(Exception):
    """Raised by a handler: the call answers ``code`` (a ``GrpcCode``; outside 1-16 it is 13)
    with ``message``, as a Lua ``error({message, code})`` does on Nakama."""

    def __init__(self, message: str, code: int = GrpcCode.INTERNAL) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def load_handler(spec: str) -> RpcHandler:
    """``module:function`` (``--rpc id=module:function``, a config file's ``rpc``) -> the
    function; ValueError says what is wrong."""
    module_name, colon, name = spec.partition(":")
    if not colon or not module_name or not name:
        raise ValueError(f"an RPC handler must look like module:function, not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"RPC handler {spec!r}: cannot import {module_name!r} ({exc})") from exc
    handler = getattr(module, name, None)
    if not callable(handler):
        raise ValueError(f"RPC handler {spec!r}: {module_name} has no function {name!r}")
    return handler  # type: ignore[no-any-return]  # callable, checked above


def check_rpc(rpc: Mapping[str, RpcHandler | str]) -> Mapping[str, RpcHandler]:
    """The registry as the server keeps it: lowercased ids, handlers resolved and callable."""
    if not isinstance(rpc, Mapping):
        raise TypeError("rpc must map function ids to handlers")
    out: dict[str, RpcHandler] = {}
    for rpc_id, handler in rpc.items():
        if not isinstance(rpc_id, str) or not rpc_id or rpc_id != rpc_id.strip():
            raise ValueError(f"an RPC id must be a non-empty string without spaces: {rpc_id!r}")
        resolved = load_handler(handler) if isinstance(handler, str) else handler
        if not callable(resolved):
            raise TypeError(f"RPC {rpc_id!r}: the handler must be callable")
        if rpc_id.lower() in out:
            raise ValueError(f"RPC id {rpc_id!r} is given twice (ids are case-insensitive)")
        out[rpc_id.lower()] = resolved
    return MappingProxyType(out)


async def run_handler(handler: RpcHandler, context: RpcContext, payload: str) -> str:
    """Run one call: an ``async`` function on the loop, a plain one on a worker thread; its
    text ("" for None). A result that is not text is the function's bug (TypeError)."""
    if inspect.iscoroutinefunction(handler):
        result = await handler(context, payload)
    else:  # a plain function may block: never on the loop
        result = await asyncio.to_thread(handler, context, payload)
        if inspect.isawaitable(result):
            result = await result
    if result is None:
        return ""
    if not isinstance(result, str):
        raise TypeError(f"the function returned {type(result).__name__}, not a string or None")
    return result
