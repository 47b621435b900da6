"""examples/upbge: the controller module and the component, driven by the fake ``bge``."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from gameservices.testing.fake_bge import fake_bge
from gameservices.testing.threaded import ServerThread

from .conftest import EXAMPLES, run_frames


@pytest.fixture(autouse=True)
def upbge_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES / "upbge"))


def test_controller_shows_the_top10_and_a_key_press_submits(
    server: ServerThread, tmp_path: Path
) -> None:
    with fake_bge(forget=("leaderboard",)) as game:
        board = game.add_object("Scoreboard", controller="leaderboard.on_frame",
                                keyboard="SPACEKEY")  # fmt: skip
        board["url"], board["data_dir"], board["board"] = server.url, str(tmp_path), "alltime"
        board["device_id"] = "upbge-controller-test"
        label = game.add_text("Top10")
        run_frames(game.step, until=lambda: label.text != "")
        assert label.text == "(no scores yet)"

        game.press(board, "SPACEKEY")
        run_frames(game.step, until=lambda: label.text != "(no scores yet)")
        rank, _name, score = label.text.splitlines()[0].split()
        assert (rank, score) == ("1.", "100")
        assert (tmp_path / "session.json").exists()
        runner = importlib.import_module("gameservices.engines.bge").runner()
    assert runner.closed  # the game's end closed the runner (and the client with it)


def test_component_shows_the_top10_and_submit_score(server: ServerThread, tmp_path: Path) -> None:
    with fake_bge(forget=("leaderboard_component",)) as game:
        component_cls = importlib.import_module("leaderboard_component").Leaderboard
        obj = game.add_object("Scoreboard", components=(component_cls,), args={
            "url": server.url, "board": "speedrun", "data_dir": str(tmp_path),
            "device_id": "upbge-component-test"})  # fmt: skip
        label = game.add_text("Top10")
        run_frames(game.step, until=lambda: label.text != "")
        assert label.text == "(no scores yet)"

        obj.components[0].submit_score(4200)
        run_frames(game.step, until=lambda: "4200" in label.text)
        assert label.text.startswith(" 1.")
