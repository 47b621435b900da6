"""Frame timing for the demo: what each frame cost, split into game work and networking.

How frames are measured (the same for every approach compared):
- ``work`` is the simulated game work of a frame (pure Python, about 4 ms, like the benchmark);
- ``net`` is the networking step that follows it: ``runner.tick()`` for gameservices, the
  tutorial's ``run_until_complete(sleep(frame / 3))`` for the tutorial;
- ``net_cpu`` is the game thread's CPU time inside that step (``time.thread_time``): on a busy
  machine, wall time also counts time the OS gave to other processes, CPU time does not;
- a frame is ``work + net``; it is over budget when it exceeds the frame period, and missed when
  it starts more than a whole period after it was due (``run_headless`` counts those).
Terminal output (tables, the progress bar) is drawn in the idle time after a frame, by the
loop's ``sleep``, and never inside the measured part.

Invariant: recording a frame is two appends; figures are computed once, after the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["FrameFigures", "FrameMeter", "SlackSleep", "TickTimer", "game_work", "percentile"]

WORK_SECONDS = 0.004


def game_work(seconds: float = WORK_SECONDS, clock: Callable[[], float] = time.perf_counter) -> int:
    """Busy pure-Python work for ``seconds``, like a game's logic (it holds the GIL)."""
    end = clock() + seconds
    n = 0
    while clock() < end:
        n += sum(i * i for i in range(50))
    return n


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class FrameFigures:
    """Summary of one loop run; times in seconds."""

    frames: int
    missed: int
    over_budget: int
    frame_p50: float
    frame_p99: float
    frame_max: float
    work_p99: float  # the game work alone: inflated by preemption and GIL waits, not by us
    net_p50: float
    net_p99: float
    net_max: float
    net_mean: float
    net_cpu_p50: float
    net_cpu_p99: float


@dataclass
class FrameMeter:
    """Collects per-frame work and networking times of one loop run."""

    period: float
    work: list[float] = field(default_factory=list)
    net: list[float] = field(default_factory=list)
    net_cpu: list[float] = field(default_factory=list)

    def record(self, work: float, net: float, net_cpu: float) -> None:
        self.work.append(work)
        self.net.append(net)
        self.net_cpu.append(net_cpu)

    def figures(self, missed: int) -> FrameFigures:
        frames = [w + n for w, n in zip(self.work, self.net, strict=True)]
        return FrameFigures(
            frames=len(frames),
            missed=missed,
            over_budget=sum(1 for f in frames if f > self.period),
            frame_p50=percentile(frames, 0.50),
            frame_p99=percentile(frames, 0.99),
            frame_max=max(frames, default=0.0),
            work_p99=percentile(self.work, 0.99),
            net_p50=percentile(self.net, 0.50),
            net_p99=percentile(self.net, 0.99),
            net_max=max(self.net, default=0.0),
            net_mean=sum(self.net) / len(self.net) if self.net else 0.0,
            net_cpu_p50=percentile(self.net_cpu, 0.50),
            net_cpu_p99=percentile(self.net_cpu, 0.99),
        )


class TickTimer:
    """Times one networking step: wall and game-thread CPU seconds (four clock reads)."""

    wall = 0.0
    cpu = 0.0

    def __init__(self) -> None:
        self._wall = self._cpu = 0.0

    def __enter__(self) -> TickTimer:
        # The CPU clock first: its syscall is then outside the wall-clock window.
        self._cpu, self._wall = time.thread_time(), time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.thread_time() - self._cpu


class SlackSleep:
    """The headless loop's ``sleep``: runs queued UI jobs in the idle time, then sleeps the rest.

    A job runs only if there is idle time left; a job that overruns makes the next frame late,
    which the loop then counts as missed, so drawing can't hide in the figures.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._jobs: list[Callable[[], object]] = []

    def later(self, job: Callable[[], object]) -> None:
        """Queue ``job`` (cheap, callable from a runner callback) for the next idle time."""
        self._jobs.append(job)

    def drain(self) -> None:
        """Run every queued job now (after the loop ended)."""
        while self._jobs:
            self._jobs.pop(0)()

    def __call__(self, seconds: float) -> None:
        deadline = self._clock() + seconds
        while self._jobs and self._clock() < deadline:
            self._jobs.pop(0)()
        left = deadline - self._clock()
        if left > 0:
            time.sleep(left)
