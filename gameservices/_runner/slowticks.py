"""The slow-tick recorder: every tick over twice its budget, with what ran in it.

A tick can be slow for three reasons, and the record tells them apart:

- our code, or a callback, ran too long: ``cpu`` is close to ``wall`` and ``ran`` names it;
- the garbage collector ran (in any thread: it holds the GIL): ``gc`` says how long, and
  ``gc_generations`` which generations;
- the OS took the CPU (preemption, a VM's steal, a GIL hand-off to another thread): ``cpu`` is
  well below ``wall``.

Invariants: ``begin()`` costs one clock read. The CPU clock (``time.thread_time()``, a syscall:
7-10 µs at tick time on the 2-core VM, as much as the rest of an idle tick) is read once a tick
starts work (``TickDetail.cpu_start``, set by the backend or the delivery), and again only when
the tick is slow: an idle tick never reads it. Nothing else runs on a tick that is not slow.
The GC hook is installed by ``open()`` and removed by ``close()``, and only adds to counters
(``gc.callbacks`` run with the GIL held, on whichever thread collects).
Records are kept for the most recent ``KEPT`` slow ticks only.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["KEPT", "SLOW_FACTOR", "SlowTick", "SlowTickRecorder", "TickDetail"]

SLOW_FACTOR = 2.0  # a tick is slow when it took longer than this many budgets
KEPT = 128  # about two seconds of slow ticks at 60 Hz
logger = logging.getLogger("gameservices")  # the one logger (handles.logger is the same object)


@dataclass(frozen=True)
class SlowTick:
    """One tick that took more than ``SLOW_FACTOR`` budgets. Times are in seconds."""

    tick: int  # the runner's tick number (``stats.ticks`` before it)
    wall: float
    cpu: float  # CPU time of the ticking thread in the tick's work (0.0: it only polled)
    gc: float  # garbage collection during the tick, any thread
    gc_generations: tuple[int, ...]  # the generations collected, in order
    iterations: int  # inline: event-loop iterations run
    poll: float  # inline: time in select(0), the I/O poll
    io_events: int  # inline: I/O events the polls returned
    slowest_iteration: float  # inline: the longest iteration
    ran: tuple[str, ...]  # inline: names of the callbacks of the longest iteration
    drain: float  # delivering results to the game's callbacks
    slowest_callback: str  # the game callback (on_done...) that took longest, if any

    @property
    def cause(self) -> str:
        """``"gc"``, ``"os"`` (the thread was not running), or ``"code"`` (ours or a callback)."""
        if self.gc >= self.wall / 2:
            return "gc"
        if self.cpu < self.wall / 2:
            return "os"
        return "code"


class TickDetail:
    """What a backend and the delivery queue saw in one tick, filled in as it runs.

    One per runner, reset at each tick: a tick allocates no object for it. (An allocation is
    what triggers a garbage collection, on the thread that makes it: the game thread's ticks
    should make as few as they can.)
    """

    __slots__ = (
        "cpu_start",
        "drain",
        "io_events",
        "iterations",
        "poll",
        "ran",
        "slowest_callback",
        "slowest_callback_took",
        "slowest_iteration",
    )

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.cpu_start: float | None = None  # the CPU clock when the tick began work, if it did
        self.iterations = 0
        self.poll = 0.0
        self.io_events = 0
        self.slowest_iteration = 0.0
        self.ran: tuple[object, ...] = ()  # the loop's ready handles of the slowest iteration
        self.drain = 0.0
        self.slowest_callback = ""
        self.slowest_callback_took = 0.0


class SlowTickRecorder:
    """Times ticks (wall and CPU) and keeps a record of each slow one."""

    def __init__(
        self,
        threshold: float,
        clock: Callable[[], float],
        cpu_clock: Callable[[], float] = time.thread_time,
        describe: Callable[[tuple[object, ...]], tuple[str, ...]] = lambda ran: (),
    ) -> None:
        self.threshold = threshold
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._describe = describe
        self.records: deque[SlowTick] = deque(maxlen=KEPT)
        self.count = 0
        self._gc_time = 0.0  # seconds collected since open(); only grows
        self._gc_started = 0.0
        self._gc_log: list[int] = []  # generations since the current tick began
        self._start = self._gc_at_start = 0.0

    def open(self) -> None:
        gc.callbacks.append(self._on_gc)

    def close(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # perf_counter, not the runner's clock: a test's fake clock must not see collections.
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self._gc_time += time.perf_counter() - self._gc_started
            self._gc_log.append(info["generation"])

    def begin(self) -> float:
        """Start timing a tick; returns its start on the runner's clock."""
        self._gc_log.clear()
        self._gc_at_start = self._gc_time
        self._start = self._clock()
        return self._start

    def end(self, tick: int, detail: TickDetail) -> float:
        """Finish timing a tick; returns its wall time, and records it when slow."""
        wall = self._clock() - self._start
        if wall > self.threshold:
            self._record(tick, wall, detail)
        return wall

    def _record(self, tick: int, wall: float, d: TickDetail) -> None:
        rec = SlowTick(
            tick=tick,
            wall=wall,
            # A tick that did no work but poll used no CPU worth reading: the OS held it up.
            cpu=0.0 if d.cpu_start is None else self._cpu_clock() - d.cpu_start,
            gc=self._gc_time - self._gc_at_start,
            gc_generations=tuple(self._gc_log),
            iterations=d.iterations,
            poll=d.poll,
            io_events=d.io_events,
            slowest_iteration=d.slowest_iteration,
            ran=self._describe(d.ran),
            drain=d.drain,
            slowest_callback=d.slowest_callback,
        )
        self.records.append(rec)
        self.count += 1
        logger.debug(
            "slow tick %d: %.2f ms wall, %.2f ms CPU, %.2f ms GC %s, %d iterations (longest "
            "%.2f ms: %s), %.2f ms polling (%d events), %.2f ms delivering (longest: %s); "
            "cause: %s",
            rec.tick, wall * 1e3, rec.cpu * 1e3, rec.gc * 1e3, rec.gc_generations or "",
            rec.iterations, rec.slowest_iteration * 1e3, " + ".join(rec.ran) or "-",
            rec.poll * 1e3, rec.io_events, rec.drain * 1e3, rec.slowest_callback or "-",
            rec.cause,
        )  # fmt: skip
