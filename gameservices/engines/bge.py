"""UPBGE glue: one runner per game, ticked by a controller or by a component.

Use either (not both) on an object that lives as long as the game:

- a Python controller in Module mode, ``gameservices.engines.bge.tick``, fed by an Always sensor
  with pulse mode on, so it runs every logic tick;
- the component ``gameservices.engines.bge.GameServicesComponent`` (args: ``budget_ms``, 0 meaning
  "derive from the logic tic rate", and ``mode``).

Game code gets the same runner from ``runner()`` and submits work with ``owner=own`` so results
for ended objects are dropped. Invariants: one runner per game (stored on ``bge.logic``, which
UPBGE rebuilds for every game start); it is closed when the game ends (the last scene is removed,
or the interpreter exits), or when the component that created it is disposed. The default mode
here is inline: Blender documents Python threads as unsupported (docs.blender.org,
info_gotchas_threading), so the loop runs on the game thread within its budget.
"""

from __future__ import annotations

import atexit
from collections import OrderedDict
from typing import Any, ClassVar, cast

import bge

from .._runner.runner import Mode, TickRunner

__all__ = ["BGE_MODE", "BUDGET_SHARE", "GameServicesComponent", "runner", "tick"]

BUDGET_SHARE = 1 / 8  # of a logic tick: 2.08 ms at 60 Hz
BGE_MODE: Mode = "inline"
_ATTR = "_gameservices_runner"


def _derived_budget() -> float:
    rate = float(bge.logic.getLogicTicRate()) or 60.0
    return BUDGET_SHARE / rate


def runner(budget: float | None = None, mode: Mode = BGE_MODE) -> TickRunner:
    """This game's runner, created on first use (later calls ignore the arguments)."""
    existing: TickRunner | None = getattr(bge.logic, _ATTR, None)
    if existing is not None and not existing.closed:
        return existing
    created = TickRunner(mode=mode, budget=budget or _derived_budget())
    setattr(bge.logic, _ATTR, created)
    _close_with_game(created)
    return created


def _close_with_game(created: TickRunner) -> None:
    atexit.register(created.close)  # blenderplayer exiting
    scene = bge.logic.getCurrentScene()
    callbacks = getattr(scene, "onRemove", None)
    if callbacks is None:
        return

    def scene_removed(removed: Any) -> None:
        others = [s for s in bge.logic.getSceneList() if s is not removed]
        if not others:  # the game is ending, not just switching scenes
            created.close()
            atexit.unregister(created.close)

    callbacks.append(scene_removed)


def tick(controller: Any = None) -> None:
    """Module-mode controller: tick this game's runner (attach to an Always sensor, pulse on)."""
    runner().tick()


class GameServicesComponent(bge.types.KX_PythonComponent):  # type: ignore[misc]  # bge is untyped
    """Ticks this game's runner every frame; closes it when the component is disposed."""

    # UPBGE shows these in the component panel; a set becomes a drop-down of its strings.
    args: ClassVar[OrderedDict[str, object]] = OrderedDict(
        [("budget_ms", 0.0), ("mode", {"inline", "thread"})]
    )

    runner: TickRunner | None = None  # set by start()

    def start(self, args: dict[str, Any]) -> None:
        budget_ms = float(args.get("budget_ms") or 0.0)
        mode = args.get("mode") or BGE_MODE
        if mode not in ("inline", "thread"):
            raise ValueError(f"GameServicesComponent mode must be inline or thread, not {mode!r}")
        self.runner = runner(budget_ms / 1000 if budget_ms > 0 else None, cast(Mode, mode))

    def update(self) -> None:
        if self.runner is not None:
            self.runner.tick()

    def dispose(self) -> None:
        if self.runner is not None:
            self.runner.cancel_owner(self.object)
            self.runner.close()
