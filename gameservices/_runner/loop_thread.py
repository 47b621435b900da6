"""Thread mode: the event loop runs on its own daemon thread; the game thread only drains results.

Handing work to the loop costs the game thread no syscall while the loop thread is awake.
``call_soon()`` appends to an inbox that the loop's selector wrapper empties at the start of every
iteration; only when the loop thread is blocked in ``select()`` does the game thread write the
self-pipe byte that wakes it, once per sleep. That matters because a write made the Python way
releases the GIL: the loop thread, woken by it or busy with a download, takes the GIL and the game
thread waits for its whole burst of Python, the start of the job included
(``benchmarks/frame_hitch.py``: a submit to a sleeping loop cost up to 6-12 ms on the loaded VM).
So the byte is written without releasing the GIL (``TunedLoop.wake``, where the C library allows):
the loop thread wakes in the kernel and runs when the game thread next lets the GIL go (its frame's
sleep, or the interpreter's switch interval), not inside ``submit()``.

Invariants:
- the loop is touched from other threads only through the inbox, ``wake()`` and
  ``call_soon_threadsafe`` (``close``) and ``run_coroutine_threadsafe`` (``run``);
- no lost wake-up: the loop thread publishes ``sleeping`` before its last look at the inbox, the
  game thread appends before it reads ``sleeping`` (both under the GIL, so each sees the other's
  write: the item is either seen by the loop or the loop is woken);
- nothing here blocks the game thread except ``run()`` at close, which is bounded by its timeout;
  the thread is joined before the loop is closed, and the loop is closed on the thread that ran it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import selectors
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .handles import logger
from .slowticks import TickDetail
from .tuned_loop import STEADY_READS, TunedLoop
from .wrapping import SelectorWrapper

__all__ = ["ThreadLoop", "WakingSelector"]

START_TIMEOUT = 10.0


class WakingSelector(SelectorWrapper):
    """Delegates to a real selector; moves the inbox onto the loop at each iteration's start."""

    def __init__(self, inner: selectors.BaseSelector) -> None:
        super().__init__(inner)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.inbox: deque[Callable[[], object]] = deque()
        self.sleeping = False  # the loop thread is in, or about to enter, a blocking select
        self.woken = False  # a wake-up was sent during this sleep

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        assert self.loop is not None
        if timeout != 0:
            self.woken = False
            self.sleeping = True  # before the last look at the inbox: no lost wake-up
        try:
            inbox = self.inbox
            if inbox:
                while inbox:
                    self.loop.call_soon(inbox.popleft())
                timeout = 0
            return self.inner.select(timeout)
        finally:
            self.sleeping = False


class ThreadLoop:
    """A daemon thread running an asyncio loop until ``close()``."""

    def __init__(self) -> None:
        self.selector = WakingSelector(selectors.DefaultSelector())
        self.loop = TunedLoop(self.selector, STEADY_READS)
        self.selector.loop = self.loop
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
        """Run ``fn`` on the loop thread soon; wakes the loop only if it sleeps (any thread)."""
        selector = self.selector
        selector.inbox.append(fn)
        if selector.sleeping and not selector.woken:
            selector.woken = True
            self.loop.wake()

    start = call_soon  # job starts: the loop thread is not the game's, no admission needed

    def step(self, budget: float, now: float, detail: TickDetail) -> None:
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
