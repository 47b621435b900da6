"""``tick_until``: drive a ``TickRunner`` from a test or a headless tool until something holds.

Invariants: it never sleeps on an inline runner (each tick is a bounded poll); on a thread
runner it blocks in ``runner.wait()`` between ticks, so it does not spin; it gives up with an
``AssertionError`` that says why, after ``max_ticks`` ticks or ``wait`` seconds of silence.
"""

from __future__ import annotations

from collections.abc import Callable

from .._runner.runner import TickRunner

__all__ = ["tick_until"]

DEFAULT_MAX_TICKS = 100_000  # an idle inline tick is ~10 us: about a second of polling
DEFAULT_WAIT = 5.0  # thread mode: seconds to wait for the loop thread to queue something


def tick_until(
    runner: TickRunner,
    predicate: Callable[[], bool],
    max_ticks: int = DEFAULT_MAX_TICKS,
    *,
    wait: float = DEFAULT_WAIT,
) -> int:
    """Call ``runner.tick()`` until ``predicate()`` is true; return the number of ticks.

    ``predicate`` is checked after each tick, so it sees what that tick delivered
    (``handle.done``, a list your ``on_done`` appends to, ...).
    """
    if max_ticks < 1:
        raise ValueError(f"max_ticks must be >= 1, got {max_ticks!r}")
    for n in range(1, max_ticks + 1):
        runner.tick()
        if predicate():
            return n
        if runner.mode == "thread" and not runner.wait(wait):
            runner.tick()
            if predicate():
                return n + 1
            raise AssertionError(f"nothing arrived within {wait} s and the condition is false")
    raise AssertionError(f"condition not met after {max_ticks} ticks")
