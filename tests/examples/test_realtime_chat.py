"""examples/realtime_chat.py: the lobby chat and the friends online list (SDL dummy driver)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import load_example


def _inked(image: object, rect: object, background: tuple[int, int, int]) -> int:
    """Pixels in ``rect`` (shrunk past its border) that are not the background: text drawn."""
    inner = rect.inflate(-4, -4)  # type: ignore[attr-defined]  # a pygame.Rect
    return sum(
        1
        for x in range(inner.left, inner.right)
        for y in range(inner.top, inner.bottom)
        if tuple(image.get_at((x, y)))[:3] != background  # type: ignore[attr-defined]  # Surface
    )


@pytest.mark.slow
def test_lobby_shows_every_message_and_both_friends_with_their_status(
    tmp_path: Path,
    url_args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    example = load_example("realtime_chat")
    shot = tmp_path / "shot.png"
    assert (
        example.main(["--frames", "1200", "--say", "gg", "--screenshot", str(shot), *url_args]) == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "bo: anyone up for a duel? | cy: me! | you: gg",
        "friends online: bo (in the lobby), cy (looking for a duel)",
    ]

    import pygame

    image = pygame.image.load(str(shot))
    assert image.get_size() == example.SIZE
    assert _inked(image, example.CHAT, example.BACKGROUND) > 200, "the chat is blank"
    assert _inked(image, example.FRIENDS, example.BACKGROUND) > 200, "no friends shown"
