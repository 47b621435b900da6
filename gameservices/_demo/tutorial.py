"""The tutorial's way, measured in the same run: ``run_until_complete(sleep(frame / 3))`` per tick.

This is ``seed-asyncio-in-bge.md``'s fix for a blocking socket: it steps asyncio by sleeping a
third of every frame inside the frame, busy or idle. The same client does similar work as in the
gameservices phase (log in, read the board, download one pack, post and read scores), through the
same fixed-step loop (``run_headless``), so the frame figures compare like for like.

Invariants: the phase owns its event loop and client and closes both; its files live under
``work_dir``, which it removes at the end (after the loop, outside any frame).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .._client.client import Client
from .._runner.runner import TickRunner
from ..engines.headless import run_headless
from .frames import FrameFigures, FrameMeter, TickTimer, game_work
from .game import BOARD, REFRESH_EVERY, SUBMIT_EVERY, login, read_boards, round_score

__all__ = ["TutorialResult", "run_tutorial"]


@dataclass(frozen=True)
class TutorialResult:
    figures: FrameFigures
    first_board: float | None
    download_bytes: int
    download_seconds: float | None
    errors: tuple[str, ...]


class _TutorialTicker:
    """Has the one method ``run_headless`` calls: ``tick()``, done the tutorial's way."""

    def __init__(self, loop: asyncio.AbstractEventLoop, period: float) -> None:
        self.loop, self.period = loop, period
        self.timer = TickTimer()

    def tick(self) -> None:
        with self.timer:
            self.loop.run_until_complete(asyncio.sleep(self.period / 3))


class _TutorialGame:
    def __init__(
        self,
        ticker: _TutorialTicker,
        client: Client,
        data_dir: Path,
        pack: str,
        work_dir: Path,
        frames: int,
    ) -> None:
        self.ticker, self.client, self.data_dir, self.pack = ticker, client, data_dir, pack
        self.work_dir, self.frames = work_dir, frames
        self.meter = FrameMeter(period=ticker.period)
        self.tasks: list[asyncio.Task[Any]] = []
        self.errors: list[str] = []
        self.first_board: float | None = None
        self.download: tuple[int, float] | None = None
        self.logged_in = False
        self._start = 0.0
        self._work = 0.0

    def spawn(self, coro: Any) -> None:
        self.tasks.append(self.ticker.loop.create_task(coro))

    def frame(self, n: int) -> None:
        if n > 0:
            self.meter.record(self._work, self.ticker.timer.wall, self.ticker.timer.cpu)
        start = time.perf_counter()
        if n == 0:
            self._start = start
            self.spawn(self._login_then_read())
        game_work()
        if self.logged_in and n % SUBMIT_EVERY == SUBMIT_EVERY - 1:
            self.spawn(self._guard(self.client.leaderboards.write(BOARD, round_score(n))))
        if self.logged_in and n % REFRESH_EVERY == REFRESH_EVERY - 1:
            self.spawn(self._guard(self.client.leaderboards.list(BOARD, limit=10)))
        self._work = time.perf_counter() - start

    async def _guard(self, coro: Any) -> None:
        try:
            await coro
        except Exception as exc:  # recorded for the report; the phase goes on
            self.errors.append(f"{type(exc).__name__}: {exc}")

    async def _login_then_read(self) -> None:
        await self._guard(login(self.client, self.data_dir))  # the same steps as the game's
        self.logged_in = True
        await self._guard(self._first_board())
        await self._guard(self._download())

    async def _first_board(self) -> None:
        await read_boards(self.client)
        self.first_board = time.perf_counter() - self._start

    async def _download(self) -> None:
        start = time.perf_counter()
        path = await self.client.assets.download(self.pack, self.work_dir / "downloads")
        size = await asyncio.to_thread(lambda: path.stat().st_size)
        self.download = (size, time.perf_counter() - start)


def run_tutorial(
    url: str,
    *,
    server_key: str,
    data_dir: Path,
    pack: str,
    work_dir: Path,
    seconds: float,
    fps: float,
) -> TutorialResult:
    """Run the tutorial's tick for ``seconds`` at ``fps`` and measure it."""
    shutil.rmtree(work_dir, ignore_errors=True)  # a fresh download every run
    loop = asyncio.new_event_loop()
    client = Client(url, server_key=server_key, data_dir=work_dir / "session")
    ticker = _TutorialTicker(loop, 1.0 / fps)
    game = _TutorialGame(ticker, client, data_dir, pack, work_dir, round(seconds * fps))
    try:
        # run_headless calls only .tick(): the tutorial's step goes through the same loop.
        result = run_headless(
            cast(TickRunner, ticker), fps, frames=game.frames, on_frame=game.frame
        )
    finally:
        for task in game.tasks:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*game.tasks, return_exceptions=True))
        loop.run_until_complete(client.close())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        shutil.rmtree(work_dir, ignore_errors=True)
    nbytes, secs = game.download if game.download is not None else (0, None)
    return TutorialResult(
        figures=game.meter.figures(result.missed),
        first_board=game.first_board,
        download_bytes=nbytes,
        download_seconds=secs,
        errors=tuple(game.errors),
    )
