"""examples/realtime_echo.py: the tutorial's echo client over one realtime socket, both modes,
echoed by a chat room and by a server function."""

from __future__ import annotations

import re

import pytest

from .conftest import load_example


@pytest.mark.parametrize("via", ["chat", "rpc"])
@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_every_message_comes_back_in_tick(
    mode: str, via: str, url_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--frames", "31", "--mode", mode, "--via", via, *url_args]
    if via == "rpc" and url_args:
        args += ["--rpc-id", "gs_echo"]  # tests/nakama/modules' echo, on a real Nakama
    assert load_example("realtime_echo").main(args) == 0
    *echoes, summary = capsys.readouterr().out.splitlines()
    for n, line in enumerate(echoes):  # sent at frames 0, 15 and 30
        assert re.fullmatch(rf"Received 'Hello World! #{n}' \(message {n}\) after \d+ frames", line)
    assert len(echoes) == 3
    assert summary.startswith("3/3 echoes over one socket in ")
