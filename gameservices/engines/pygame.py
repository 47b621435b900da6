"""pygame glue: pygame needs nothing but ``runner.tick()`` in its main loop; this adds a clock.

Invariants: ``tick_pygame`` ticks the runner first, then waits for the frame with pygame's own
clock (the only place this loop sleeps), so results delivered this frame are drawn this frame.
"""

from __future__ import annotations

from typing import Any

from .._runner.runner import TickRunner

__all__ = ["tick_pygame"]


def tick_pygame(runner: TickRunner, clock: Any, fps: int = 60) -> int:
    """Tick the runner, then ``clock.tick(fps)``; returns the milliseconds since the last frame."""
    runner.tick()
    ms: int = clock.tick(fps)
    return ms
