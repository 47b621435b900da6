"""Game code drives the client through a TickRunner: results arrive on the game thread inside
tick(), and runner.close() closes the client (its aiohttp session) before the loop goes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp import web

from gameservices import Client, LeaderboardRecordList, TickRunner
from gameservices.engines.headless import run_headless

from .nakama_seam import NakamaSeam


@contextmanager
def seam_on_a_thread(seam: NakamaSeam) -> Iterator[str]:
    """The seam server on its own loop and thread (the runner owns the test's loop)."""
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def serve() -> None:
        runner = web.AppRunner(seam.app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        box["stop"] = asyncio.Event()
        box["loop"] = asyncio.get_running_loop()
        box["url"] = f"http://127.0.0.1:{runner.addresses[0][1]}"
        ready.set()
        await box["stop"].wait()
        await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(serve(),))
    thread.start()
    assert ready.wait(10)
    try:
        yield box["url"]
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_client_through_a_tick_runner(mode: str) -> None:
    seam = NakamaSeam()
    with seam_on_a_thread(seam) as url:
        runner = TickRunner(mode=mode)  # type: ignore[arg-type]  # parametrized literal
        client = Client(url)
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
