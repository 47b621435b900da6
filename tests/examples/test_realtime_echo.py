"""examples/realtime_echo.py: the tutorial's echo client over one realtime socket, both modes."""

from __future__ import annotations

import re

import pytest

from .conftest import load_example


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_every_message_comes_back_in_tick(mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert load_example("realtime_echo").main(["--frames", "31", "--mode", mode]) == 0
    *echoes, summary = capsys.readouterr().out.splitlines()
    for n, line in enumerate(echoes):  # sent at frames 0, 15 and 30
        assert re.fullmatch(rf"Received 'Hello World! #{n}' \(message {n}\) after \d+ frames", line)
    assert len(echoes) == 3
    assert summary.startswith("3/3 echoes over one socket in ")
