"""Smoke tests: the seed examples run as programs and print what they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_seed_echo_prints_the_blocking_hitch_and_every_echo(mode: str) -> None:
    out = run("seed_echo.py", "--frames", "31", "--rtt-ms", "30", "--mode", mode)
    hitch = re.search(r"blocking: Received 'Hello, world'; that frame stalled ([\d.]+) ms", out)
    assert hitch is not None, out
    assert float(hitch.group(1)) >= 30  # the game waited for the whole round trip
    for n in range(3):  # sent at frames 0, 15 and 30
        assert f"Received 'Hello World! #{n}' (message {n})" in out
    assert "3/3 echoes" in out


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_seed_playground_steps_by_hand_then_on_the_runner(mode: str) -> None:
    out = run("seed_playground.py", "--count", "2", "--frames", "600", "--mode", mode)
    hand, runner = out.split("== part 2")
    assert "yielded to us: 'break 1 ! (wow)'" in hand
    assert "returned: 'finished'" in hand
    steps = [line.split("] ", 1)[1] for line in runner.splitlines() if line.startswith("[frame")]
    assert steps == [
        "started!",
        "iteration: 0",
        "awaiting inside the object...",
        "received: None",
        "await done: None",
        "iteration: 1",
        "awaiting inside the object...",
        "received: None",
        "await done: None",
    ]
    assert "returned 'finished' to on_done" in runner
