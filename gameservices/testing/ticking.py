"""Tick a runner until something happens: a bounded, sleep-free wait for tests and tools.

Invariants: never sleeps; in inline mode every tick runs at least one loop iteration, so the
bound is a number of ticks; in thread mode it waits on the runner's delivery queue between ticks
(``TickRunner.wait``), at most ``wait`` seconds per tick, so nothing spins while the loop thread
works.
"""

from __future__ import annotations

from collections.abc import Callable

from .._runner import TickRunner

__all__ = ["MAX_TICKS", "WAIT", "frozen_clock", "tick_until"]

MAX_TICKS = 20_000  # an idle tick is ~10 us: ample for any test, and still bounded
WAIT = 5.0  # thread mode: seconds to wait for the loop thread to queue something


def frozen_clock() -> float:
    """A budget clock that never advances, for ``TickRunner(mode="inline", clock=frozen_clock)``:
    each tick then runs until the loop is idle, however slowly a loaded machine runs it (for
    tests that assert what one tick delivers)."""
    return 0.0


def tick_until(
    runner: TickRunner, cond: Callable[[], bool], *, max_ticks: int = MAX_TICKS, wait: float = WAIT
) -> int:
    """Tick until ``cond()`` holds (checked after each tick); returns how many ticks it took.

    Raises ``AssertionError`` after ``max_ticks`` ticks, or in thread mode when nothing arrived
    within ``wait`` seconds and the condition is still false.
    """
    for n in range(max_ticks):
        runner.tick()
        if cond():
            return n + 1
        if runner.mode == "thread" and not runner.wait(wait):
            runner.tick()
            if cond():
                return n + 2
            raise AssertionError(f"nothing arrived within {wait} s and the condition is false")
    raise AssertionError(f"condition not met after {max_ticks} ticks")
