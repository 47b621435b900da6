"""ServerThread: a reference server on its own thread and loop."""

from __future__ import annotations

import asyncio
import threading
import urllib.request

import pytest

from gameservices.testing.threaded import ServerThread


def test_serves_from_its_own_thread_and_closes_cleanly() -> None:
    with ServerThread(db_path=":memory:") as server:
        with urllib.request.urlopen(f"{server.url}/v2/openapi.json", timeout=10) as resp:
            assert resp.status == 200

        async def where() -> threading.Thread:
            await asyncio.sleep(0)
            return threading.current_thread()

        thread = server.call(where(), timeout=10)
        assert thread.name == "gameservices-server"
        assert thread is not threading.current_thread()
    assert not thread.is_alive()  # close() stopped the server and joined its thread
    server.close()  # idempotent
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


def test_a_startup_error_reaches_the_caller() -> None:
    server = ServerThread(db_path=":memory:", port=0, host="")
    with pytest.raises(ValueError, match="host"):
        server.start()
    server.close()


def test_cannot_start_twice() -> None:
    with ServerThread(db_path=":memory:") as server, pytest.raises(RuntimeError, match="once"):
        server.start()
