"""The demo's server-side game setup: its cup and its one server function, as a game's
operator would configure them (Nakama: ``nk.tournament_create`` and ``register_rpc`` in a
runtime module; here the reference server's ``tournaments`` and ``rpc`` settings).

Invariants: nothing here runs on the game thread; ``claim_reward`` runs on the server's loop
and only creates a notification and answers JSON.
"""

from __future__ import annotations

import json

from ..server import Tournament
from ..server.notification_store import NewNotification
from ..server.rpc import RpcContext

__all__ = ["CUP", "REWARD_CODE", "REWARD_COINS", "REWARD_RPC", "claim_reward", "demo_cup"]

CUP = "demo_cup"
WEEK = 7 * 24 * 3600
REWARD_RPC = "claim_reward"
REWARD_CODE = 1  # a game's own notification code (Nakama keeps the negative ones)
REWARD_COINS = 50


def demo_cup() -> Tournament:
    """A week-long cup that players join first, next to the weekly board."""
    return Tournament(CUP, WEEK, title="Demo cup", join_required=True)


async def claim_reward(context: RpcContext, payload: str) -> str:
    """The login reward: tells the player (a persistent notification) and answers the coins.

    Async, so it runs on the server's loop and may ``notify`` (a Lua ``nk.notification_send``).
    """
    if context.notify is not None and context.user_id:
        note = NewNotification(context.user_id, "Login reward", {"coins": REWARD_COINS},
                               REWARD_CODE)  # fmt: skip
        await context.notify([note])
    return json.dumps({"coins": REWARD_COINS, "user": context.username})
