"""The reference server's copy of tests/nakama/modules/gameservices_social.lua: an RPC that
sends its caller a notification, through ``RpcContext.notify`` (``notification_store``)."""

from __future__ import annotations

import json

from gameservices.server.notification_store import NewNotification
from gameservices.server.rpc import RpcContext, RpcHandler

__all__ = ["SOCIAL_RPC"]


async def notify(context: RpcContext, payload: str) -> None:
    p = json.loads(payload)
    assert context.notify is not None
    note = NewNotification(
        context.user_id, p["subject"], p["content"], p["code"], persistent=p["persistent"]
    )
    await context.notify([note])


SOCIAL_RPC: dict[str, RpcHandler] = {"gs_notify": notify}
