"""The reference server's copy of tests/nakama/modules/gameservices_accounts.lua: the same RPCs,
answering the same text (Lua's ``nk.json_encode`` sorts keys and writes compact JSON)."""

from __future__ import annotations

import json
from typing import Any

from gameservices.server.rpc import RpcContext, RpcError, RpcHandler

__all__ = ["RPC_HANDLERS"]


def _lua_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def echo(_context: RpcContext, payload: str) -> str:
    return payload


async def whoami(context: RpcContext, payload: str) -> str:
    return _lua_json(
        {
            "user_id": context.user_id,
            "username": context.username,
            "vars": dict(context.vars),
            "payload": payload,
        }
    )


def fail(_context: RpcContext, payload: str) -> str:
    p = json.loads(payload)
    raise RpcError(p["message"], p["code"])


def crash(_context: RpcContext, _payload: str) -> str:
    raise RuntimeError("gameservices: this function is broken on purpose")


def nothing(_context: RpcContext, _payload: str) -> None:
    return None


RPC_HANDLERS: dict[str, RpcHandler] = {
    "gs_echo": echo,
    "gs_whoami": whoami,
    "gs_fail": fail,
    "gs_crash": crash,
    "gs_nothing": nothing,
}
