"""examples/cloud_save.py: progress saved each level, a level played while the server is down,
synced when it is back, and two devices' progress merged; nothing acknowledged is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import load_example

STORY = [
    "laptop: level 1 done, 3 stars; saved and synced",
    "laptop: level 2 done, 2 stars; saved and synced",
    "-- the server goes down --",
    "laptop: level 3 done offline, 2 stars; saved, pending ['progress']",
    "laptop restarted offline: load() gives level 3, stars 1:3 2:2 3:2",  # from its own disk
    "-- the server is back --",
    "laptop: the server is back; synced, pending []",
    "phone: a new device; load() fetches level 3, stars 1:3 2:2 3:2",  # the offline level too
    "phone: level 4 done, 2 stars; saved and synced",
    "laptop: level 2 replayed, 3 stars; saved",
    "laptop: the cloud changed meanwhile, so merge() decides:",
    "    mine:  level 3, stars 1:3 2:3 3:2",
    "    cloud: level 4, stars 1:3 2:2 3:2 4:2",
    "    kept:  level 4, stars 1:3 2:3 3:2 4:2",
    "laptop: the merged progress is synced, pending []",
    "the cloud: level 4, stars 1:3 2:3 3:2 4:2",
    "saves acknowledged: 5, lost: 0",
]


def test_progress_survives_an_outage_and_two_devices(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_example("cloud_save").main([]) == 0
    assert capsys.readouterr().out.splitlines() == STORY


def test_merge_is_a_join_so_its_order_and_repeats_do_not_matter() -> None:
    merge = load_example("cloud_save").merge
    laptop = {"level": 3, "stars": {"1": 3, "2": 3, "3": 2}}
    phone = {"level": 4, "stars": {"1": 3, "2": 2, "3": 2, "4": 2}}
    kept = merge(laptop, phone)
    assert kept == {"level": 4, "stars": {"1": 3, "2": 3, "3": 2, "4": 2}}
    assert merge(phone, laptop) == kept
    assert merge(kept, phone) == kept


@pytest.mark.slow
def test_the_pygame_window_shows_the_same_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    example = load_example("cloud_save")
    shot = tmp_path / "shot.png"
    assert example.main(["--pygame", "--screenshot", str(shot)]) == 0
    assert capsys.readouterr().out.splitlines() == STORY

    import pygame

    image = pygame.image.load(str(shot))
    assert image.get_size() == example.SIZE
    band = pygame.Rect(16, example.TEXT_TOP, 400, example.LINE_HEIGHT)  # the first line
    text = sum(
        1
        for x in range(band.left, band.right)
        for y in range(band.top, band.bottom)
        if tuple(image.get_at((x, y)))[:3] != example.BACKGROUND
    )
    assert text > 50, "the window's first line is blank"
