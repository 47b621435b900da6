"""examples/pygame_leaderboard.py renders the top 10 and the download bar (SDL dummy driver)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import load_example

BACKGROUND = (16, 18, 28)


@pytest.mark.slow
def test_window_shows_the_top10_and_a_finished_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    example = load_example("pygame_leaderboard")
    shot = tmp_path / "shot.png"
    assert example.main(["--frames", "1200", "--screenshot", str(shot)]) == 0
    assert "1 rows; assets synced" in capsys.readouterr().out

    import pygame

    image = pygame.image.load(str(shot))
    assert image.get_size() == example.SIZE
    row = pygame.Rect(90, example.TABLE_TOP, 300, example.ROW_HEIGHT)  # first row: the name
    text = sum(
        1
        for x in range(row.left, row.right)
        for y in range(row.top, row.bottom)
        if tuple(image.get_at((x, y)))[:3] != BACKGROUND
    )
    assert text > 50, "the table's first row is blank"
    bar = example.BAR.inflate(-4, -4)
    assert tuple(image.get_at((bar.right - 2, bar.centery)))[:3] == (90, 160, 250)  # full bar
