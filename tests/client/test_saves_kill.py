"""THE saves guarantee: a save that returned survives a kill -9 and reaches the server.

A subprocess logs in, then loses the server (every delivery attempt fails, so nothing it saves
can have been delivered), saves one slot again and again, printing each value after ``save``
returned, and is SIGKILLed after a seeded-random number of lines: between ``save`` returning and
delivery. A second process, with the server back, must load the last value printed (or the one
after it, whose save the kill cut off after it reached the disk) and deliver exactly that.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..processes import run_and_kill, serve_in_process

HERE = Path(__file__).parent
SAVES = 2_000


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    with serve_in_process(tmp_path / "server.db") as url:
        yield url


def _save_and_kill(lines: int, url: str, data_dir: str) -> list[int]:
    printed = run_and_kill(HERE / "saves_kill_client.py", lines, "save", url, data_dir, str(SAVES))
    return [int(line) for line in printed]


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed", [7, 2026])
def test_kill_9_after_save_returned_loses_nothing(
    tmp_path: Path, server_url: str, seed: int
) -> None:
    kill_after = random.Random(seed).randint(20, 500)
    data_dir = str(tmp_path / "client")
    returned = _save_and_kill(kill_after, server_url, data_dir)
    assert returned == list(range(len(returned)))
    synced = subprocess.run(
        [sys.executable, str(HERE / "saves_kill_client.py"), "sync", server_url, data_dir],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    state = json.loads(synced.stdout)
    last = returned[-1]
    assert state["local"] in ({"level": last}, {"level": last + 1}), (seed, last, state)
    assert state["server"] == state["local"], (seed, last, state)
