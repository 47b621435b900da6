"""``gameservices demo``: the whole product in a headless 60 Hz game loop (``make demo``)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from .common import EXIT_USAGE, fail

__all__ = ["register"]


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="run the demo game against an embedded server and print a frame-time report",
        description="Starts a reference server on its own thread (and a bot player who "
        "answers), then runs a headless 60 Hz game that uses every service: it logs in, shows "
        "leaderboards, posts scores and events through the outbox, syncs asset packs, loads and "
        "saves its cloud save, befriends the bot, joins a clan and a cup, claims a reward from "
        "a server function, chats and plays a matchmade match over the realtime socket; then it "
        "reports each service and compares its frames with the tutorial's sleep(frame/3) tick.",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="game loop length (default 10)")
    p.add_argument("--pack-mb", type=float, default=100.0, help="total size of the asset packs")
    p.add_argument("--dir", type=Path, default=Path(".demo"), help="cache and state directory")
    p.add_argument(
        "--mode",
        choices=("inline", "thread"),
        default=None,
        help="runner mode (default: the runner's default)",
    )
    p.add_argument("--budget-ms", type=float, default=2.0, help="runner budget per tick (inline)")
    p.add_argument(
        "--compare-seconds",
        type=float,
        default=3.0,
        help="length of the tutorial-tick comparison loop",
    )
    p.add_argument("--bots", type=int, default=30, help="other players seeded on a new server")
    p.add_argument("--report", type=Path, default=None, help="also write the report as JSON")
    p.add_argument(
        "--max-mbps",
        type=float,
        default=None,
        help="cap the asset sync at this many MB/s (default: no cap)",
    )
    p.add_argument("--verbose", action="store_true", help="print the library's warnings")
    p.set_defaults(handler=_run)


MISSING_EXTRAS = (
    "gameservices demo needs the server and cli extras: pip install 'gameservices[server,cli]'"
)


def _run(args: argparse.Namespace) -> int:
    try:  # before anything starts: the demo draws with rich and runs the reference server
        importlib.import_module("rich")
        importlib.import_module("gameservices.server")
    except ModuleNotFoundError:
        return fail(MISSING_EXTRAS, EXIT_USAGE)
    from .._demo.run import DemoOptions, run_demo
    from .._runner.runner import DEFAULT_MODE

    try:
        opts = DemoOptions(
            mode=args.mode or DEFAULT_MODE,
            seconds=args.seconds,
            pack_mb=args.pack_mb,
            data_dir=args.dir,
            budget=args.budget_ms / 1000,
            compare_seconds=args.compare_seconds,
            bots=args.bots,
            report=args.report,
            verbose=args.verbose,
            max_mbps=args.max_mbps,
        )
    except ValueError as exc:
        raise SystemExit(f"gameservices demo: {exc}") from None
    return run_demo(opts)
