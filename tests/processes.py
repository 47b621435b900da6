"""What the kill -9 tests share: a ``gameservices serve`` in its own process (it outlives the
clients that are killed), and a client process SIGKILLed once it printed a number of lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["run_and_kill", "serve_in_process"]


@contextmanager
def serve_in_process(db: Path, *args: str) -> Iterator[str]:
    """``gameservices serve`` on the file database ``db``; yields its URL; stops it cleanly
    (SIGTERM: every acknowledged write kept) and checks it exited 0."""
    argv = [sys.executable, "-m", "gameservices", "serve", "--port", "0", "--db", str(db), *args]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    with server.stdout:
        first = server.stdout.readline()
        try:
            assert first.startswith("gameservices listening on http://"), first
            yield first.split()[-1]
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0


def run_and_kill(script: Path, lines: int, *args: str) -> list[str]:
    """Run ``python script ARGS``, SIGKILL it once it printed ``lines`` lines; all it printed."""
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    with proc.stdout:
        printed = [proc.stdout.readline() for _ in range(lines)]
        os.kill(proc.pid, signal.SIGKILL)
        printed += proc.stdout.read().splitlines()  # what it printed before it died
    assert proc.wait(timeout=15) == -signal.SIGKILL
    assert all(printed), "the client died before it was killed"
    return printed
