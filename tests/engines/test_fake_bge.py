"""The fake bge module behaves like the parts of UPBGE that game scripts use."""

from __future__ import annotations

import sys
import weakref
from typing import Any, ClassVar

import pytest

from gameservices.testing.fake_bge import fake_bge


def test_installs_and_restores_sys_modules() -> None:
    assert "bge" not in sys.modules
    with fake_bge(tic_rate=30) as game:
        import bge

        assert bge.logic.getLogicTicRate() == 30
        assert bge.logic.getCurrentScene() is game.scene
        assert game.key("SPACEKEY") == bge.events.SPACEKEY
    assert "bge" not in sys.modules


def test_controllers_get_pulses_and_key_presses() -> None:
    seen: list[tuple[int, bool, bool]] = []

    def script(cont: Any) -> None:
        import bge

        assert bge.logic.getCurrentController() is cont
        seen.append(
            (game.frame, cont.sensors["Always"].positive, cont.sensors["Keyboard"].positive)
        )

    with fake_bge() as game:
        cube = game.add_object("Cube", controller=script, keyboard="SPACEKEY")
        game.run(1)
        game.press(cube, "SPACEKEY")
        game.run(2)
    assert seen == [(0, True, False), (1, True, True), (2, True, False)]


def test_components_start_once_update_each_frame_and_dispose_at_end() -> None:
    with fake_bge() as game:
        import bge

        calls: list[str] = []

        class Comp(bge.types.KX_PythonComponent):  # type: ignore[misc,name-defined]  # fake module
            args: ClassVar[dict[str, Any]] = {"speed": 1.5, "mode": {"b", "a"}}

            def start(self, args: dict[str, Any]) -> None:
                calls.append(f"start {args['speed']} {args['mode']}")

            def update(self) -> None:
                calls.append("update")

            def dispose(self) -> None:
                calls.append("dispose")

        game.add_object("Empty", components=(Comp,), args={"speed": 2.0})
        game.run(2)
        game.end()
    assert calls == ["start 2.0 a", "update", "update", "dispose"]


def test_ended_objects_are_invalid_and_not_weakrefable() -> None:
    with fake_bge() as game:
        obj = game.add_object("Cube")
        label = game.add_text("Label", "hi")
        label.text = "top 10"
        obj["score"] = 3
        assert obj["score"] == 3
        assert game.scene.get("Cube") is obj
        with pytest.raises(TypeError):
            weakref.ref(obj)
        obj.endObject()
        assert obj.invalid
        with pytest.raises(SystemError):
            _ = obj.name
        assert game.scene.get("Cube") is None


def test_end_game_runs_scene_on_remove() -> None:
    removed: list[object] = []
    with fake_bge() as game:
        game.scene.onRemove.append(removed.append)
        import bge

        bge.logic.endGame()
        assert removed == [game.scene]
        assert bge.logic.getSceneList() == []
        with pytest.raises(RuntimeError, match="ended"):
            game.step()


def test_global_keyboard_inputs_are_activated_for_one_frame() -> None:
    seen: list[bool] = []

    def script(cont: Any) -> None:
        import bge

        seen.append(bge.logic.keyboard.inputs[bge.events.SPACEKEY].activated)

    with fake_bge() as game:
        game.add_object("Cube", controller=script)
        game.press(None, "SPACEKEY")
        game.run(2)
    assert seen == [True, False]
