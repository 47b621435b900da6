"""A stall guard: the current task is cancelled when ``kick()`` has not been called for a while.

It replaces a per-chunk ``wait_for`` (a task and an extra loop iteration per chunk, which an
inline runner pays inside its frame budget) with one timer per stall period.

Invariants:
- ``kick()`` is a clock read; the timer re-arms itself from the last kick, so the guard costs
  one callback per ``seconds`` whatever the chunk rate.
- ``owns()`` is true only when the guard's own cancel is the one being delivered: on Python
  3.11+ the request is withdrawn with ``Task.uncancel()``, and a cancel that someone else sent
  as well still propagates. (3.10 has no cancel count: a cancel arriving in the very iteration
  the guard fires is reported as the stall.)
"""

from __future__ import annotations

import asyncio
import sys

__all__ = ["StallGuard"]


class StallGuard:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None, "StallGuard runs inside a task"
        self._task = task
        self._last = self._loop.time()
        self._timer = self._loop.call_at(self._last + seconds, self._check)
        self.fired = False

    def kick(self) -> None:
        self._last = self._loop.time()

    def close(self) -> None:
        self._timer.cancel()

    def owns(self) -> bool:
        """Called with a CancelledError in flight: is it (only) the guard's?"""
        if not self.fired:
            return False
        if sys.version_info >= (3, 11):
            return self._task.uncancel() == 0
        return True

    def _check(self) -> None:
        due = self._last + self._seconds
        if self._loop.time() < due:
            self._timer = self._loop.call_at(due, self._check)
            return
        self.fired = True
        self._task.cancel()
