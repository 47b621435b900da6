"""The UPBGE glue, driven by the fake bge module."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest

from gameservices.testing.fake_bge import FakeGame, fake_bge


def glue() -> ModuleType:
    return importlib.import_module("gameservices.engines.bge")


async def answer(x: int) -> int:
    return x


def test_budget_is_derived_from_the_logic_tic_rate() -> None:
    with fake_bge(tic_rate=50):
        runner = glue().runner()
        assert runner.budget == pytest.approx(glue().BUDGET_SHARE / 50)
        assert glue().runner() is runner  # one runner per game


def test_controller_ticks_the_runner_and_the_game_end_closes_it() -> None:
    got: list[int] = []
    with fake_bge() as game:
        bge_glue = glue()
        game.add_object("Net", controller="gameservices.engines.bge.tick")
        runner = bge_glue.runner()
        runner.submit(answer(42), on_done=got.append)
        assert got == []
        for _ in range(1000):  # a frame or two; more if the machine is loaded
            game.run(1)
            if got:
                break
        assert got == [42]
        assert runner.stats.ticks == game.frame
        game.end()
        assert runner.closed


def test_results_for_ended_objects_are_dropped() -> None:
    got: list[int] = []
    with fake_bge() as game:
        game.add_object("Net", controller="gameservices.engines.bge.tick")
        player = game.add_object("Player")
        runner = glue().runner()
        runner.submit(answer(1), on_done=got.append, owner=player)
        player.endObject()
        game.run(3)
        assert got == []
        assert runner.stats.dropped == 1


def _component_game(game: FakeGame, args: dict[str, Any]) -> Any:
    obj = game.add_object("Net", components=(glue().GameServicesComponent,), args=args)
    return obj.components[0]


def test_component_ticks_with_its_args_and_closes_when_disposed() -> None:
    got: list[int] = []
    with fake_bge() as game:
        component = _component_game(game, {"budget_ms": 3.0, "mode": "thread"})
        game.run(1)
        runner = component.runner
        assert runner.mode == "thread"
        assert runner.budget == pytest.approx(0.003)
        handle = runner.submit(answer(7), on_done=got.append)
        while not handle.done():
            runner.wait(5.0)
            game.run(1)
        assert got == [7]
        game.end()
        assert runner.closed


def test_component_defaults_to_inline_and_a_derived_budget() -> None:
    with fake_bge(tic_rate=30) as game:
        component = _component_game(game, {})
        game.run(1)
        assert component.runner.mode == "inline"
        assert component.runner.budget == pytest.approx(glue().BUDGET_SHARE / 30)


def test_component_rejects_an_unknown_mode() -> None:
    with fake_bge() as game:
        _component_game(game, {"mode": "fibers"})
        with pytest.raises(ValueError, match="mode"):
            game.run(1)
