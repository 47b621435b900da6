"""What the demo draws: leaderboard tables and the asset progress bar (rich).

Invariants: methods called from runner callbacks (``sync_progress``) only store values and queue
one drawing job for the idle time; everything that writes to the terminal runs from
``SlackSleep`` jobs, outside the measured frames. The progress bar never refreshes on its own
thread (``auto_refresh=False``), so drawing never competes with a frame for the GIL.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from .._cli.tables import records_table, to_rich
from .frames import SlackSleep

__all__ = ["DemoUI"]


class DemoUI:
    """The demo's terminal: tables between frames, one progress bar for the sync."""

    def __init__(self, console: Console, slack: SlackSleep) -> None:
        self.console, self.slack = console, slack
        self.me: str | None = None
        self.latest: Any = None
        self.progress = Progress(
            TextColumn("[bold]asset packs"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
        )
        self._task: TaskID | None = None
        self._latest_progress: tuple[int, int | None] = (0, None)
        self._queued = False

    def logged_in(self, username: str, user_id: str, restored: bool) -> None:
        self.me = user_id
        how = "restored the saved session" if restored else "logged in by device id"
        self.console.print(f"{username}: {how}", markup=False, highlight=False)

    def show_boards(self, title: str, boards: Any) -> None:
        self.console.print(to_rich(records_table(title, boards.top.records, self.me)))
        if boards.around.records:  # empty before your first score lands: not worth a box
            self.console.print(to_rich(records_table("Around you", boards.around.records, self.me)))

    def start_sync(self) -> None:
        self.progress.start()
        self._task = self.progress.add_task("sync", total=None)

    def sync_progress(self, done: int, total: int | None) -> None:
        """on_progress: runs inside tick(), so it only stores and queues one redraw."""
        self._latest_progress = (done, total)
        if not self._queued:
            self._queued = True
            self.slack.later(self._draw)

    def _draw(self) -> None:
        self._queued = False
        if self._task is None:
            return
        done, total = self._latest_progress
        self.progress.update(self._task, completed=done, total=total)
        self.progress.refresh()

    def sync_done(self, result: Any, nbytes: int) -> None:
        if self._task is not None:
            done = max(nbytes, self._latest_progress[0])
            self.progress.update(self._task, completed=done, total=done or 1)
            self.progress.refresh()
            self.progress.stop()
        got, current = len(result.downloaded), len(result.up_to_date)
        line = f"assets: {got} downloaded, {current} already up to date"
        if result.failed:
            line += f", {len(result.failed)} failed"
        self.console.print(line)

    def close(self) -> None:
        if self.progress.live.is_started:
            self.progress.stop()
