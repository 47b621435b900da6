"""Game code drives the client through a TickRunner: results arrive on the game thread inside
tick(), and runner.close() closes the client (its aiohttp session) before the loop goes."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from gameservices import Client, LeaderboardRecordList, TickRunner
from gameservices.engines.headless import run_headless
from gameservices.testing.threaded import ServerThread


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_client_through_a_tick_runner(mode: str) -> None:
    with ServerThread() as server:  # its own loop and thread: the runner owns this one
        runner = TickRunner(mode=mode)  # type: ignore[arg-type]  # parametrized literal
        client = Client(server.url)
        results: list[Any] = []
        game_thread = threading.get_ident()

        def done(value: Any) -> None:
            results.append((threading.get_ident(), value))

        async def play() -> LeaderboardRecordList:
            await client.auth.device("device-0001-abcdef")
            return await client.leaderboards.list("weekly")

        handle = runner.submit(play(), on_done=done, on_error=done)
        run_headless(runner, fps=1000, until=handle.done, sleep=lambda s: None)
        run_headless(runner, fps=1000, frames=1, sleep=lambda s: None)  # deliver
        assert results
        assert results[0][0] == game_thread
        assert isinstance(results[0][1], LeaderboardRecordList)
        assert client.state.value == "open"
        runner.close()
        assert client.state.value == "closed"
        assert client.transport.state.value == "closed"
