"""Panda3D glue: a task that ticks the runner every frame and closes it when the app exits.

Invariants: the task runs on Panda3D's main thread (its task manager's), so callbacks may touch
the scene graph; ``attach`` returns the task so the game can remove it early; the runner is
closed before the task manager goes away.
"""

from __future__ import annotations

import builtins
from typing import Any

from .._runner.runner import TickRunner

__all__ = ["TASK_NAME", "attach"]

TASK_NAME = "gameservices-tick"


def attach(runner: TickRunner, task_mgr: Any, *, base: Any = None, sort: int = -50) -> Any:
    """Add a per-frame task ticking ``runner`` to ``task_mgr`` (``base.taskMgr``).

    The runner is closed when ShowBase is destroyed (``base`` defaults to the global ``base``
    whose task manager this is) or when the task manager itself is destroyed.
    """

    def tick_task(task: Any) -> Any:
        runner.tick()
        return task.cont

    task = task_mgr.add(tick_task, TASK_NAME, sort=sort)
    _close_on_exit(runner, task_mgr, base)
    return task


def _close_on_exit(runner: TickRunner, task_mgr: Any, base: Any) -> None:
    if base is None:
        candidate = getattr(builtins, "base", None)  # ShowBase publishes itself there
        base = candidate if getattr(candidate, "taskMgr", None) is task_mgr else None
    callbacks = getattr(base, "finalExitCallbacks", None)
    if isinstance(callbacks, list):
        callbacks.append(runner.close)
    destroy = task_mgr.destroy

    def destroy_and_close() -> None:
        runner.close()  # idempotent: ShowBase may already have closed it
        destroy()

    task_mgr.destroy = destroy_and_close
