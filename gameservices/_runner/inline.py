"""Inline mode: step an asyncio loop from the game's tick, within a time budget, never blocking.

How a tick works: ``step()`` runs the loop with the public ``run_forever()`` while the loop's
selector is a ``SteppingSelector``. asyncio calls ``select(timeout)`` once per iteration; the
wrapper is therefore the point where each iteration starts, and it decides:

- it always polls the real selector with timeout 0, so a tick never sleeps;
- asyncio asks for a non-zero timeout only when no callback is ready and no timer is due; if the
  zero-timeout poll then finds no I/O either, the loop is idle and the tick ends (``loop.stop()``):
  an idle tick is one iteration with one ``select(0)``;
- once the budget is spent, or would be by the next iteration's work other than socket reads
  (predicted as the tick's costliest such work so far, in CPU time capped by the wall time: how
  long the OS held an iteration up says nothing of what the next one costs), the tick ends
  without polling; level-triggered readiness keeps the I/O for the next tick;
- otherwise it polls, and from the second iteration on admits only the reads that fit what is
  left (``_affordable``): each socket is expected to bring what its last read brought (a socket
  not read yet: what the kernel holds for it), at the CPU cost of reads of its kind
  (``read_meter``: a tick's first read runs on cold caches and costs two to three times the
  next ones). When not all fit, the cheapest run and the rest wait for the next tick, so a
  small answer that arrives while a download fills the tick runs in it. The first iteration
  admits everything: every tick makes progress, whatever the budget.

Before all that, a tick with no ready callback and no due timer first polls once by itself; if
there is no I/O either it returns without entering the loop (the cheapest possible idle tick).
If there is, the loop's first iteration is handed that poll's events instead of polling again.

Work reaches the loop without its self-pipe (no syscall per submit, no wake-up byte to read in the
next tick): ``call_soon()`` queues a callback that the next iteration runs, and ``start()``
queues a job start that is admitted one per iteration, so that a burst of submits (each first
step may connect a socket, a few ms on a loaded machine) spreads over iterations, and the
budget can end the tick between them.

Invariants: the wrapper blocks only when ``stepping`` is false (``close()`` runs the loop to
completion with the real timeouts); the loop runs only on the thread that
calls ``step()``; queued callbacks and starts run in the order they were queued.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections import deque
from collections.abc import Callable, Sized
from typing import Any

from .handles import logger
from .read_meter import ReadMeter
from .slowticks import TickDetail
from .stats import Counters
from .tuned_loop import BURST_READS, TunedLoop
from .wrapping import SelectorWrapper

__all__ = ["InlineStepper", "SteppingSelector"]

Clock = Callable[[], float]
Events = list[tuple[selectors.SelectorKey, int]]


def _new_selector() -> selectors.BaseSelector:
    """The real selector (a seam: tests substitute a spy that records timeouts)."""
    return selectors.DefaultSelector()


def _ready_snapshot(loop: asyncio.AbstractEventLoop) -> tuple[object, ...]:
    # Private API, in this one place: ``_ready`` is the loop's queue of ready callbacks (same name
    # and meaning in CPython 3.10-3.13). We only copy it to name the culprit of an iteration that
    # overruns the budget; stepping itself uses the public run_forever()/stop().
    ready = getattr(loop, "_ready", ())
    return tuple(ready) if ready else ()


def _has_work(loop: asyncio.AbstractEventLoop) -> bool:
    """Is a callback ready or a timer due? (Then the tick must run the loop, I/O or not.)"""
    # Private API, same place and reason as above: ``_ready`` and the timer heap ``_scheduled``
    # (same names and meaning in CPython 3.10-3.13). Reading them lets an idle tick be one bare
    # select(0) instead of a run_forever() setup and teardown: half the idle cost.
    if getattr(loop, "_ready", True):
        return True
    scheduled = getattr(loop, "_scheduled", None)
    if scheduled is None:
        return True
    return bool(scheduled) and scheduled[0].when() <= loop.time()


def _ready_queue(loop: asyncio.AbstractEventLoop) -> Sized:
    """The loop's queue of ready callbacks (``_ready``, as above: the same deque for the loop's
    life), or, where there is none, a queue that is never empty: every tick then enters the
    loop, which is always correct."""
    ready = getattr(loop, "_ready", None)
    return ready if ready is not None else (None,)


def _tasks(handles: tuple[object, ...]) -> list[asyncio.Task[Any]]:
    tasks = []
    for handle in handles:
        # Private API as above: a Handle's ``_callback``; for a task step it is bound to the task.
        owner = getattr(getattr(handle, "_callback", None), "__self__", None)
        if isinstance(owner, asyncio.Task):
            tasks.append(owner)
    return tasks


def _coro_name(task: asyncio.Task[Any]) -> str:
    return getattr(task.get_coro(), "__qualname__", "?")


def names(handles: tuple[object, ...]) -> tuple[str, ...]:
    """The names of what ran in an iteration: its tasks' coroutines, else its callbacks."""
    tasks = _tasks(handles)
    if tasks:
        return tuple(sorted({_coro_name(t) for t in tasks}))
    # Names, not reprs (which carry arguments and addresses), so a culprit that recurs with
    # other arguments is recognised.
    return tuple(
        sorted({getattr(getattr(h, "_callback", None), "__qualname__", repr(h)) for h in handles})
    )


def _describe(handles: tuple[object, ...]) -> tuple[str, str]:
    """(key, text) naming what ran in an iteration, for the overrun log.

    Names only, never reprs: formatting a task's repr (what it waits for) or a handle's (its
    source location) cost a millisecond inside the tick being reported.
    """
    key = " + ".join(names(handles)) or "I/O callbacks"
    tasks = _tasks(handles)
    if tasks:
        return key, ", ".join(f"{t.get_name()} {_coro_name(t)}()" for t in tasks)
    return key, key


class SteppingSelector(SelectorWrapper):
    """Delegates to a real selector; while stepping, polls with timeout 0 and ends idle ticks."""

    def __init__(self, inner: selectors.BaseSelector, clock: Clock, cpu_clock: Clock) -> None:
        super().__init__(inner)
        self.clock = clock
        self.cpu_clock = cpu_clock
        self.reads = ReadMeter(clock, cpu_clock)
        self.reserve = 0.0  # the costliest iteration of the tick, its reads left out
        self.iter_cpu = 0.0  # the ticking thread's CPU clock when the iteration began
        self.primed: list[tuple[selectors.SelectorKey, int]] | None = None  # the idle check's
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stepping = False
        self.budget = 0.0
        self.tick_start = 0.0
        self.iter_start = 0.0
        self.iterations = 0
        self.snapshot: tuple[object, ...] = ()
        self.detail = TickDetail()
        self.on_overrun: Callable[[float, tuple[object, ...]], None] = lambda took, ran: None
        # Work queued for the loop without its self-pipe (deque appends are atomic): callbacks
        # all run in the next iteration, job starts are admitted one per iteration.
        self.inbox: deque[Callable[[], object]] = deque()
        self.starts: deque[Callable[[], object]] = deque()

    def begin(
        self, budget: float, now: float, detail: TickDetail,
        primed: list[tuple[selectors.SelectorKey, int]] | None = None,
    ) -> None:  # fmt: skip
        self.stepping, self.budget, self.iterations = True, budget, 0
        self.tick_start = self.iter_start = now
        # One CPU read serves the stepper and the slow-tick record (a syscall at tick time).
        self.iter_cpu = detail.cpu_start = self.cpu_clock()
        self.snapshot = ()
        self.detail = detail
        self.primed = primed
        self.reserve = 0.0
        self.reads.begin()

    def end(self) -> None:
        """Account for the tick's last iteration (no select() follows it)."""
        self.stepping = False
        self.primed = None
        if self.iterations:
            self._account(self.clock(), self.cpu_clock())
        self.reads.end()

    def _account(self, now: float, cpu: float) -> None:
        took = now - self.iter_start
        # What the iteration's own work cost, its reads left out, in CPU time: an iteration the
        # OS preempted says nothing of what the next one will cost (taken in wall time, one
        # preemption of half a millisecond ended every later read of the tick early). Capped by
        # the wall time, so that a clock that stands still (tests) never ends a tick.
        work = min(
            took - self.reads.take_read_time(), cpu - self.iter_cpu - self.reads.take_read_cpu()
        )
        self.reserve = max(self.reserve, work)
        if took > self.detail.slowest_iteration:
            self.detail.slowest_iteration, self.detail.ran = took, self.snapshot
        if took > self.budget:
            self.on_overrun(took, self.snapshot)

    def _spent(self, now: float) -> bool:
        """Would another iteration's work other than reads pass the budget?"""
        return now - self.tick_start + self.reserve > self.budget

    def _affordable(self, events: Events, now: float) -> Events:
        """The events whose reads fit the budget left, cheapest first when not all do.

        A read that does not fit is left for the next tick (the socket stays readable:
        level-triggered), and the cheap ones run now: a small answer that arrives while a
        download fills the tick need not wait a frame behind the download's next 1 MiB."""
        reads = self.reads
        left = self.budget - (now - self.tick_start) - self.reserve
        sized = [(self._read_bytes(key, mask), key, mask) for key, mask in events]
        if self._cost(sized) <= left:
            return events
        kept: Events = []
        nth, spent = reads.reads, 0.0
        for nbytes, key, mask in sorted(sized, key=lambda item: item[0]):
            cost = nbytes * reads.per_byte(nth)
            if spent + cost <= left:
                kept.append((key, mask))
                spent += cost
                nth += nbytes > 0
            elif mask & selectors.EVENT_WRITE:
                kept.append((key, selectors.EVENT_WRITE))  # its write side still runs
        return kept

    def _read_bytes(self, key: selectors.SelectorKey, mask: int) -> int:
        return self.reads.expected(key.fd) if mask & selectors.EVENT_READ else 0

    def _cost(self, sized: list[tuple[int, selectors.SelectorKey, int]]) -> float:
        """CPU seconds the events' reads should cost, in the order given."""
        nth, total = self.reads.reads, 0.0
        for nbytes, _, _ in sized:
            if nbytes:
                total += nbytes * self.reads.per_byte(nth)
                nth += 1
        return total

    def pending(self) -> bool:
        return bool(self.inbox or self.starts)

    def _admit(self, starts: int) -> bool:
        """Queue the inbox and up to ``starts`` job starts on the loop; True if any was queued."""
        assert self.loop is not None
        inbox, waiting = self.inbox, self.starts
        if not (inbox or waiting):
            return False
        while inbox:
            self.loop.call_soon(inbox.popleft())
        while waiting and starts > 0:
            self.loop.call_soon(waiting.popleft())
            starts -= 1
        return True

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if not self.stepping:  # closing: everything queued runs now, before the shutdown
            if self._admit(len(self.starts)):
                timeout = 0
            return self.inner.select(timeout)
        assert self.loop is not None
        now, cpu = self.clock(), self.cpu_clock()
        if self.iterations:
            self._account(now, cpu)
            if self._spent(now):
                self.loop.stop()  # budget spent: the ready callbacks run, then the tick ends
                self.snapshot = _ready_snapshot(self.loop)
                self.iter_start, self.iter_cpu = now, cpu
                self.iterations += 1
                return []
        admitted = self._admit(1)
        events, self.primed = self.primed, None
        if events is None:
            events = self.inner.select(0)
        if self.iterations and events:  # the first always runs: every tick makes progress
            events = self._affordable(events, now)
        polled = self.clock()
        detail = self.detail
        detail.poll += polled - now
        detail.io_events += len(events)
        if not events and timeout != 0 and not admitted:
            self.loop.stop()  # nothing ready, no timer due, no I/O that fits: idle or spent
        self.snapshot = _ready_snapshot(self.loop)
        self.iterations += 1
        self.iter_start, self.iter_cpu = now, cpu  # the poll counts towards the iteration it starts
        return events


class InlineStepper:
    """Owns an event loop that runs only inside ``step()`` (and ``run_until_complete`` at close)."""

    def __init__(
        self, counters: Counters, clock: Clock = time.perf_counter,
        cpu_clock: Clock = time.thread_time,
    ) -> None:  # fmt: skip
        self.counters = counters
        self.selector = SteppingSelector(_new_selector(), clock, cpu_clock)
        self.loop = TunedLoop(self.selector, BURST_READS, self.selector.reads)
        self.selector.loop = self.loop
        self.selector.on_overrun = self._overrun
        self._ready = _ready_queue(self.loop)
        self._culprits: set[str] = set()

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` in the loop's next iteration (any thread; nothing runs between ticks)."""
        self.selector.inbox.append(fn)

    def start(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` (a job's start) in a later iteration, after the starts queued before it."""
        self.selector.starts.append(fn)

    def step(self, budget: float, now: float, detail: TickDetail | None = None) -> None:
        """Run loop iterations until idle or ``budget`` seconds after ``now`` (the tick's start);
        what ran is noted in ``detail``."""
        detail = detail or TickDetail()
        selector = self.selector
        primed = None
        # The idle check, written for the cold caches after a frame (few calls): no work queued,
        # no callback ready, then the full check (a timer due?).
        if not (selector.inbox or selector.starts or self._ready) and not _has_work(self.loop):
            primed = selector.inner.select(0)
            if not primed:
                self.counters.iterations += 1  # idle: one poll, and the loop need not run at all
                detail.iterations = 1
                return
        selector.begin(budget, now, detail, primed)
        try:
            self.loop.run_forever()
        finally:
            selector.end()
            self.counters.iterations += selector.iterations
            detail.iterations = selector.iterations

    def on_loop_thread(self) -> bool:
        """True inside the loop's own callbacks (the loop runs only inside step())."""
        return asyncio._get_running_loop() is self.loop

    def run(self, make_coro: Callable[[], Any], timeout: float) -> None:
        """Run a coroutine to completion with real selects (close only; it bounds itself)."""
        self.loop.run_until_complete(make_coro())

    def close(self, timeout: float) -> None:
        self.loop.close()

    def _overrun(self, took: float, ran: tuple[object, ...]) -> None:
        self.counters.overruns += 1
        key, text = _describe(ran)
        if key not in self._culprits:
            self._culprits.add(key)
            logger.warning(
                "a loop iteration took %.1f ms, over the %.1f ms budget (blocking code on the "
                "loop, or the OS descheduled the game thread); it ran: %s",
                took * 1000,
                self.selector.budget * 1000,
                text,
            )
