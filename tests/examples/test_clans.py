"""examples/clans.py: two headless players befriend each other, found a clan and play its cup."""

from __future__ import annotations

import pytest

from .conftest import load_example


def test_two_players_befriend_each_other_found_a_clan_and_play_its_cup(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load_example("clans").main(["--frames", "1200"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "bo sees: ada wants to add you as a friend",
        "ada's friends: bo",
        "ada sees: bo accepted your friend request",
        "ada sees: User bo wants to join your group",
        "clan member: ada (SUPERADMIN)",
        "clan member: bo (ADMIN)",
        "cup standing: 1. bo 1500 (1 tries)",  # submitted through bo's outbox
        "cup standing: 2. ada 1200 (2 tries)",  # her best of two writes
    ]
