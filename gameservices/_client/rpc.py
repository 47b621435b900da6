"""``client.rpc``: call a server function with JSON in and JSON out.

Invariants: the payload's double encoding and the answer's decoding are ``_protocol.rpc``'s, in
one place; an RPC is never resent after it may have run (a function may do anything), but a
function's own failure (Nakama's 500 with code 13 and the function's message) is that error,
not an unknown outcome: the server answered, so the outcome is known.
"""

from __future__ import annotations

from typing import Any

from .._config import DEFAULT
from .._exceptions import OutcomeUnknown, ServerError
from .._protocol.rpc import parse_rpc, rpc_request
from .calls import Caller, Timeout

__all__ = ["call_rpc"]


async def call_rpc(
    caller: Caller,
    rpc_id: str,
    payload: Any = None,
    *,
    http_key: str | None = None,
    timeout: Timeout = DEFAULT,
) -> Any:
    req = rpc_request(rpc_id, payload, http_key=http_key)
    try:
        return await caller.send(req, parse_rpc, timeout)
    except OutcomeUnknown as exc:
        answered = exc.__cause__
        if isinstance(answered, ServerError) and (answered.status, answered.code) == (500, 13):
            raise answered from None
        raise
