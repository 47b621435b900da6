"""examples/tournament.py: two players join a tournament, post scores and see the standings."""

from __future__ import annotations

import re

import pytest

from .conftest import load_example


def test_two_players_play_a_tournament(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_example("tournament").main([]) == 0
    title, first, second = capsys.readouterr().out.splitlines()
    assert title == "Example cup: 3 tries, open: True"
    assert re.fullmatch(r"\s+1  bob-[0-9a-f]{6}\s+1500  \(1 tries\)", first)
    assert re.fullmatch(r"\s+2  ada-[0-9a-f]{6}\s+1200  \(2 tries\)", second)
