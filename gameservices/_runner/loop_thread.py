"""Thread mode: the event loop runs on its own daemon thread; the game thread only drains results.

Invariants: the loop is touched from other threads only through ``call_soon_threadsafe``
(``call_soon``) and ``run_coroutine_threadsafe`` (``run``); nothing here blocks the game thread
except ``run()`` at close, which is bounded by its timeout; the thread is joined before the loop
is closed, and the loop is closed on the thread that ran it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

from .handles import logger

__all__ = ["ThreadLoop"]

START_TIMEOUT = 10.0


class ThreadLoop:
    """A daemon thread running an asyncio loop until ``close()``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self.thread = threading.Thread(target=self._main, name="gameservices-loop", daemon=True)
        self.thread.start()
        if not self._started.wait(START_TIMEOUT):  # pragma: no cover - a wedged machine
            raise RuntimeError("the gameservices loop thread did not start")

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def on_loop_thread(self) -> bool:
        return threading.current_thread() is self.thread

    def call_soon(self, fn: Callable[[], object]) -> None:
        self.loop.call_soon_threadsafe(fn)

    def step(self, budget: float, now: float) -> None:
        """Nothing to do: the loop runs by itself."""

    def run(self, make_coro: Callable[[], Any], timeout: float) -> None:
        """Run a coroutine on the loop and wait for it, at most ``timeout`` seconds."""
        future = asyncio.run_coroutine_threadsafe(make_coro(), self.loop)
        try:
            future.result(timeout)
        except concurrent.futures.TimeoutError:  # not the builtin one on 3.10
            future.cancel()
            logger.warning("runner shutdown did not finish within %.1f s", timeout)

    def close(self, timeout: float) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)
        if self.thread.is_alive():  # a callback is blocking the loop; it is a daemon thread
            logger.warning("the gameservices loop thread did not stop within %.1f s", timeout)
