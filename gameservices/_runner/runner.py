"""TickRunner: asyncio driven from the game's tick, results delivered on the game thread.

Invariants:
- Rule 1: callbacks run only inside ``tick()``, on the one thread that ticks the runner (the first
  caller of ``tick()``); ticking from another thread raises ``UsageError``.
- Rule 2: ``tick()`` never raises into the game loop (except with ``raise_callback_errors``) and
  never blocks: inline mode steps the loop within ``budget`` seconds, thread mode only drains.
- Rule 3: every submitted task sees ``ambient.progress_sink`` and ``ambient.runner_var`` (set in a
  copy of the submitter's context, which the task then copies at creation).
- Rule 4: ``close()`` is idempotent and goes CLOSING -> CLOSED once: cancel tasks (bounded by
  ``close_timeout``), run ``on_close`` closers (last registered first), shut down async
  generators and the default executor, close the loop, join the thread. Undelivered results are
  dropped; handles still pending become cancelled. ``submit()`` afterwards raises ``UsageError``.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Literal, TypeVar

from .._checks import positive_number
from .._exceptions import UsageError
from .._lifecycle import Lifecycle
from . import ambient
from .handles import DeliveryQueue, EventFanout, Handle, logger
from .inline import InlineStepper
from .inline import names as inline_names
from .jobs import Job, shutdown_loop
from .loop_thread import ThreadLoop
from .slowticks import SLOW_FACTOR, SlowTick, SlowTickRecorder, TickDetail
from .stats import Counters, RunnerStats

__all__ = ["DEFAULT_BUDGET", "DEFAULT_CLOSE_TIMEOUT", "DEFAULT_MODE", "Mode", "TickRunner"]

T = TypeVar("T")
Mode = Literal["inline", "thread"]
# Chosen from benchmarks/frame_hitch.py (docs/runner.md): with the loop on its own thread the
# game thread only drains a queue, so frame times stay flat even when the OS preempts us, and
# downloads run at full speed. Inline stays the choice where threads are unwelcome (Blender).
DEFAULT_MODE: Mode = "thread"
DEFAULT_BUDGET = 0.002  # seconds of loop work per inline tick: an eighth of a 60 Hz frame
DEFAULT_CLOSE_TIMEOUT = 2.0


class TickRunner:
    """Runs coroutines for a game; call ``tick()`` once per frame on the game thread.

    ``mode="inline"`` steps the loop inside ``tick()`` for at most ``budget`` seconds;
    ``mode="thread"`` runs the loop on a daemon thread and ``tick()`` only delivers results.
    ``clock`` (seconds, monotonic) measures the budget and the tick times in ``stats``; tests pass
    a fake one so that a loaded machine cannot cut a tick short. ``cpu_clock`` (the ticking
    thread's CPU seconds) tells a slow tick's own work from the OS taking the CPU.
    """

    def __init__(
        self,
        mode: Mode = DEFAULT_MODE,
        budget: float = DEFAULT_BUDGET,
        *,
        raise_callback_errors: bool = False,
        close_timeout: float = DEFAULT_CLOSE_TIMEOUT,
        clock: Callable[[], float] = time.perf_counter,
        cpu_clock: Callable[[], float] = time.thread_time,
    ) -> None:
        if mode not in ("inline", "thread"):
            raise ValueError(f"mode must be 'inline' or 'thread', got {mode!r}")
        self.mode: Mode = mode
        self.budget = positive_number("budget", budget, "a number of seconds")
        self.raise_callback_errors = raise_callback_errors
        self.close_timeout = positive_number("close_timeout", close_timeout, "a number of seconds")
        self._clock = clock  # measures the budget and tick times; tests inject a fake one
        self._counters = Counters()
        self._queue = DeliveryQueue(self._counters, forget=self._forget, clock=clock)
        self._backend: InlineStepper | ThreadLoop = (
            InlineStepper(self._counters, clock, cpu_clock) if mode == "inline" else ThreadLoop()
        )
        self._cpu_clock = cpu_clock
        self._recorder = SlowTickRecorder(
            SLOW_FACTOR * self.budget, clock, cpu_clock, describe=inline_names
        )
        self._recorder.open()
        self._detail = TickDetail()  # reused by every tick
        self._inline = mode == "inline"
        self._events = self._queue.events  # tick()'s idle check reads it directly
        self._ticking = False  # inside tick(): a call from a coroutine it runs is an error
        self._state = Lifecycle.OPEN
        self._tick_ident: int | None = None  # the thread that ticks (the first to call tick())
        self._tick_name = ""
        self._lock = threading.Lock()  # guards _pending, _owned and _closers across threads
        self._pending: set[Handle[Any]] = set()  # submitted, outcome not yet drained
        self._owned: set[Handle[Any]] = set()
        self._closers: list[Callable[[], Awaitable[object]]] = []

    def __repr__(self) -> str:
        return f"<TickRunner mode={self.mode} budget={self.budget * 1000:g}ms {self._state.value}>"

    def __enter__(self) -> TickRunner:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()

    @property
    def closed(self) -> bool:
        return self._state is not Lifecycle.OPEN

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The runner's event loop (inline: runs only inside tick(); thread: on its thread)."""
        return self._backend.loop

    @property
    def stats(self) -> RunnerStats:
        return self._counters.snapshot(self._recorder.count)

    @property
    def slow_ticks(self) -> tuple[SlowTick, ...]:
        """The most recent ticks that took over twice the budget, oldest first, with what ran
        in them and their CPU and GC time (``SlowTick.cause`` sums it up)."""
        return tuple(self._recorder.records)

    # --- submitting -------------------------------------------------------------------------

    def submit(
        self,
        coro: Coroutine[Any, Any, T] | Awaitable[T],
        *,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[int, int | None], object] | None = None,
        owner: object = None,
    ) -> Handle[T]:
        """Run ``coro`` on the runner's loop; its outcome is delivered by a later ``tick()``.

        ``TypeError`` at once for anything that is not awaitable (``submit(fn)`` for
        ``submit(fn())``): asyncio would only refuse it later, on the loop, with no handle told.
        """
        if not inspect.isawaitable(coro):
            raise TypeError(_not_awaitable(coro))
        if self._state is not Lifecycle.OPEN:
            getattr(coro, "close", lambda: None)()  # no "never awaited" warning for it
            raise UsageError(f"submit() on a closed runner ({self!r})")
        label = getattr(coro, "__qualname__", type(coro).__name__)
        job: Job | None = None
        handle: Handle[T] = Handle(
            label, on_done=on_done, on_error=on_error, on_progress=on_progress, owner=owner,
            cancel_task=lambda: self._cancel_job(job),
        )  # fmt: skip
        context = contextvars.copy_context()
        context.run(self._enter_task_context, handle)
        job = Job(coro, context, handle, self._queue)
        with self._lock:
            self._pending.add(handle)
            if owner is not None:
                self._owned.add(handle)
        self._counters.submitted += 1
        self._backend.start(job.start)
        return handle

    def _enter_task_context(self, handle: Handle[Any]) -> None:
        queue = self._queue
        ambient.progress_sink.set(lambda done, total: queue.push_progress(handle, done, total))
        ambient.runner_var.set(self)

    def _cancel_job(self, job: Job | None) -> None:
        if job is not None and self._state is Lifecycle.OPEN:
            self._backend.call_soon(job.cancel)

    def cancel_owner(self, owner: object) -> int:
        """Cancel every pending handle owned by ``owner``; returns how many were cancelled."""
        with self._lock:
            mine = [h for h in self._owned if h.owner is not None and h.owner.get() is owner]
        return sum(h.cancel() for h in mine)

    def post_event(self, fanout: EventFanout, item: object) -> None:
        """Queue ``item`` for ``fanout.deliver`` inside the next ``tick()`` (any thread).

        For long-lived event sources (the realtime socket): their events reach subscribers in
        arrival order, on the game thread, live owners only (``handles`` Rule 5).
        """
        self._queue.push_event(fanout, item)

    def on_close(self, fn: Callable[[], Awaitable[object]]) -> None:
        """Run ``fn()`` on the loop when the runner closes, after its tasks were cancelled."""
        if self._state is not Lifecycle.OPEN:  # the closers already ran, or are running
            raise UsageError(f"on_close() on a closed runner ({self!r})")
        with self._lock:
            self._closers.append(fn)

    # --- ticking ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance the loop (inline mode) and deliver finished work; call once per frame."""
        # An idle tick is most ticks, right after a frame of game work has left the caches cold
        # (each Python call then costs microseconds): its path makes as few calls as it can.
        if self._state is not Lifecycle.OPEN:
            return
        if self._ticking or threading.get_ident() != self._tick_ident:
            self._check_thread()  # raises, or makes this thread the one that ticks
        detail = self._detail
        if detail.cpu_start is not None:  # the last tick worked: start from a clean record
            detail.reset()
        start = self._recorder.begin()
        self._ticking = True
        try:
            if self._inline:
                try:
                    self._backend.step(self.budget, start, detail)
                except Exception:  # a loop failure must not stop the game
                    logger.exception("event loop step failed")
            if self._owned:
                self._sweep_owners()
            error = self._deliver(detail) if self._events else None
        finally:
            self._ticking = False
        counters = self._counters
        counters.recent.append(self._recorder.end(counters.ticks, detail))
        counters.ticks += 1
        if error is not None and self.raise_callback_errors:
            raise error

    def _deliver(self, detail: TickDetail) -> BaseException | None:
        if detail.cpu_start is None:  # the first work of this tick (thread mode: the only)
            detail.cpu_start = self._cpu_clock()
        began = self._clock()
        error = self._queue.drain(self._is_open, detail)
        detail.drain = self._clock() - began
        return error

    def wait(self, timeout: float | None = None) -> bool:
        """Thread mode: block until a result or progress is ready for ``tick()``; False on timeout.

        For headless tools, bots and tests; a game never waits, it ticks. In inline mode nothing
        progresses between ticks, so this returns whether something is already queued.
        """
        if self.mode == "inline":
            return len(self._queue) > 0
        return self._queue.wait(timeout)

    def _is_open(self) -> bool:
        return self._state is Lifecycle.OPEN

    def _check_thread(self) -> None:
        ident = threading.get_ident()
        if ident != self._tick_ident:
            if self._tick_ident is not None:
                raise UsageError(
                    f"tick() called from thread {threading.current_thread().name!r}; this runner "
                    f"is ticked by {self._tick_name!r} (callbacks must stay on the game thread)"
                )
            self._tick_ident, self._tick_name = ident, threading.current_thread().name
        if self._backend.on_loop_thread():
            raise UsageError("tick() called from inside a coroutine running on this runner")

    def _sweep_owners(self) -> None:
        with self._lock:
            gone = [h for h in self._owned if not h.done() and h.owner and not h.owner.alive()]
        for handle in gone:
            handle.cancel()
            self._counters.dropped += 1

    def _forget(self, handle: Handle[Any]) -> None:
        with self._lock:
            self._pending.discard(handle)
            self._owned.discard(handle)

    # --- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Cancel pending work, run the closers and stop the loop (idempotent; may block up to
        about twice ``close_timeout`` if tasks refuse to stop)."""
        if self._state is not Lifecycle.OPEN:
            return
        if self._backend.on_loop_thread():
            raise UsageError("close() called from inside a coroutine running on this runner")
        self._state = Lifecycle.CLOSING
        try:
            self._backend.run(self._shutdown, 2 * self.close_timeout)
        finally:
            self._backend.close(self.close_timeout)
            self._recorder.close()
            self._queue.clear()
            with self._lock:
                pending = list(self._pending)
                self._pending.clear()
                self._owned.clear()
            for handle in pending:
                handle.cancel()
            self._state = Lifecycle.CLOSED

    async def _shutdown(self) -> None:
        with self._lock:
            closers, self._closers = self._closers[::-1], []
        await shutdown_loop(closers, self.close_timeout)


def _not_awaitable(obj: object) -> str:
    """The ``submit()`` TypeError message, naming the fix for the usual slip."""
    if inspect.iscoroutinefunction(obj) or callable(obj):
        name = getattr(obj, "__qualname__", type(obj).__name__)
        return (
            f"submit() needs a coroutine object, not the function {name}: call it, "
            f"runner.submit({name}(...))"
        )
    return f"submit() needs a coroutine or awaitable, not {type(obj).__name__}"
