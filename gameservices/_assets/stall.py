"""A stall guard: ``on_stall()`` runs once when a body read has waited too long for data.

It replaces a per-chunk ``wait_for`` (a task and an extra loop iteration per chunk, which an
inline runner pays inside its frame budget) with one timer per stall period. It never cancels
anything: the caller's ``on_stall`` wakes the pending read with an error (the transport sets
an exception on the stream's waiter), so a real cancel of the download always stays a cancel
(3.10 has no ``Task.uncancel`` to tell two cancels apart).

Invariants:
- Only reads are timed: ``reading()`` starts the clock before a read, ``got()`` stops it once
  data arrived, so waits for the bandwidth cap or the disk are never a silent host.
- ``reading()``/``got()`` are a clock read each; the timer re-arms itself, so the guard costs
  one callback per ``seconds`` whatever the chunk rate.
- ``on_stall`` runs at most once, and never after ``close()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["StallGuard"]


class StallGuard:
    def __init__(
        self,
        seconds: float,
        on_stall: Callable[[], None],
        *,
        loop: asyncio.AbstractEventLoop | None = None,  # a fake clock in tests
    ) -> None:
        self._seconds = seconds
        self._on_stall = on_stall
        self._loop = loop or asyncio.get_running_loop()
        self._since: float | None = self._loop.time()  # when the pending read began
        self._timer: asyncio.TimerHandle | None = self._loop.call_at(
            self._since + seconds, self._check
        )
        self.fired = False

    def reading(self) -> None:
        self._since = self._loop.time()

    def got(self) -> None:
        self._since = None

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        now = self._loop.time()
        due = now + self._seconds if self._since is None else self._since + self._seconds
        if now < due:
            self._timer = self._loop.call_at(due, self._check)
            return
        self._timer = None
        self.fired = True
        self._on_stall()
