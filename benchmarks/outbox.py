"""The durable score outbox: what a submit costs the game, and how fast the queue drains.

The reference server runs in a child process on a file database (fsync'd like a real one). In
the same run, for N scores:

- ``write``: ``leaderboards.write`` (a round trip, the server's commit) per score, for scale;
- ``submit``: ``leaderboards.submit`` per score (returns once fsync'd on the client's disk),
  while the outbox drains in the background;
- ``drain``: the time from the first submit until the queue is empty (``outbox.flush()``);
- ``loop stall``: how late a 1 ms ticker ran during the submits, p99 and max (what a frame would
  feel: the fsyncs run on the outbox's worker thread; the delivery's HTTP work shares the loop),
  next to the same ticker on an idle loop for one second (the machine's own noise).

    python benchmarks/outbox.py              # table
    python benchmarks/outbox.py --json       # for machines
    python benchmarks/outbox.py -n 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from gameservices import Client
from gameservices.testing import ReferenceServer


def _serve(conn: Connection, db_path: str) -> None:
    async def main() -> None:
        async with ReferenceServer(db_path=db_path) as server:
            conn.send(server.url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(main())


@contextmanager
def server_process(db_path: str) -> Iterator[str]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, db_path), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the reference server did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        proc.join(30)


def _stall(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p99": ordered[int(len(ordered) * 0.99)] * 1e3, "max": ordered[-1] * 1e3}


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": statistics.median(ordered) * 1e3, "p99_ms": p99 * 1e3}


async def _ticker(stalls: list[float], stop: asyncio.Event) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        stalls.append(now - last - 0.001)
        last = now


async def measure(url: str, data_dir: Path, n: int) -> dict[str, Any]:
    async with Client(url, data_dir=data_dir) as client:
        await client.auth.device("bench-outbox-device-01", create=True)
        writes = []
        for _ in range(n):
            t0 = time.perf_counter()
            await client.leaderboards.write("kills", 1, operator="incr")
            writes.append(time.perf_counter() - t0)

        idle: list[float] = []  # the same ticker with nothing else to do: the machine's noise
        idle_stop = asyncio.Event()
        idle_ticker = asyncio.ensure_future(_ticker(idle, idle_stop))
        await asyncio.sleep(1.0)
        idle_stop.set()
        await idle_ticker

        stalls: list[float] = []
        stop = asyncio.Event()
        ticker = asyncio.ensure_future(_ticker(stalls, stop))
        submits, start = [], time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            await client.leaderboards.submit("kills", 1, operator="incr")
            submits.append(time.perf_counter() - t0)
        stop.set()
        await ticker
        await client.outbox.flush()
        drain = time.perf_counter() - start
    return {
        "n": n,
        "write": _ms(writes),
        "submit": _ms(submits),
        "drain_s": drain,
        "drain_per_s": n / drain,
        "loop_stall_ms": _stall(stalls),
        "idle_loop_stall_ms": _stall(idle),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="scores per phase (default 1000)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        server_process(str(Path(tmp) / "server.db")) as url,
    ):
        result = asyncio.run(measure(url, Path(tmp) / "client", args.n))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"durable score outbox, {result['n']} scores, server on a file database")
    print(f"{'call':<28}{'p50 ms':>10}{'p99 ms':>10}")
    for name in ("write", "submit"):
        row = result[name]
        label = f"leaderboards.{name}"
        print(f"{label:<28}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}")
    print(f"drain: {result['drain_s']:.2f} s ({result['drain_per_s']:.0f} scores/s)")
    for label, key in (
        ("during the submits", "loop_stall_ms"),
        ("idle (noise)", "idle_loop_stall_ms"),
    ):
        stall = result[key]
        print(f"event-loop stall {label}: p99 {stall['p99']:.2f} ms, max {stall['max']:.2f} ms")


if __name__ == "__main__":
    main()
