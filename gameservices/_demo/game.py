"""The demo's game: a headless 60 Hz loop that uses every service through one TickRunner.

Timeline (frames at 60 Hz): frame 0 logs in (restoring the saved session when there is one),
then reads the top 10 and the player's neighbourhood; their arrival starts the asset sync, loads
the cloud save, joins the cup and starts the online chain (``online``: account, socket and
status, the login reward's server function, befriending the buddy, the clan, its chat, a
matchmade relayed match with the buddy). Every ``SUBMIT_EVERY`` frames the player finishes a
round: its score goes through the durable outbox, with an analytics event; every
``SAVE_EVERY`` rounds (from the first) the progress is saved and the best score goes to the cup.
Every ``REFRESH_EVERY`` frames the board is read again. After ``seconds``, the progress is saved
a last time, the outbox and the saves are flushed, the final standings, the cup, the
notifications and the server's copy of the save are read; the loop ends when all that has
arrived and the match's last echoes are back. ``log`` (``services``) has a row per service.

Invariants: callbacks (run inside ``tick()``) only store results and queue drawing for the idle
time (``SlackSleep``); no file or terminal I/O happens inside a measured frame; a failing
service fills its row and never stops the others.
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
from .online import Online
from .progress import SAVE_EVERY, SLOT, WrapUp, progress, record, wrap_up
from .services import ServiceLog, timed
from .world import CUP

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
        buddy: str,
    ) -> None:
        self.runner, self.client, self.ui, self.slack = runner, client, ui, slack
        self.data_dir, self.downloads, self.pack_sizes = data_dir, downloads, pack_sizes
        self.end_frame = round(seconds * fps)
        self.max_bytes_per_s = max_bytes_per_s
        self.meter = FrameMeter(period=1.0 / fps)
        self.timeline = Timeline()
        self.log = ServiceLog()
        self.online = Online(client, runner, self.log, buddy)
        self.final: Boards | None = None
        self._start = time.perf_counter()
        self._ending = False
        self._done = False
        self._work = 0.0
        self._loaded = False  # the cloud save has been read (saving before would lose it)
        self._save: dict[str, Any] | None = None  # what it held
        self._best = 0
        self._cup_joined = False
        self.missed = 0  # set by the loop when it ends
        self.overruns = 0  # the runner's loop iterations over budget, set at the end

    # -- the loop's hooks ------------------------------------------------------------------

    def frame(self, n: int) -> None:
        if n > 0:
            self.meter.record(self._work, self.runner.timer.wall, self.runner.timer.cpu)
        start = time.perf_counter()
        if n == 0:
            self._start = start
            self.runner.submit(self._login_and_read(), on_done=self._started,
                               on_error=self._login_failed)  # fmt: skip
        game_work()
        if self.timeline.logged_in is not None and not self._ending:
            if n % SUBMIT_EVERY == SUBMIT_EVERY - 1:
                self._round_over(round_score(n))
            if n % REFRESH_EVERY == REFRESH_EVERY - 1:
                self._submit(self._boards(), self._refreshed)
            self.online.frame(n)
        if n >= self.end_frame and not self._ending:
            self._ending = True
            self.online.stop()
            cup = self._best if self._cup_joined else None
            self._submit(self._finish(cup), self._finished)
        self._work = time.perf_counter() - start

    def finished(self) -> bool:
        return self._done and self.online.settled()

    def close(self) -> None:
        """After the loop: the event counts go into their rows."""
        self.online.finish()

    # -- a round ends (inside frame(): submits only) ----------------------------------------

    def _round_over(self, score: int) -> None:
        t = self.timeline
        t.submitted += 1
        self._best = max(self._best, score)
        self._submit(self.client.leaderboards.submit(BOARD, score), self._durable)
        event = self.client.events.send("round_end", {"round": t.submitted, "score": score})
        self.runner.submit(event, on_done=lambda _: self.log.count("events", "sent"),
                           on_error=self.log.on_error("events"))  # fmt: skip
        if t.submitted % SAVE_EVERY != 1:
            return
        if self._loaded:
            value = progress(self._save, t.submitted, self._best)
            self.runner.submit(self.client.saves.save(SLOT, value),
                               on_done=lambda _: self.log.count("saves", "saves"),
                               on_error=self.log.on_error("saves"))  # fmt: skip
        if self._cup_joined:
            self.runner.submit(self.client.tournaments.submit(CUP, self._best),
                               on_done=lambda _: self.log.count("tournaments", "written"),
                               on_error=self.log.on_error("tournaments"))  # fmt: skip

    # -- coroutines (run on the runner's loop) -----------------------------------------------

    async def _login_and_read(self) -> tuple[bool, float, Boards]:
        restored, secs = await timed(login(self.client, self.data_dir))
        return restored, secs, await read_boards(self.client)

    async def _boards(self) -> Boards:
        return await read_boards(self.client)

    async def _finish(self, cup: int | None) -> Boards:
        if cup is not None:  # the session's best, in the cup: delivered by the flush below
            await self.client.tournaments.submit(CUP, cup)
        await self.client.outbox.flush(timeout=FLUSH_TIMEOUT)  # raises unless all delivered
        return await self._boards()

    async def _load(self) -> tuple[dict[str, Any] | None, float]:
        return await timed(self.client.saves.load(SLOT))

    # -- callbacks (run inside tick(): cheap, no I/O) ----------------------------------------

    def _now(self) -> float:
        return time.perf_counter() - self._start

    def _submit(self, coro: Coroutine[Any, Any, Any], on_done: Callable[[Any], object]) -> None:
        self.runner.submit(coro, on_done=on_done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.timeline.errors.append(f"{type(exc).__name__}: {exc}")
        if self._ending and not self._done:
            self._wrap_up()  # the final step failed: still save and report, then end

    def _login_failed(self, exc: BaseException) -> None:
        self.log.failed("auth", exc)
        self._failed(exc)

    def _start_sync(self) -> None:
        self.timeline.sync_started = self._now()
        self.slack.later(self.ui.start_sync)
        self.runner.submit(
            self.client.assets.sync(self.downloads, max_bytes_per_s=self.max_bytes_per_s),
            on_done=self._synced,
            on_error=self._sync_failed,
            on_progress=self.ui.sync_progress,
        )

    def _started(self, result: tuple[bool, float, Boards]) -> None:
        restored, login_secs, boards = result
        self.timeline.logged_in = self.timeline.first_board = self._now()
        self.timeline.restored = restored
        how = "restored the saved session" if restored else "logged in by device id"
        self.log.ok("auth", f"{how} in {login_secs * 1000:,.1f} ms", login_secs,
                    restored=restored)  # fmt: skip
        self.log.ok("leaderboards", f"top 10 and around you on screen "
                    f"{self.timeline.first_board * 1000:,.1f} ms after frame 0",
                    self.timeline.first_board, reads=1)  # fmt: skip
        session = self.client.session
        name, uid = (session.username, session.user_id) if session is not None else ("?", "")
        self.slack.later(lambda: self.ui.logged_in(name, uid, restored))
        self.slack.later(lambda: self.ui.show_boards("Top 10 (first read)", boards))
        self._start_sync()  # after the board: what the player sees first goes first
        self.runner.submit(self._load(), on_done=self._loaded_save,
                           on_error=self.log.on_error("saves"))  # fmt: skip
        self.runner.submit(timed(self.client.tournaments.join(CUP)), on_done=self._joined,
                           on_error=self.log.on_error("tournaments"))  # fmt: skip
        self.online.start()

    def _loaded_save(self, result: tuple[dict[str, Any] | None, float]) -> None:
        value, secs = result
        self._loaded, self._save = True, value
        if value is None:
            detail = "no save yet: a new progress"
        else:
            runs = value.get("runs", 0)
            detail = (f"loaded: {value.get('rounds', 0)} rounds, best {value.get('best', 0):,}, "
                      f"from {runs} run{'' if runs == 1 else 's'} before")  # fmt: skip
        self.log.ok("saves", detail, secs, loaded=value)

    def _joined(self, result: tuple[None, float]) -> None:
        self._cup_joined = True
        self.log.ok("tournaments", f"joined {CUP}", result[1], joined=True)

    def _refreshed(self, boards: Boards) -> None:
        self.ui.latest = boards  # kept for the screen; not printed again
        self.log.count("leaderboards", "reads")

    def _synced(self, result: Any) -> None:
        t = self.timeline
        t.sync_done = self._now()
        t.sync_downloaded = tuple(result.downloaded)
        t.sync_current = tuple(result.up_to_date)
        t.sync_bytes = sum(self.pack_sizes.get(n, 0) for n in result.downloaded)
        for name, exc in dict(result.failed).items():
            t.errors.append(f"sync {name}: {exc}")
            self.log.failed("assets", exc)
        secs = t.sync_done - (t.sync_started or 0.0)
        self.log.ok("assets", f"{len(t.sync_downloaded)} packs downloaded "
                    f"({t.sync_bytes / 2**20:,.0f} MB), {len(t.sync_current)} already current, "
                    f"in {secs:.2f} s", secs, downloaded=len(t.sync_downloaded),
                    current=len(t.sync_current))  # fmt: skip
        nbytes = t.sync_bytes
        self.slack.later(lambda: self.ui.sync_done(result, nbytes))

    def _sync_failed(self, exc: BaseException) -> None:
        self.log.failed("assets", exc)
        self._failed(exc)

    def _durable(self, submission: object) -> None:
        self.timeline.submits_durable += 1

    def _finished(self, boards: Boards) -> None:
        self.timeline.flushed = True  # _finish got past the flush
        self.final = boards
        t, events = self.timeline, self.log.rows["events"].counts.get("sent", 0)
        if self._cup_joined:
            self.log.count("tournaments", "written")  # the session's best, sent by _finish
        cups = self.log.rows["tournaments"].counts.get("written", 0)
        self.log.ok("outbox", f"{t.submitted} scores, {events} events, {cups} cup scores "
                    f"queued on disk; all delivered", submitted=t.submitted,
                    durable=t.submits_durable, flushed=True)  # fmt: skip
        self.log.ok("events", f"{events} round_end events, delivered with the scores",
                    delivered=True)  # fmt: skip
        mine = [r for r in boards.around.records if r.owner_id == self.online.me]
        if mine:
            self.log.ok("leaderboards", f"{self.log.rows['leaderboards'].detail}; final rank "
                        f"{mine[0].rank}", rank=mine[0].rank)  # fmt: skip
        self._wrap_up()

    def _wrap_up(self) -> None:
        value = progress(self._save, self.timeline.submitted, self._best) if self._loaded else None
        me = self.online.me
        self.runner.submit(
            wrap_up(self.client, value, me, self._cup_joined, FLUSH_TIMEOUT),
            on_done=self._wrapped,
            on_error=self._wrap_failed,
        )

    def _wrapped(self, wrap: WrapUp) -> None:
        record(self.log, wrap, self.online.me)
        self._done = True

    def _wrap_failed(self, exc: BaseException) -> None:
        self.timeline.errors.append(f"wrap-up: {type(exc).__name__}: {exc}")
        self._done = True
