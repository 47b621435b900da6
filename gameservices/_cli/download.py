"""``gameservices download NAME... DEST`` / ``gameservices download --all DEST``.

Downloads verified assets from a server's (or CDN's) manifest into DEST, resuming ``.part``
files and skipping files that are already current. A rich progress bar on a terminal (with the
``cli`` extra; without it, none), ``--json`` for machines; exit 0 when everything is in place,
1 otherwise, 2 for bad arguments. ``--data-dir`` is accepted as on every client command, so
scripts pass one set of flags; downloads keep no state there (the hash cache is in DEST).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._config import RetryPolicy
from .._exceptions import GameServicesError, UsageError
from .common import EXIT_USAGE, add_connection_flags, add_json_flag, connection, emit_json, fail
from .profile import add_data_dir_flag

__all__ = ["register"]

ProgressFn = Callable[[int, "int | None"], None]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "download",
        help="download verified assets into a directory",
        description="Download assets listed in the manifest (verified, resumable, cached).",
        usage="gameservices download [options] (NAME [NAME ...] | --all) DEST",
    )
    parser.add_argument("paths", nargs="+", metavar="NAME|DEST", help="asset names, then DEST")
    parser.add_argument("--all", action="store_true", help="every asset in the manifest")
    parser.add_argument("--assets-url", help="asset host (default: {url}/assets/)")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel downloads (4)")
    parser.add_argument("--max-bytes-per-s", type=float, default=None, help="bandwidth cap")
    parser.add_argument("--retries", type=int, default=3, help="retries per file (3)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_connection_flags(parser)
    add_data_dir_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    *names, dest = args.paths
    if args.all == bool(names):
        return fail("give asset NAMEs or --all, then DEST", EXIT_USAGE)
    try:
        with _progress_bar(enabled=not (args.json or args.no_progress)) as on_progress:
            result = asyncio.run(_sync(args, names or None, Path(dest), on_progress))
    except (UsageError, ValueError) as exc:  # a bad --url, --concurrency or --max-bytes-per-s
        return fail(exc, EXIT_USAGE)
    except GameServicesError as exc:
        return fail(exc)
    if args.json:
        emit_json(result)
    else:
        _summary(result)
    return 0 if not result["failed"] else 1


async def _sync(
    args: argparse.Namespace, names: list[str] | None, dest: Path, on_progress: ProgressFn | None
) -> dict[str, Any]:
    from .._client.client import Client  # imported here: `--help` stays fast

    url, key = connection(args)
    retry = RetryPolicy(max_attempts=max(1, args.retries + 1))
    async with Client(
        url,
        server_key=key,
        assets_url=args.assets_url,
        retry=retry,
        allow_insecure=args.allow_insecure,
    ) as client:
        res = await client.assets.sync(
            dest,
            names=names,
            concurrency=args.concurrency,
            max_bytes_per_s=args.max_bytes_per_s,
            on_progress=on_progress,
        )
    return {
        "dest": str(dest),
        "downloaded": list(res.downloaded),
        "up_to_date": list(res.up_to_date),
        "failed": {name: str(exc) for name, exc in res.failed.items()},
    }


@contextmanager
def _progress_bar(*, enabled: bool) -> Iterator[ProgressFn | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TransferSpeedColumn,
        )
    except ImportError:  # the cli extra draws the bar; without it, the summary line suffices
        yield None
        return
    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("download", total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _summary(result: dict[str, Any]) -> None:
    got, same, bad = result["downloaded"], result["up_to_date"], result["failed"]
    print(f"{len(got)} downloaded, {len(same)} up to date, {len(bad)} failed -> {result['dest']}")
    for name, why in bad.items():
        print(f"  failed {name}: {why}", file=sys.stderr)
