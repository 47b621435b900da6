"""Fixtures for the runner suite: the same semantic tests run against both modes."""

from __future__ import annotations

import asyncio
import selectors
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from gameservices import TickRunner
from gameservices._runner import inline
from gameservices.testing import tick_until

__all__ = ["WAIT", "Gate", "SpySelector", "frozen_clock", "runner", "spy", "started", "tick_until"]

WAIT = 5.0  # thread mode: seconds to wait for the loop thread to queue something


def frozen_clock() -> float:
    """A budget clock that never advances, for ``TickRunner(mode="inline", clock=frozen_clock)``:
    each tick then runs until the loop is idle, however slowly a loaded machine runs it."""
    return 0.0


@pytest.fixture(params=["inline", "thread"])
def runner(request: pytest.FixtureRequest) -> Iterator[TickRunner]:
    with TickRunner(mode=request.param) as r:
        yield r


def started(runner: TickRunner, event: threading.Event) -> None:
    """Make sure a submitted coroutine has begun (it sets ``event`` first thing)."""
    if runner.mode == "inline":  # nothing runs between ticks; one tick may end on its budget
        tick_until(runner, event.is_set)
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
        """Return once ``n`` coroutines wait on the gate (inline mode: ticking until they do)."""
        for _ in range(n):
            if self.runner.mode == "inline":
                tick_until(self.runner, lambda: self.waiting.acquire(blocking=False))
            else:
                assert self.waiting.acquire(timeout=WAIT)

    def open(self) -> None:
        self.runner.loop.call_soon_threadsafe(self.event.set)


class SpySelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]  # alias of a concrete class
    """The real selector, recording the timeout of every select()."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[float | None] = []

    def select(self, timeout: float | None = None) -> Any:
        self.timeouts.append(timeout)
        return super().select(timeout)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SpySelector:
    selector = SpySelector()
    monkeypatch.setattr(inline, "_new_selector", lambda: selector)
    return selector
