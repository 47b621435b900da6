"""What the realtime socket's handlers share: the hub, the matchmaker, the parties, the server's
state, and
the table of handlers by request message (each handler module registers its own).

Rule: a handler takes ``(realtime, peer, message)`` and returns the reply message, or None for
a bare ``{"cid"}`` reply; it refuses with ``Refusal(code, message)`` (an ``error`` reply).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .parties import Parties
from .realtime_hub import Hub, Peer
from .realtime_matchmaker import Matchmaker
from .state import ServerState

__all__ = ["HANDLERS", "Handler", "Realtime", "Refusal", "handler"]


class Refusal(Exception):
    """A request refused with an ``error`` reply."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Realtime:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.hub = Hub(state.online)
        key = state.cursors.derive(b"matchmaker tokens")
        self.matchmaker = Matchmaker(key, state.config.clock)
        self.parties = Parties(on_change=self.matchmaker.remove_party)


Handler = Callable[[Realtime, Peer, Any], Awaitable[object]]
HANDLERS: dict[type[Any], Handler] = {}


def handler(cls: type[Any]) -> Callable[[Callable[..., Awaitable[Any]]], Handler]:
    """Register the decorated coroutine as the handler of request messages ``cls``."""

    def register(fn: Callable[..., Awaitable[Any]]) -> Handler:
        HANDLERS[cls] = fn
        return fn

    return register
