"""Leaderboard reset schedules: a board's cron expression and the end of its current period.

Invariants:
- A schedule is a five-field cron expression (minute hour day-of-month month day-of-week, as
  Nakama's ``reset_schedule``) or one of ``@yearly @annually @monthly @weekly @daily @midnight
  @hourly``, evaluated in UTC; croniter parses and steps it.
- A record written at ``now`` belongs to the period ending at the first reset strictly after
  ``now`` (``expiry_time``, epoch seconds); a board without a schedule has one period, 0.
- ``ResetClock`` caches that end per board: stepping a cron expression costs hundreds of
  microseconds, and the answer only changes when the period does.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from croniter import croniter

__all__ = ["ResetClock", "check_schedule", "next_reset"]

_MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)


def check_schedule(expression: str) -> str:
    """``expression`` if it is a schedule as above; ValueError says what is wrong otherwise."""
    text = expression.strip()
    is_macro = text in _MACROS
    if not is_macro and (len(text.split()) != 5 or not croniter.is_valid(text)):
        raise ValueError(
            f"reset schedule {expression!r} must be a five-field cron expression"
            " (minute hour day-of-month month day-of-week, UTC) or @daily, @weekly, ..."
        )
    return text


def next_reset(expression: str, now: int) -> int:
    """The first reset strictly after ``now`` (epoch seconds, UTC)."""
    start = datetime.fromtimestamp(now, tz=timezone.utc)
    return int(croniter(expression, start).get_next(float))


class ResetClock:
    """The current period's end per board (thread-safe: the loop and the store's threads ask)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: dict[str, tuple[int, int]] = {}  # expression -> (asked at, period end)

    def expiry(self, expression: str | None, now: int) -> int:
        """The end of the period ``now`` lies in; 0 for a board that never resets."""
        if expression is None:
            return 0
        with self._lock:
            cached = self._current.get(expression)
        if cached is not None and cached[0] <= now < cached[1]:
            return cached[1]
        end = next_reset(expression, now)
        with self._lock:
            self._current[expression] = (now, end)
        return end
