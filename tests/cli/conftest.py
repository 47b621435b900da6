"""The CLI against a real reference server on its own thread (``ServerThread``), so ``main(argv)``
runs its own event loop in the test's thread, exactly as the console script does."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gameservices._cli import main
from gameservices.testing.threaded import ServerThread

KEY = "s3cret-server-key"
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="package")
def server() -> Iterator[ServerThread]:
    with ServerThread(db_path=":memory:", server_key=KEY) as running:
        yield running


@pytest.fixture
def cli(server: ServerThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cli(*argv)`` -> (exit code, stdout, stderr), against ``server`` with a fresh data dir."""

    def run(*argv: str, url: str | None = None, url_flag: bool = True) -> tuple[int, str, str]:
        args = [*argv, "--data-dir", str(tmp_path), "--retries", "0"]
        if url_flag:
            args += ["--url", url or server.url]
        code = main(args)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def logged_in(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``cli`` with the right server key in the environment and a saved session."""
    monkeypatch.setenv("GAMESERVICES_SERVER_KEY", KEY)
    code, _, err = cli("login")
    assert code == 0, err
    return cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: nothing listens there
