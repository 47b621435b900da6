"""``gameservices serve``: run the reference server until SIGINT or SIGTERM.

The first stdout line is ``gameservices listening on http://HOST:PORT`` (flushed), so scripts and
tests can wait for it and read the port when ``--port 0`` picked one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import ipaddress
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the server extra may be missing: imported where it is needed
    from ..server import ServerConfig
    from ..server.faults import Faults

__all__ = ["register"]

log = logging.getLogger("gameservices.server")
# The server runs three threads (event loop, SQLite writer, SQLite reader) that hand work to
# each other; with CPython's default 5 ms GIL switch interval every hand-off can wait that long.
SWITCH_INTERVAL = 0.001
MISSING_EXTRA = "gameservices serve needs the server extra: pip install 'gameservices[server]'"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="run the reference game server (Nakama v2 REST subset + asset host)",
        description="Run the reference game server. Flags override --config values.",
    )
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7350; 0 picks a free one)")
    p.add_argument("--db", help="SQLite database path (default ./gameservices.db; :memory: ok)")
    p.add_argument("--assets", help="directory served under /assets/")
    p.add_argument("--server-key", help="server key for HTTP Basic auth (default defaultkey)")
    p.add_argument("--token-expiry", type=int, help="session token lifetime, seconds (3600)")
    p.add_argument("--refresh-expiry", type=int, help="refresh token lifetime, seconds (604800)")
    p.add_argument(
        "--board",
        action="append",
        metavar="ID[:desc|asc][:best|set|incr|decr][:noranks][:reset=CRON]",
        help="a leaderboard (repeatable); default: the demo boards",
    )
    p.add_argument("--config", help="JSON file with the same settings (ServerConfig field names)")
    p.add_argument("--faults", help="fault injection settings as JSON (for tests and demos)")
    p.add_argument(
        "--rpc",
        action="append",
        metavar="ID=MODULE:FUNCTION",
        help="a server function for POST /v2/rpc/ID (repeatable); MODULE must be importable",
    )
    p.add_argument("--http-key", help="runtime HTTP key for server-to-server RPCs")
    p.set_defaults(handler=run)


def _parse_faults(text: str) -> Faults:
    from ..server.faults import Faults

    return Faults.from_json(text)


def _parse_rpc(specs: list[str]) -> dict[str, str]:
    """``ID=MODULE:FUNCTION`` flags; the handlers are imported when the config is built, from
    the current directory too (as uvicorn finds an app), also when run as a console script."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    out = {}
    for spec in specs:
        rpc_id, equals, target = spec.partition("=")
        if not equals or not rpc_id or not target:
            raise ValueError(f"--rpc {spec!r} must look like ID=MODULE:FUNCTION")
        out[rpc_id] = target
    return out


def build_config(args: argparse.Namespace) -> ServerConfig:
    from ..server import ServerConfig, load_config_file, parse_board

    base = ServerConfig(db_path="gameservices.db")
    config = load_config_file(args.config, base) if args.config else base
    overrides: dict[str, Any] = {}
    for flag, name in [
        ("host", "host"),
        ("port", "port"),
        ("db", "db_path"),
        ("assets", "assets_dir"),
        ("server_key", "server_key"),
        ("token_expiry", "token_expiry"),
        ("refresh_expiry", "refresh_expiry"),
    ]:
        value = getattr(args, flag)
        if value is not None:
            overrides[name] = value
    if args.board:
        overrides["boards"] = tuple(parse_board(spec) for spec in args.board)
    if args.faults:
        overrides["faults"] = _parse_faults(args.faults)
    if args.rpc:
        overrides["rpc"] = {**config.rpc, **_parse_rpc(args.rpc)}
    if args.http_key is not None:
        overrides["http_key"] = args.http_key
    return config.with_overrides(**overrides) if overrides else config


def freeze_startup_heap() -> None:
    """Move everything alive after startup out of the garbage collector's reach.

    The rank index keeps about a thousand lists per million records; every full collection would
    walk them all (tens of milliseconds with the GIL held, a latency spike for every request in
    flight). What exists at startup lives as long as the process, so it is frozen once. This is
    process-wide, so only the server's own process does it.
    """
    gc.collect()
    gc.freeze()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def serve(config: ServerConfig) -> None:
    from aiohttp import web

    from ..server import create_app
    from ..server.app import runner_settings
    from ..server.config import DEFAULT_SERVER_KEY

    # Handlers first: a signal that arrives while starting still stops the server cleanly.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers: Ctrl+C arrives as KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(create_app(config), handle_signals=False, **runner_settings(config))
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        freeze_startup_heap()
        port = runner.addresses[0][1]
        host = f"[{config.host}]" if ":" in config.host else config.host
        print(f"gameservices listening on http://{host}:{port}", flush=True)
        if not _is_loopback(config.host) and config.server_key == DEFAULT_SERVER_KEY:
            log.warning(
                "listening on %s with the default server key: anyone who can reach this"
                " address can create accounts; set --server-key",
                config.host,
            )
        await stop.wait()
    finally:
        await runner.cleanup()


def run(args: argparse.Namespace) -> int:
    try:
        importlib.import_module("gameservices.server")
    except ImportError:
        print(MISSING_EXTRA, file=sys.stderr)
        return 2
    try:
        config = build_config(args)
    except (TypeError, ValueError) as exc:
        print(f"gameservices serve: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sys.setswitchinterval(SWITCH_INTERVAL)  # this process is the server's own
    try:
        asyncio.run(serve(config))
    except KeyboardInterrupt:  # Windows: asyncio.run cancelled serve(), which cleaned up
        return 0
    except OSError as exc:
        print(
            f"gameservices serve: cannot listen on {config.host}:{config.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    return 0
