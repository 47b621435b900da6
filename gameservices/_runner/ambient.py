"""Ambient context that a TickRunner gives the coroutines it runs.

The runner sets these context variables in each submitted task's context, so library code
(downloads, the client) can report progress and register cleanup without being handed the runner.
Outside a runner both are inert: ``report_progress`` is a no-op and ``current_runner()`` is None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .handles import EventFanout

__all__ = ["ProgressSink", "RunnerHooks", "current_runner", "report_progress"]

ProgressSink = Callable[[int, "int | None"], None]


class RunnerHooks(Protocol):
    """What library code may ask of the runner that drives it."""

    def on_close(self, fn: Callable[[], Awaitable[object]]) -> None:
        """Run ``fn`` on the runner's loop before the loop closes."""

    def post_event(self, fanout: EventFanout, item: object) -> None:
        """Deliver ``item`` through ``fanout`` inside the next ``tick()`` (any thread)."""


progress_sink: ContextVar[ProgressSink | None] = ContextVar("gameservices_progress", default=None)
runner_var: ContextVar[RunnerHooks | None] = ContextVar("gameservices_runner", default=None)


def report_progress(done: int, total: int | None = None) -> None:
    """Report progress of the current submitted coroutine (bytes, items...).

    Cheap and safe to call often: the runner keeps only the latest value and delivers at most one
    ``on_progress(done, total)`` per handle per tick. Outside a runner it does nothing.
    """
    sink = progress_sink.get()
    if sink is not None:
        sink(done, total)


def current_runner() -> RunnerHooks | None:
    """The TickRunner running the current task, if any."""
    return runner_var.get()
