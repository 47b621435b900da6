"""The demo's closing report: the tutorial's tick against the runner, from the same run.

Invariant: pure formatting over figures already measured; nothing here touches the network.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.table import Table

from .frames import FrameFigures
from .game import Timeline
from .services import SERVICES, ServiceLog
from .tutorial import TutorialResult

__all__ = ["NEXT_STEP", "comparison_table", "report_json", "services_table", "throughput"]

MB = 1024 * 1024
CAPTION = (
    "Two columns, the same game: 'tutorial tick' is what the Blender tutorial this project "
    "started from does every frame, loop.run_until_complete(asyncio.sleep(frame / 3)); "
    "'gameservices' is runner.tick(). A frame is the time from one frame's start to the next: "
    "at 60 Hz, 16.7 ms, and a frame over it is a visible stutter; a missed frame started a "
    "whole frame late. Game work is "
    "your ~4 ms of game code alone (it grows when the OS or another thread takes the CPU). "
    "Networking per frame is the time the frame spent in that one call (CPU: what the game "
    "thread itself burned in it). Loop steps over budget: loop iterations longer than the "
    "runner's budget. First leaderboard: frame 0 to the top 10 on screen, login included. "
    "Download: the asset packs' speed while the game ran."
)
NEXT_STEP = (
    "Next: examples/quickstart.py is the smallest program to copy (log in, post a score, show "
    "the top 10 from a game loop): python examples/quickstart.py"
)


def throughput(nbytes: int, seconds: float | None) -> float | None:
    """MB/s, or None when nothing was downloaded."""
    if not nbytes or not seconds:
        return None
    return nbytes / MB / seconds


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def _mbs(value: float | None, note: str = "-") -> str:
    return note if value is None else f"{value:,.1f} MB/s"


def _ratio(theirs: float, ours: float) -> str:
    return f"{theirs / ours:,.0f}x less" if ours > 0 else "-"  # the win, in one column


def comparison_table(
    ours: FrameFigures, label: str, timeline: Timeline, tutorial: TutorialResult, overruns: int
) -> Table:
    """Rows of figures; columns: the tutorial's tick, gameservices, and how they compare."""
    t = tutorial.figures
    table = Table(
        title=f"Frame-time report: {label}, 60 Hz, ~4 ms of game work per frame",
        title_justify="left",
        caption=CAPTION,
        caption_justify="left",
    )
    table.add_column("")
    table.add_column("tutorial tick", justify="right")
    table.add_column("gameservices", justify="right")
    table.add_column("", justify="right")
    table.add_row("frames run", str(t.frames), str(ours.frames), "")
    table.add_row("frame, typical (p50)", _ms(t.frame_p50), _ms(ours.frame_p50), "")
    table.add_row("frame, worst 1 % (p99)", _ms(t.frame_p99), _ms(ours.frame_p99), "")
    table.add_row("frame, worst", _ms(t.frame_max), _ms(ours.frame_max), "")
    table.add_row("game work, worst 1 %", _ms(t.work_p99), _ms(ours.work_p99), "")
    table.add_row("frames over 16.7 ms", str(t.over_budget), str(ours.over_budget), "")
    table.add_row("missed frames", str(t.missed), str(ours.missed), "")
    table.add_row(
        "networking per frame, typical",
        _us(t.net_p50),
        _us(ours.net_p50),
        _ratio(t.net_p50, ours.net_p50),
    )
    table.add_row(
        "networking per frame, worst 1 %",
        _us(t.net_p99),
        _us(ours.net_p99),
        _ratio(t.net_p99, ours.net_p99),
    )
    table.add_row("networking per frame, worst", _us(t.net_max), _us(ours.net_max), "")
    table.add_row("networking CPU, typical", _us(t.net_cpu_p50), _us(ours.net_cpu_p50), "")
    table.add_row("networking CPU, worst 1 %", _us(t.net_cpu_p99), _us(ours.net_cpu_p99), "")
    table.add_row("loop steps over budget", "-", str(overruns), "")
    table.add_row("first leaderboard", _ms(tutorial.first_board), _ms(timeline.first_board), "")
    ours_mbs = throughput(timeline.sync_bytes, _sync_seconds(timeline))
    table.add_row(
        "download",
        _mbs(throughput(tutorial.download_bytes, tutorial.download_seconds)),
        _mbs(ours_mbs, "cached (0 B)" if timeline.sync_done else "-"),
        "",
    )
    return table


_STATES = {"ok": "[green]ok[/]", "failed": "[red]FAILED[/]"}


def services_table(log: ServiceLog) -> Table:
    """One row per service: what the game did with it, and how long it took."""
    table = Table(
        title="Services: what the game did with each, in the same run",
        title_justify="left",
        caption="Latency: of the call the row names (chat: said to answered; match: ticket to "
        "matched), measured on the runner's loop, outside the frames. ada is another player "
        "(a bot online on the server's thread) who answers.",
        caption_justify="left",
    )
    table.add_column("service")
    table.add_column("", justify="center")
    table.add_column("latency", justify="right")
    table.add_column("what happened")
    for key, api in SERVICES:
        row = log.rows[key]
        state = _STATES.get(row.state, "[yellow]not reached[/]")
        table.add_row(api, state, _ms(row.latency), row.detail or "-")
    return table


def _sync_seconds(timeline: Timeline) -> float | None:
    if timeline.sync_done is None or timeline.sync_started is None:
        return None
    return timeline.sync_done - timeline.sync_started


def report_json(
    ours: FrameFigures,
    timeline: Timeline,
    tutorial: TutorialResult,
    run: dict[str, Any],
    services: ServiceLog,
    buddy: dict[str, Any],
) -> dict[str, Any]:
    """Everything in the report, for machines (and the smoke test)."""
    return {
        "run": run,
        "services": {name: asdict(row) for name, row in services.rows.items()},
        "buddy": buddy,
        "gameservices": {
            **asdict(ours),
            "first_board": timeline.first_board,
            "download_mb_s": throughput(timeline.sync_bytes, _sync_seconds(timeline)),
            "timeline": asdict(timeline),
        },
        "tutorial": {
            **asdict(tutorial.figures),
            "first_board": tutorial.first_board,
            "download_mb_s": throughput(tutorial.download_bytes, tutorial.download_seconds),
            "errors": list(tutorial.errors),
        },
    }
