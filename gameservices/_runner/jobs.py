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
from collections.abc import Awaitable, Callable
from typing import Any

from .handles import DeliveryQueue, Handle, TaskEnd, logger

__all__ = ["Job", "shutdown_loop"]


class Job:
    """The loop-side half of a handle: creates, cancels and reports one task (loop thread only)."""

    __slots__ = ("context", "coro", "handle", "queue", "stopped", "task")

    def __init__(self, coro: Awaitable[Any], context: contextvars.Context, handle: Handle[Any],
                 queue: DeliveryQueue) -> None:  # fmt: skip
        self.coro, self.context, self.handle, self.queue = coro, context, handle, queue
        self.task: asyncio.Future[Any] | None = None
        self.stopped = False

    def start(self) -> None:
        if self.stopped:  # cancelled before it started: never run it
            getattr(self.coro, "close", lambda: None)()
            self.queue.push_outcome(self.handle, TaskEnd.CANCELLED, None)
            return
        # The task copies the current context when created: run its creation inside ours.
        self.task = self.context.run(asyncio.ensure_future, self.coro)
        self.task.add_done_callback(self._finished)

    def cancel(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()

    def _finished(self, task: asyncio.Future[Any]) -> None:
        if task.cancelled():
            self.queue.push_outcome(self.handle, TaskEnd.CANCELLED, None)
        elif (error := task.exception()) is not None:
            self.queue.push_outcome(self.handle, TaskEnd.FAILED, error)
        else:
            self.queue.push_outcome(self.handle, TaskEnd.DONE, task.result())


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
