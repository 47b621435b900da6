"""THE outbox guarantee: a kill -9 at any moment loses no submitted score and applies none twice.

A subprocess submits 1,000 INCREMENTs of 1 to a reference server running on a file database in
another subprocess (so the server outlives the client), printing each index after its submit
returned. The test SIGKILLs it after a seeded-random number of lines, then a fresh client on the
same data_dir flushes. Invariants checked:

- committed = the number of entries that ever reached the outbox file (its highest seq);
  returned <= committed <= returned + 1: a submit cut off by the kill may have committed without
  returning (submits are sequential, so at most one is in that state);
- the final score == committed: nothing lost, nothing applied twice;
- num_score (writes the server applied) == committed: every entry applied exactly once;
- nothing left pending, no dead letters.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gameservices._outbox_db import OutboxDB

HERE = Path(__file__).parent
SUBMITS = 1_000


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "serve_file_db.py"), str(tmp_path / "server.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdin is not None
    try:
        yield server.stdout.readline().strip()
    finally:
        server.stdin.close()  # the server stops cleanly when its stdin closes
        assert server.wait(timeout=15) == 0
        server.stdout.close()


def _client(*args: str) -> subprocess.Popen[str]:
    script = str(HERE / "kill_client.py")
    return subprocess.Popen([sys.executable, script, *args], stdout=subprocess.PIPE, text=True)


def _committed(data_dir: Path) -> tuple[int, int]:
    """(entries that ever reached the file, entries still pending in it)."""
    db = OutboxDB(data_dir, max_entries=SUBMITS, max_dead=SUBMITS)
    db.open()
    try:
        return db.last_seq(), db.active_count
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("seed", [5, 2026])
def test_kill_9_loses_nothing_and_applies_nothing_twice(
    tmp_path: Path, server_url: str, seed: int
) -> None:
    kill_after = random.Random(seed).randint(50, 900)
    data_dir = tmp_path / "client"
    submitter = _client("submit", server_url, str(data_dir), str(SUBMITS))
    assert submitter.stdout is not None
    for _ in range(kill_after):
        assert submitter.stdout.readline(), "the submitting client died before the kill"
    os.kill(submitter.pid, signal.SIGKILL)
    returned = kill_after + len(submitter.stdout.read().splitlines())  # printed before death
    submitter.stdout.close()
    assert submitter.wait(timeout=15) == -signal.SIGKILL

    committed, pending = _committed(data_dir)
    assert returned <= committed <= returned + 1, (seed, returned, committed)

    flusher = _client("flush", server_url, str(data_dir))
    out, _ = flusher.communicate(timeout=60)
    assert flusher.returncode == 0
    state = json.loads(out)
    context = (
        f"seed={seed} kill_after={kill_after} returned={returned} committed={committed} "
        f"pending_at_kill={pending}"
    )
    print(context)  # shown with -s: how much the kill left in flight
    assert state == {"score": committed, "num_score": committed, "pending": 0, "dead": 0}, context
