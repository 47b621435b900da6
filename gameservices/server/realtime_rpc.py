"""``rpc`` over the reference server's socket: the server functions of ``POST /v2/rpc/{id}``,
called as Nakama's socket calls them.

Rule 1: the same registry, handlers and ``run_handler`` as REST; the context is the socket's
        session (user, username, vars, expiry) with no query, as Nakama passes none; the
        message's ``http_key`` is ignored, as Nakama ignores it on the socket.
Rule 2: the payload is the message's text as is (no JSON string around it, unlike REST's body);
        the reply echoes the id as sent (case and all) with the function's text, "" omitted.
Rule 3: refusals as Nakama's: no id, code 3 "RPC ID must be set"; an unknown id, code 6 "RPC
        function not found"; any failure of the function (an ``RpcError`` whatever its code,
        or an exception), code 7 with its message.
"""

from __future__ import annotations

import functools
import logging

from .._protocol import realtime as rt
from .._protocol.realtime import ErrorCode
from .notification_store import notify
from .realtime_context import Realtime, Refusal, handler
from .realtime_hub import Peer
from .rpc import RpcContext, RpcError, run_handler

__all__: list[str] = []

log = logging.getLogger("gameservices.server")


@handler(rt.Rpc)
async def rpc(realtime: Realtime, peer: Peer, call: rt.Rpc) -> rt.Rpc:
    if not call.id:
        raise Refusal(ErrorCode.BAD_INPUT, "RPC ID must be set")
    state = realtime.state
    function = state.config.rpc.get(call.id.lower())
    if function is None:
        raise Refusal(ErrorCode.RUNTIME_FUNCTION_NOT_FOUND, "RPC function not found")
    context = RpcContext(
        peer.user_id, peer.username, peer.vars, peer.expiry, {},
        notify=functools.partial(notify, state),
    )  # fmt: skip
    try:
        result = await run_handler(function, context, call.payload)
    except RpcError as exc:
        raise Refusal(ErrorCode.RUNTIME_FUNCTION_EXCEPTION, exc.message) from None
    except Exception as exc:  # a broken function: what Nakama answers for a Lua error
        log.exception("RPC function %r failed (realtime)", call.id.lower())
        message = str(exc) or type(exc).__name__
        raise Refusal(ErrorCode.RUNTIME_FUNCTION_EXCEPTION, message) from None
    return rt.Rpc(call.id, result, "")
