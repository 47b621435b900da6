"""Panda3D and pygame glue: each is a thin per-frame tick."""

from __future__ import annotations

from typing import Any

from gameservices import TickRunner
from gameservices.engines.panda3d import TASK_NAME, attach
from gameservices.engines.pygame import tick_pygame


async def answer() -> str:
    return "ok"


def frozen_clock() -> float:
    """The runner's budget clock, stopped: a tick runs until idle however loaded the machine."""
    return 0.0


def test_panda3d_task_ticks_and_destroy_closes_the_runner() -> None:
    from direct.task.Task import TaskManager

    task_mgr = TaskManager()
    runner = TickRunner(mode="inline", clock=frozen_clock)
    got: list[str] = []
    task = attach(runner, task_mgr)
    assert task.name == TASK_NAME
    runner.submit(answer(), on_done=got.append)
    for _ in range(3):
        task_mgr.step()
    assert got == ["ok"]
    task_mgr.destroy()
    assert runner.closed


class FakeClock:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def tick(self, fps: int) -> int:
        self.calls.append(fps)
        return 16


def test_tick_pygame_ticks_then_waits_with_the_clock() -> None:
    clock = FakeClock()
    got: list[Any] = []
    with TickRunner(mode="inline", clock=frozen_clock) as runner:
        runner.submit(answer(), on_done=got.append)
        assert tick_pygame(runner, clock, 60) == 16
        assert got == ["ok"]
    assert clock.calls == [60]
