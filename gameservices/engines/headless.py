"""A fixed-step game loop without an engine: for the demo, tests, bots and servers.

Invariants: frame ``n`` is due at ``start + n / fps``; the loop never sleeps past a due frame and
never runs two frames early; a frame that starts after the next one was due counts as missed.
``clock`` and ``sleep`` are injectable so tests run without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .._runner.runner import TickRunner

__all__ = ["HeadlessResult", "run_headless"]


@dataclass(frozen=True)
class HeadlessResult:
    frames: int
    missed: int  # frames that started later than one whole frame after they were due
    elapsed: float


def run_headless(
    runner: TickRunner,
    fps: float,
    frames: int | None = None,
    until: Callable[[], bool] | None = None,
    on_frame: Callable[[int], object] | None = None,
    *,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], object] = time.sleep,
) -> HeadlessResult:
    """Tick ``runner`` at ``fps`` until ``frames`` ran or ``until()`` is true.

    Each frame calls ``on_frame(n)`` (the game's work), then ``runner.tick()``.
    """
    if not fps > 0:
        raise ValueError(f"fps must be > 0, got {fps!r}")
    if frames is None and until is None:
        raise ValueError("give frames= or until=, or the loop never ends")
    step = 1.0 / fps
    start = clock()
    n = missed = 0
    while (frames is None or n < frames) and not (until is not None and until()):
        due = start + n * step
        now = clock()
        if now < due:
            sleep(due - now)
        elif now - due > step:
            missed += 1
        if on_frame is not None:
            on_frame(n)
        runner.tick()
        n += 1
    return HeadlessResult(frames=n, missed=missed, elapsed=clock() - start)
