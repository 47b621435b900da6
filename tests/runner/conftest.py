"""Fixtures for the runner suite: the same semantic tests run against both modes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest

from gameservices import TickRunner

MAX_TICKS = 20_000  # an idle tick is ~10 us: a bounded, sleep-free wait
WAIT = 5.0  # thread mode: seconds to wait for the loop thread to queue something


@pytest.fixture(params=["inline", "thread"])
def runner(request: pytest.FixtureRequest) -> Iterator[TickRunner]:
    with TickRunner(mode=request.param) as r:
        yield r


def tick_until(runner: TickRunner, cond: Callable[[], bool]) -> int:
    """Tick until ``cond()`` holds; thread mode waits on the delivery queue between ticks."""
    for n in range(MAX_TICKS):
        runner.tick()
        if cond():
            return n + 1
        if runner.mode == "thread" and not runner.wait(WAIT):
            runner.tick()
            if cond():
                return n + 2
            raise AssertionError(f"nothing arrived within {WAIT} s and the condition is false")
    raise AssertionError(f"condition not met after {MAX_TICKS} ticks")


def started(runner: TickRunner, event: threading.Event) -> None:
    """Make sure a submitted coroutine has begun (it sets ``event`` first thing)."""
    if runner.mode == "inline":
        runner.tick()
    assert event.wait(WAIT)


class Gate:
    """An asyncio.Event that the test (game thread) opens, safely in both modes."""

    def __init__(self, runner: TickRunner) -> None:
        self.runner = runner
        self.event = asyncio.Event()
        self.waiting = threading.Semaphore(0)  # released once per coroutine that waits

    async def wait(self) -> None:
        self.waiting.release()
        await self.event.wait()

    def waiters(self, n: int) -> None:
        """Return once ``n`` coroutines wait on the gate (inline mode: after one tick)."""
        if self.runner.mode == "inline":
            self.runner.tick()
        for _ in range(n):
            assert self.waiting.acquire(timeout=WAIT)

    def open(self) -> None:
        self.runner.loop.call_soon_threadsafe(self.event.set)
