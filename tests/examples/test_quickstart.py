"""examples/quickstart.py: the README's first program runs out of the box."""

from __future__ import annotations

import re

import pytest

from .conftest import load_example


def test_quickstart_prints_the_top10(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_example("quickstart").main(["--frames", "1200"]) == 0
    rank, name, score = capsys.readouterr().out.split()
    assert (rank, score) == ("1", "1200")
    assert re.fullmatch(r"player-[0-9a-f]{6}", name)  # generated: no clash on a shared server
