"""Helpers for the realtime socket's connection tests: a TCP proxy that can go silent, a clock
the test moves, and an event reader with a bound (a broken client fails instead of hanging)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from gameservices import RetryPolicy
from gameservices._client.realtime_events import Event

__all__ = ["FAST_RETRY", "FakeClock", "Proxy", "fast_sleep", "next_event"]

WAIT = 20.0


async def fast_sleep(delay: float) -> None:
    """A watchdog or backoff sleep that lets the loop run without waiting the real delay."""
    await asyncio.sleep(0.005)


FAST_RETRY = RetryPolicy(sleep=fast_sleep, random=lambda: 0.5)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def next_event(events: AsyncIterator[Event], kind: str, seen: list[Event] | None = None
                     ) -> Any:  # fmt: skip
    async def find() -> Any:
        async for event in events:
            if seen is not None:
                seen.append(event)
            if event.kind == kind:
                return event.data
        raise AssertionError(f"the socket closed for good before a {kind} event")

    return await asyncio.wait_for(find(), WAIT)


class Proxy:
    """127.0.0.1 TCP proxy to ``port``. ``pause()``: open connections stay open but every byte
    is swallowed (a network that silently drops packets) and new connections are closed at
    once; ``resume()`` forwards again (for new connections). ``cut()``: every open connection
    is closed, both ways (a dropped connection both ends notice); new ones are forwarded."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.paused = False
        self.swallowed = 0  # client -> server bytes dropped while paused
        self.swallowed_changed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> Proxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def pause(self) -> None:
        self.paused = True

    def cut(self) -> None:
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    def resume(self) -> None:
        self.paused = False

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        if self.paused:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        self._writers.append(up_writer)
        for src, dst, upward in ((reader, up_writer, True), (up_reader, writer, False)):
            task = asyncio.ensure_future(self._pipe(src, dst, upward))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, upward: bool
                    ) -> None:  # fmt: skip
        with contextlib.suppress(ConnectionError, OSError):
            while data := await src.read(65536):
                if self.paused:
                    if upward:
                        self.swallowed += len(data)
                        self.swallowed_changed.set()
                    continue
                dst.write(data)
                await dst.drain()
        dst.close()
