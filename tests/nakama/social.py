"""Players for the social tests: each a logged-in ``Client`` of the target with a fresh
device id and a fresh username, closed when the test ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from gameservices import Client

from .support import Target, device_id, username

__all__ = ["Player", "players"]


@dataclass(frozen=True)
class Player:
    client: Client
    id: str
    username: str


@contextlib.asynccontextmanager
async def players(
    target: Target, count: int, data_dir: Path | None = None
) -> AsyncIterator[list[Player]]:
    """``count`` new players on ``target`` (``data_dir/<n>`` each, when given)."""
    async with contextlib.AsyncExitStack() as stack:
        found = []
        for n in range(count):
            options = {} if data_dir is None else {"data_dir": data_dir / str(n)}
            client = await stack.enter_async_context(target.client(**options))
            name = username()
            session = await client.auth.device(device_id(), username=name)
            found.append(Player(client, session.user_id, name))
        yield found
