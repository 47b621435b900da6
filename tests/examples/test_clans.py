"""examples/clans.py: two headless players befriend each other and found a clan."""

from __future__ import annotations

import pytest

from .conftest import load_example


def test_two_players_befriend_each_other_and_found_a_clan(
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
    ]
