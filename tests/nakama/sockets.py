"""Players with an open realtime socket each, and the wait for their next event of a kind: what
the group-channel and party suites share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from gameservices._client.realtime import Realtime
from gameservices._client.realtime_events import Event

from .social import Player, players
from .support import Target

__all__ = ["WAIT", "Member", "members"]

WAIT = 15.0
M = TypeVar("M", bound="Member")


@dataclass
class Member:
    player: Player
    rt: Realtime
    events: AsyncIterator[Event]

    @property
    def id(self) -> str:
        return self.player.id

    async def next(self, kind: str, match: Any = None, wait: float = WAIT) -> Any:
        """The data of the next ``kind`` event (that ``match`` accepts), skipping others."""

        async def find() -> Any:
            async for event in self.events:
                if event.kind == kind and (match is None or match(event.data)):
                    return event.data
            raise AssertionError(f"the socket closed before a {kind} event")

        return await asyncio.wait_for(find(), wait)


@contextlib.asynccontextmanager
async def members(
    target: Target, count: int, kind: Callable[[Player, Realtime, AsyncIterator[Event]], M]
) -> AsyncIterator[list[M]]:
    """``count`` fresh players, each with its socket open, as ``kind`` (a ``Member`` class)."""
    async with players(target, count) as found, contextlib.AsyncExitStack() as stack:
        out = []
        for player in found:
            sock = await stack.enter_async_context(player.client.realtime())
            out.append(kind(player, sock, sock.events()))
        yield out
