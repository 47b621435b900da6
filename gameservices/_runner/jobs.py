"""The loop side of submitted work, and the order in which a runner's loop is shut down.

Invariants: a ``Job`` is touched only on the loop thread; it reports exactly one outcome per
handle (done, failed or cancelled), even when cancelled before it started, and it retrieves the
task's exception so asyncio never logs "exception was never retrieved". ``shutdown_loop``
follows ``asyncio.Runner.close()``: cancel tasks, run closers, shut down async generators and
the default executor; the whole sequence is bounded by its timeout except the executor join.
"""

from __future__ import annotations

import asyncio
import contextvars
import types
from collections.abc import Awaitable, Callable
from typing import Any, cast

from .handles import DeliveryQueue, Handle, TaskEnd, logger

__all__ = ["Job", "shutdown_loop"]


class Job:
    """The loop-side half of a handle: creates, cancels and reports one task (loop thread only)."""

    __slots__ = ("context", "coro", "handle", "queue", "reported", "stopped", "task")

    def __init__(self, coro: Awaitable[Any], context: contextvars.Context, handle: Handle[Any],
                 queue: DeliveryQueue) -> None:  # fmt: skip
        self.coro, self.context, self.handle, self.queue = coro, context, handle, queue
        self.task: asyncio.Future[Any] | None = None
        self.stopped = False
        self.reported = False

    def start(self) -> None:
        if self.stopped:  # cancelled before it started: never run it
            getattr(self.coro, "close", lambda: None)()
            self._report(TaskEnd.CANCELLED, None)
            return
        run = cast("types.CoroutineType[Any, Any, None]", self._run())
        # Named as the work it runs, so that the overrun log and task reprs name the game's
        # coroutine (coroutine names are writable for this).
        run.__name__ = getattr(self.coro, "__name__", run.__name__)
        run.__qualname__ = getattr(self.coro, "__qualname__", run.__qualname__)
        # The task copies the current context when created: run its creation inside ours.
        self.task = self.context.run(asyncio.ensure_future, run)
        self.task.add_done_callback(self._finished)

    def cancel(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()

    async def _run(self) -> None:
        # The outcome is queued by the task's last step, not by a done callback: asyncio runs
        # those one loop iteration later, and an inline tick whose budget ended in between
        # delivered the result a frame late.
        try:
            result = await self.coro
        except Exception as error:  # the game's failure, delivered to on_error
            self._report(TaskEnd.FAILED, error)
            return
        self._report(TaskEnd.DONE, result)

    def _finished(self, task: asyncio.Future[Any]) -> None:
        """What ``_run`` could not report: a cancellation, or a BaseException it let through."""
        # A task cancelled before its first step never started ``_run``, so never awaited the
        # game's coroutine: close it, as asyncio would have (closing a finished one is a no-op).
        getattr(self.coro, "close", lambda: None)()
        if task.cancelled():
            self._report(TaskEnd.CANCELLED, None)
        elif (error := task.exception()) is not None:
            self._report(TaskEnd.FAILED, error)

    def _report(self, outcome: TaskEnd, value: object) -> None:
        if not self.reported:  # exactly one outcome per handle
            self.reported = True
            self.queue.push_outcome(self.handle, outcome, value)


async def shutdown_loop(closers: list[Callable[[], Awaitable[object]]], timeout: float) -> None:
    """Cancel every other task, run ``closers`` in order, then stop generators and executor."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    await _cancel_all(deadline)
    for fn in closers:
        try:
            await asyncio.wait_for(fn(), max(0.0, deadline - loop.time()))
        except Exception:
            logger.exception("on_close callback %r failed", fn)
    await _cancel_all(deadline)  # whatever the closers left behind
    await loop.shutdown_asyncgens()
    # Not bounded: its thread join cannot be interrupted; executor jobs are short by contract.
    await loop.shutdown_default_executor()


async def _cancel_all(deadline: float) -> None:
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me]
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - loop.time()))
    for task in pending:
        logger.warning("task still running after close was requested: %r", task)
