"""The demo's game: a headless 60 Hz loop that uses every service through one TickRunner.

Timeline (frames at 60 Hz): frame 0 logs in (restoring the saved session when there is one),
then reads the top 10 and the player's neighbourhood; their arrival starts the asset sync;
every ``SUBMIT_EVERY`` frames the player finishes a round and submits a score through the durable
outbox; every ``REFRESH_EVERY`` frames the board is read again. After ``seconds``, the outbox is
flushed and the final standings are read; the loop ends when that has arrived.

Invariants: callbacks (run inside ``tick()``) only store results and queue drawing for the idle
time (``SlackSleep``); no file or terminal I/O happens inside a measured frame.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._cli import profile
from .._client.client import Client
from .._protocol.models import LeaderboardRecordList
from .._runner.runner import TickRunner
from .frames import FrameMeter, SlackSleep, TickTimer, game_work

__all__ = [
    "BOARD",
    "Boards",
    "DemoGame",
    "TimedRunner",
    "Timeline",
    "device_id",
    "device_login",
    "login",
    "read_boards",
    "relogin",
    "round_score",
]

BOARD = "weekly"
SUBMIT_EVERY = 30  # a round every half second
REFRESH_EVERY = 60
FLUSH_TIMEOUT = 10.0


class TimedRunner(TickRunner):
    """A TickRunner that times each ``tick()`` for the frame meter."""

    timer = TickTimer()

    def tick(self) -> None:
        with self.timer:
            super().tick()


def round_score(frame: int) -> int:
    """The score of the round that ends at ``frame`` (deterministic, varied)."""
    return 1000 + (frame * 7919) % 4000


async def device_id(data_dir: Path) -> str:
    """This install's device id, made once and kept in ``data_dir/device_id`` (in a thread)."""
    return await asyncio.to_thread(profile.device_id, data_dir, "demo")


async def device_login(client: Client, data_dir: Path) -> object:
    """Log in with this install's device id (the account is made on first use)."""
    device = await device_id(data_dir)
    return await client.auth.device(device, create=True, username=f"you-{device[-6:]}")


async def login(client: Client, data_dir: Path) -> bool:
    """Restore the saved session, or log in by device id; True when restored."""
    if await client.auth.restore() is not None:
        return True
    await device_login(client, data_dir)
    return False


def relogin(data_dir: Path) -> Callable[[Client], Awaitable[object]]:
    """The client's ``reauthenticate``: when the refresh token is dead too, log in by device."""

    return lambda client: device_login(client, data_dir)


async def read_boards(client: Client) -> Boards:
    """The top 10 and the player's neighbourhood, read concurrently."""
    top, around = await asyncio.gather(
        client.leaderboards.list(BOARD, limit=10),
        client.leaderboards.around(BOARD, limit=5),
    )
    return Boards(top, around)


@dataclass(frozen=True)
class Boards:
    """The top of a board and the player's neighbourhood, as read together."""

    top: LeaderboardRecordList
    around: LeaderboardRecordList


@dataclass
class Timeline:
    """When things happened, in seconds since the loop started (None: not yet)."""

    logged_in: float | None = None
    restored: bool = False
    first_board: float | None = None
    sync_started: float | None = None
    sync_done: float | None = None
    sync_bytes: int = 0
    sync_downloaded: tuple[str, ...] = ()
    sync_current: tuple[str, ...] = ()
    submitted: int = 0
    submits_durable: int = 0
    flushed: bool = False
    errors: list[str] = field(default_factory=list)


class DemoGame:
    """The game's logic; ``frame(n)`` is the headless loop's ``on_frame``."""

    def __init__(
        self,
        runner: TimedRunner,
        client: Client,
        *,
        data_dir: Path,
        downloads: Path,
        pack_sizes: dict[str, int],
        seconds: float,
        fps: float,
        max_bytes_per_s: float | None = None,
        ui: Any,
        slack: SlackSleep,
    ) -> None:
        self.runner, self.client, self.ui, self.slack = runner, client, ui, slack
        self.data_dir, self.downloads, self.pack_sizes = data_dir, downloads, pack_sizes
        self.end_frame = round(seconds * fps)
        self.max_bytes_per_s = max_bytes_per_s
        self.meter = FrameMeter(period=1.0 / fps)
        self.timeline = Timeline()
        self.final: Boards | None = None
        self._start = time.perf_counter()
        self._ending = False
        self._done = False
        self._work = 0.0
        self.missed = 0  # set by the loop when it ends
        self.overruns = 0  # the runner's loop iterations over budget, set at the end

    # -- the loop's hooks ------------------------------------------------------------------

    def frame(self, n: int) -> None:
        if n > 0:
            self.meter.record(self._work, self.runner.timer.wall, self.runner.timer.cpu)
        start = time.perf_counter()
        if n == 0:
            self._start = start
            self._submit(self._login_and_read(), self._started)
        game_work()
        if self.timeline.logged_in is not None and not self._ending:
            if n % SUBMIT_EVERY == SUBMIT_EVERY - 1:
                self.timeline.submitted += 1
                self._submit(self.client.leaderboards.submit(BOARD, round_score(n)), self._durable)
            if n % REFRESH_EVERY == REFRESH_EVERY - 1:
                self._submit(self._boards(), self._refreshed)
        if n >= self.end_frame and not self._ending:
            self._ending = True
            self._submit(self._finish(), self._finished)
        self._work = time.perf_counter() - start

    def finished(self) -> bool:
        return self._done

    # -- coroutines (run on the runner's loop) -----------------------------------------------

    async def _login_and_read(self) -> tuple[bool, Boards]:
        restored = await login(self.client, self.data_dir)
        return restored, await read_boards(self.client)

    async def _boards(self) -> Boards:
        return await read_boards(self.client)

    async def _finish(self) -> Boards:
        await self.client.outbox.flush(timeout=FLUSH_TIMEOUT)  # raises unless all delivered
        return await self._boards()

    # -- callbacks (run inside tick(): cheap, no I/O) ----------------------------------------

    def _now(self) -> float:
        return time.perf_counter() - self._start

    def _submit(self, coro: Coroutine[Any, Any, Any], on_done: Callable[[Any], object]) -> None:
        self.runner.submit(coro, on_done=on_done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.timeline.errors.append(f"{type(exc).__name__}: {exc}")
        if self._ending:
            self._done = True  # the final step failed: end now rather than wait for ever

    def _start_sync(self) -> None:
        self.timeline.sync_started = self._now()
        self.slack.later(self.ui.start_sync)
        self.runner.submit(
            self.client.assets.sync(self.downloads, max_bytes_per_s=self.max_bytes_per_s),
            on_done=self._synced,
            on_error=self._failed,
            on_progress=self.ui.sync_progress,
        )

    def _started(self, result: tuple[bool, Boards]) -> None:
        restored, boards = result
        self.timeline.logged_in = self.timeline.first_board = self._now()
        self.timeline.restored = restored
        session = self.client.session
        name, uid = (session.username, session.user_id) if session is not None else ("?", "")
        self.slack.later(lambda: self.ui.logged_in(name, uid, restored))
        self.slack.later(lambda: self.ui.show_boards("Top 10 (first read)", boards))
        self._start_sync()  # after the board: what the player sees first goes first

    def _refreshed(self, boards: Boards) -> None:
        self.ui.latest = boards  # kept for the screen; not printed again

    def _synced(self, result: Any) -> None:
        self.timeline.sync_done = self._now()
        self.timeline.sync_downloaded = tuple(result.downloaded)
        self.timeline.sync_current = tuple(result.up_to_date)
        self.timeline.sync_bytes = sum(self.pack_sizes.get(n, 0) for n in result.downloaded)
        for name, exc in dict(result.failed).items():
            self.timeline.errors.append(f"sync {name}: {exc}")
        nbytes = self.timeline.sync_bytes
        self.slack.later(lambda: self.ui.sync_done(result, nbytes))

    def _durable(self, submission: object) -> None:
        self.timeline.submits_durable += 1

    def _finished(self, boards: Boards) -> None:
        self.timeline.flushed = True  # _finish got past the flush
        self.final = boards
        self._done = True
