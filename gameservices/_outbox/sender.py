"""The background sender both durable queues share: the score outbox and ``client.saves``.

Rule 1: one task, started lazily by ``start(body)``, in an empty context (it outlives the runner
        task that happened to start it); ``close()`` cancels and awaits it. CancelledError is
        never caught.
Rule 2: queue work, then ``wake()``. The body calls ``next_round()`` *before* looking for work and
        ``idle()`` when it found none, so work queued after the look still wakes it.
Rule 3: ``kick()`` cuts the current ``backoff`` short; a kick counts once, whenever it came since
        the last backoff.
Rule 4: ``notify()`` after each step that changed something; flushers wait on ``changed()``.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .._lifecycle import Lifecycle

__all__ = ["Sender"]


class Sender:
    """The task, its events and its lifecycle (NEW until a task ran, OPEN, then CLOSED)."""

    def __init__(self) -> None:
        self.state = Lifecycle.NEW
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()  # new work was queued
        self._kick = asyncio.Event()  # cut the current backoff short
        self._progress = asyncio.Event()  # replaced after each set: "something changed"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, body: Callable[[], Coroutine[Any, Any, None]]) -> bool:
        """Run ``body()`` as the task unless one runs or the sender is closed; True if started."""
        if self.state is Lifecycle.CLOSED or self.running:
            return False
        loop = asyncio.get_running_loop()
        self._task = contextvars.Context().run(loop.create_task, body())
        self.state = Lifecycle.OPEN
        return True

    def wake(self) -> None:
        self._wake.set()

    def kick(self) -> None:
        self._kick.set()

    def next_round(self) -> None:
        self._wake.clear()

    async def idle(self) -> None:
        """Nothing to send: say so to flushers, then sleep until ``wake()``."""
        self.notify()
        await self._wake.wait()

    def notify(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    async def changed(self) -> None:
        await self._progress.wait()

    async def backoff(self, wait: float, sleep: Callable[[float], Awaitable[object]]) -> None:
        """``sleep(wait)``, or less if ``kick()`` comes first."""
        sleeper = asyncio.ensure_future(sleep(wait))
        kicked = asyncio.ensure_future(self._kick.wait())
        try:
            await asyncio.wait({sleeper, kicked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleeper, kicked):
                waiter.cancel()
            await asyncio.wait({sleeper, kicked})
        self._kick.clear()

    async def close(self) -> bool:
        """Stop the task for good; False if it was closed already."""
        if self.state is Lifecycle.CLOSED:
            return False
        self.state = Lifecycle.CLOSED
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})  # our own cancellation, if any, still propagates
        self.notify()
        return True
