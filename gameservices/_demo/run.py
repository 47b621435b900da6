"""``make demo``: setup, the gameservices game loop, the tutorial's loop, then the report.

Invariants: the game thread only ticks its runner (the server runs on its own thread, packs are
made on a worker thread before the loop); drawing happens in the loop's idle time; every resource
(runner, client, server thread) is closed on the way out, on success or failure.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from .._cli.logs import collect_logs
from .._client.client import Client
from .._runner.runner import DEFAULT_BUDGET, DEFAULT_MODE, Mode
from ..engines.headless import run_headless
from .frames import SlackSleep
from .game import DemoGame, TimedRunner, Timeline, relogin
from .report import NEXT_STEP, comparison_table, report_json, services_table
from .setup import SERVER_KEY, Setup, bot_name, prepare
from .tutorial import TutorialResult, run_tutorial
from .ui import DemoUI

__all__ = ["DemoOptions", "run_demo"]

FIRST_RUN = "first_run.json"
EXTRA_SECONDS = 30.0  # after `seconds`, how long the loop may wait for the flush to finish


@dataclass(frozen=True)
class DemoOptions:
    seconds: float = 10.0
    pack_mb: float = 100.0
    data_dir: Path = Path(".demo")
    fps: float = 60.0
    mode: Mode = DEFAULT_MODE
    budget: float = DEFAULT_BUDGET
    compare_seconds: float = 3.0
    bots: int = 30
    report: Path | None = None
    verbose: bool = False
    max_mbps: float | None = None  # cap the asset sync (MB/s); None: as fast as it goes

    def __post_init__(self) -> None:
        for name in ("seconds", "pack_mb", "fps", "budget", "compare_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.max_mbps is not None and not self.max_mbps > 0:
            raise ValueError(f"max_mbps must be > 0, got {self.max_mbps!r}")
        if self.bots < 0:
            raise ValueError(f"bots must be >= 0, got {self.bots}")


def _first_run(data_dir: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((data_dir / FIRST_RUN).read_text())
    except (OSError, ValueError):
        return None
    return data


def _loop(opts: DemoOptions, setup: Setup, console: Console) -> DemoGame:
    """The gameservices phase: run_headless ticks a TickRunner; returns the finished game."""
    slack = SlackSleep()
    ui = DemoUI(console, slack)
    runner = TimedRunner(mode=opts.mode, budget=opts.budget)
    client = Client(
        setup.server.url,
        server_key=SERVER_KEY,
        data_dir=opts.data_dir / "player",
        reauthenticate=relogin(opts.data_dir),  # a saved session the server forgot: log in again
    )
    game = DemoGame(
        runner,
        client,
        data_dir=opts.data_dir,
        downloads=opts.data_dir / "downloads",
        pack_sizes=setup.packs.sizes,
        seconds=opts.seconds,
        fps=opts.fps,
        max_bytes_per_s=opts.max_mbps * 2**20 if opts.max_mbps else None,
        ui=ui,
        slack=slack,
        buddy=bot_name(0) if setup.buddy is not None else "",
    )
    try:
        with runner:  # closing it closes the client (registered with runner.on_close)
            cap = game.end_frame + round(EXTRA_SECONDS * opts.fps)
            result = run_headless(
                runner, opts.fps, frames=cap, until=game.finished, on_frame=game.frame, sleep=slack
            )
            game.missed = result.missed
        game.overruns = runner.stats.overruns
    finally:
        game.close()
        slack.drain()
        ui.close()
    if game.final is not None:
        ui.show_boards("Top 10 (final, after the outbox flushed)", game.final)
    return game


def _summary(
    game: DemoGame, setup: Setup, first: dict[str, Any] | None, setup_s: float, total_s: float
) -> list[str]:
    t = game.timeline
    delivered = "all delivered" if t.flushed else "NOT all delivered"
    lines = [
        f"scores: {t.submitted} submitted through the outbox, {t.submits_durable} durable "
        f"on disk, {delivered}"
    ]
    if first is None:
        lines.append(
            f"first run: packs generated, {setup.bots} bots seeded, session saved; "
            f"setup {setup_s:.2f} s, total {total_s:.1f} s. Run it again: it is faster."
        )
        return lines
    before = first["run"]
    session = "session restored (no login request)" if t.restored else "session NOT restored"
    lines.append(
        f"second run is faster: {session}, {len(t.sync_current)}/{len(setup.packs.sizes)} packs "
        f"already current ({t.sync_bytes:,} bytes downloaded); setup "
        f"{before['setup_seconds']:.2f} s -> {setup_s:.2f} s, sync "
        f"{_fmt(before.get('sync_seconds'))} -> {_fmt(_sync_seconds(t))}, total "
        f"{before['total_seconds']:.1f} s -> {total_s:.1f} s (first run -> this run)"
    )
    return lines


def _fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def _sync_seconds(t: Timeline) -> float | None:
    if t.sync_done is None or t.sync_started is None:
        return None
    return t.sync_done - t.sync_started


def run_demo(opts: DemoOptions, console: Console | None = None) -> int:
    """Run the whole demo; returns the exit code (0 when every step worked)."""
    console = console or Console()
    started = time.perf_counter()
    first = _first_run(opts.data_dir)
    console.rule("gameservices demo")
    setup = prepare(opts.data_dir, opts.pack_mb, opts.bots)
    setup_seconds = time.perf_counter() - started
    how = "generated" if setup.packs.generated else "reused from the cache"
    buddy = f"{bot_name(0)} online" if setup.buddy else f"no buddy ({setup.buddy_error})"
    console.print(
        f"server {setup.server.url} (own thread), {len(setup.packs.sizes)} packs "
        f"({setup.packs.total / 2**20:.0f} MB) {how}, {setup.bots} bots seeded, {buddy}, "
        f"setup {setup_seconds:.2f} s"
    )
    with collect_logs() as logs:
        try:
            game = _loop(opts, setup, console)
            tutorial = run_tutorial(
                setup.server.url,
                server_key=SERVER_KEY,
                data_dir=opts.data_dir,
                pack="levels.pak",
                work_dir=opts.data_dir / "tutorial",
                seconds=opts.compare_seconds,
                fps=opts.fps,
            )
        finally:
            setup.close()
    code = _report(opts, console, game, tutorial, setup, first, started, setup_seconds)
    _print_logs(console, logs.records, opts.verbose)
    return code


def _buddy_figures(setup: Setup) -> dict[str, Any]:
    b = setup.buddy
    if b is None:
        return {"online": False, "errors": [f"it did not start: {setup.buddy_error}"]}
    return {"online": True, "accepted": b.accepted, "answered": b.answered,
            "matches": b.matches, "echoed": b.echoed, "errors": list(b.errors)}  # fmt: skip


def _print_logs(console: Console, records: list[logging.LogRecord], verbose: bool) -> None:
    if not records:
        return
    if not verbose:
        console.print(
            f"{len(records)} library warnings (e.g. loop iterations over the budget, "
            "each culprit once); --verbose prints them"
        )
        return
    for record in records:
        console.print(
            f"[yellow]{record.levelname.lower()}:[/] {record.getMessage()}",
            markup=True,
            highlight=False,
            soft_wrap=True,  # one line per warning, as logged
        )


def _report(
    opts: DemoOptions,
    console: Console,
    game: DemoGame,
    tutorial: TutorialResult,
    setup: Setup,
    first: dict[str, Any] | None,
    started: float,
    setup_seconds: float,
) -> int:
    ours = game.meter.figures(game.missed)
    cap = f", sync capped at {opts.max_mbps:g} MB/s" if opts.max_mbps else ""
    label = f"gameservices ({opts.mode}, {opts.budget * 1000:g} ms budget{cap})"
    console.print(services_table(game.log))
    console.print(comparison_table(ours, label, game.timeline, tutorial, game.overruns))
    total = time.perf_counter() - started
    for line in _summary(game, setup, first, setup_seconds, total):
        console.print(line)
    run = {
        "first_run": first is None,
        "setup_seconds": setup_seconds,
        "total_seconds": total,
        "sync_seconds": _sync_seconds(game.timeline),
        "options": {k: str(v) for k, v in asdict(opts).items()},
    }
    buddy = _buddy_figures(setup)
    report = report_json(ours, game.timeline, tutorial, run, game.log, buddy)
    text = json.dumps(report, indent=2, default=str)
    if first is None:
        (opts.data_dir / FIRST_RUN).write_text(text)  # the baseline later runs compare with
    if opts.report is not None:
        opts.report.write_text(text)
    errors = game.timeline.errors + list(tutorial.errors) + game.log.problems()
    errors += [f"buddy: {e}" for e in buddy["errors"]]
    for error in errors:
        console.print(f"[red]error:[/] {error}")
    ok = not errors and game.final is not None and game.timeline.flushed
    console.print(f"demo {'finished' if ok else 'FAILED'} in {total:.1f} s")
    console.print(NEXT_STEP)
    return 0 if ok else 1
