"""examples/quickstart.py: the README's first program runs out of the box."""

from __future__ import annotations

import pytest

from .conftest import load_example


def test_quickstart_prints_the_top10(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_example("quickstart").main(["--frames", "1200"]) == 0
    rank, name, score = capsys.readouterr().out.split()
    assert (rank, name, score) == ("1", "ada", "1200")
