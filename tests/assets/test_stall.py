"""StallGuard on a fake loop clock: only reads are timed, it fires once, close() disarms it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from gameservices._assets.stall import StallGuard


class Timer:
    def __init__(self, when: float, fn: Callable[[], None]) -> None:
        self.when, self.fn, self.cancelled = when, fn, False

    def cancel(self) -> None:
        self.cancelled = True


class FakeLoop:
    """Just ``time()`` and ``call_at()``: timers fire when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[Timer] = []

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, fn: Callable[[], None]) -> Timer:
        timer = Timer(when, fn)
        self.timers.append(timer)
        return timer

    def advance(self, to: float) -> None:
        """Move the clock and run the timers that are due and not cancelled."""
        self.now = to
        live = [t for t in self.timers if not t.cancelled]
        self.timers = [t for t in live if t.when > to]
        for timer in live:
            if timer.when <= to:
                timer.fn()

    def pending(self) -> list[float]:
        return [t.when for t in self.timers if not t.cancelled]


def make(stalls: list[int]) -> tuple[FakeLoop, StallGuard]:
    loop = FakeLoop()
    guard = StallGuard(1.0, lambda: stalls.append(1), loop=cast(asyncio.AbstractEventLoop, loop))
    return loop, guard


def test_a_silent_read_fires_once() -> None:
    stalls: list[int] = []
    loop, guard = make(stalls)
    loop.advance(0.99)
    assert stalls == []
    assert not guard.fired
    loop.advance(1.0)
    assert stalls == [1]
    assert guard.fired
    assert loop.pending() == []  # no re-arm after firing: at most once
    loop.advance(10.0)
    assert stalls == [1]


def test_time_spent_outside_reads_is_not_a_stall() -> None:
    stalls: list[int] = []
    loop, guard = make(stalls)
    loop.now = 0.5
    guard.got()  # data arrived; now the disk or the bandwidth cap is slow
    loop.advance(5.0)
    assert stalls == []
    assert loop.pending() == [6.0]  # idle: one check per period, nothing more
    loop.now = 5.5
    guard.reading()
    loop.advance(6.0)  # the timer finds a read only 0.5 s old and re-arms for its deadline
    assert stalls == []
    assert loop.pending() == [6.5]
    loop.advance(6.5)
    assert stalls == [1]


def test_kicks_re_arm_from_the_last_read() -> None:
    stalls: list[int] = []
    loop, guard = make(stalls)
    for t in (0.4, 0.8, 1.2):  # steady data: each read starts well within the period
        loop.now = t
        guard.got()
        guard.reading()
        loop.advance(t + 0.1)
    assert stalls == []
    assert len(loop.pending()) == 1  # still one timer, not one per chunk


def test_close_disarms() -> None:
    stalls: list[int] = []
    loop, guard = make(stalls)
    guard.close()
    loop.advance(5.0)
    assert stalls == []
    assert loop.pending() == []
    guard.close()  # idempotent
