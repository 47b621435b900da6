"""Players with an open realtime socket each, and the wait for their next event of a kind: what
the group-channel and party suites share; and one whose socket goes through a ``Proxy``, for
the reconnect tests to cut."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from yarl import URL

from gameservices._client.realtime import Realtime
from gameservices._client.realtime_events import Event

from ..client.realtime_support import Proxy
from .social import Player, players
from .support import Target, device_id, username

__all__ = ["WAIT", "Member", "members", "proxied"]

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


@contextlib.asynccontextmanager
async def proxied(
    target: Target, kind: Callable[[Player, Realtime, AsyncIterator[Event]], M]
) -> AsyncIterator[tuple[Proxy, M]]:
    """A fresh player whose socket (open, as ``kind``) goes through the ``Proxy`` given with it:
    ``pause()`` and ``cut()`` it to drop the connection, ``resume()`` to let it reconnect."""
    async with (
        Proxy(URL(target.url).port or 0) as proxy,
        dataclasses.replace(target, url=proxy.url).client() as client,
    ):
        name = username()
        session = await client.auth.device(device_id(), username=name)
        async with client.realtime() as sock:
            yield proxy, kind(Player(client, session.user_id, name), sock, sock.events())
