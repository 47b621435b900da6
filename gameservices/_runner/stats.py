"""Counters and recent tick times of a TickRunner.

Invariants: counters only grow; ``RunnerStats`` is an immutable snapshot taken when read, so the
game can keep it without it changing under its feet. Tick times are kept for the most recent
``RECENT_TICKS`` ticks only, so reading percentiles stays cheap and reflects the present.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = ["RECENT_TICKS", "Counters", "RunnerStats"]

RECENT_TICKS = 600  # ten seconds at 60 Hz


@dataclass(frozen=True)
class RunnerStats:
    """A snapshot of a runner's counters; tick times are in seconds over the recent ticks."""

    ticks: int = 0
    iterations: int = 0  # event-loop iterations run by inline ticks
    overruns: int = 0  # inline iterations that alone took longer than the budget
    submitted: int = 0
    delivered: int = 0  # on_done / on_error deliveries (dropped and cancelled ones excluded)
    failed: int = 0  # tasks that ended with an exception
    cancelled: int = 0
    dropped: int = 0  # completions dropped because their owner was gone
    callback_errors: int = 0
    slow_ticks: int = 0  # ticks over twice the budget (details: ``TickRunner.slow_ticks``)
    tick_p50: float = 0.0
    tick_p99: float = 0.0
    tick_max: float = 0.0


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index]


@dataclass
class Counters:
    """The mutable counters behind ``RunnerStats``; written by the runner only."""

    ticks: int = 0
    iterations: int = 0
    overruns: int = 0
    submitted: int = 0
    delivered: int = 0
    failed: int = 0
    cancelled: int = 0
    dropped: int = 0
    callback_errors: int = 0
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_TICKS))

    def snapshot(self, slow_ticks: int = 0) -> RunnerStats:
        ordered = sorted(self.recent)
        return RunnerStats(
            ticks=self.ticks,
            iterations=self.iterations,
            overruns=self.overruns,
            submitted=self.submitted,
            delivered=self.delivered,
            failed=self.failed,
            cancelled=self.cancelled,
            dropped=self.dropped,
            callback_errors=self.callback_errors,
            slow_ticks=slow_ticks,
            tick_p50=_percentile(ordered, 0.50),
            tick_p99=_percentile(ordered, 0.99),
            tick_max=ordered[-1] if ordered else 0.0,
        )
