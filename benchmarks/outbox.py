"""The durable score outbox: what a submit costs the game, and how fast the queue drains.

The reference server (``gameservices serve``) runs in a child process on a file database
(fsync'd like a real one). In the same run, for N scores:

- ``write``: ``leaderboards.write`` (a round trip, the server's commit) per score, for scale;
- ``submit``: ``leaderboards.submit`` per score (returns once fsync'd on the client's disk),
  while the outbox drains in the background;
- ``drain``: the time from the first submit until the queue is empty (``outbox.flush()``);
- ``stall``: how late a 1 ms ticker ran during each phase, p99 and max (what a frame would feel:
  the fsyncs run on the outbox's worker thread), next to the same ticker on an idle loop for one
  second (the machine's own noise).

    python benchmarks/outbox.py              # table
    python benchmarks/outbox.py --json       # for machines
    python benchmarks/outbox.py -n 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gameservices import Client
from gameservices.testing import serve_process


@contextmanager
def server_process(db_path: str) -> Iterator[str]:
    """``gameservices serve`` on a file database, in its own process."""
    with serve_process("--port", "0", "--db", db_path) as url:
        yield url


def _stall(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p99": ordered[int(len(ordered) * 0.99)] * 1e3, "max": ordered[-1] * 1e3}


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": statistics.median(ordered) * 1e3, "p99_ms": p99 * 1e3}


class Ticker:
    """How late a 1 ms ticker runs while a phase goes on: what a frame would feel."""

    def __init__(self) -> None:
        self.stalls: list[float] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Future[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.stalls.append(now - last - 0.001)
            last = now

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.ensure_future(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task


async def _timed(n: int, call: Callable[[], Awaitable[object]]) -> tuple[list[float], Ticker]:
    samples = []
    async with Ticker() as ticker:
        for _ in range(n):
            t0 = time.perf_counter()
            await call()
            samples.append(time.perf_counter() - t0)
    return samples, ticker


async def measure(url: str, data_dir: Path, n: int) -> dict[str, Any]:
    async with Client(url, data_dir=data_dir) as client:
        await client.auth.device("bench-outbox-device-01", create=True)
        async with Ticker() as idle:  # the machine's own noise, for comparison
            await asyncio.sleep(1.0)
        writes, during_writes = await _timed(
            n, lambda: client.leaderboards.write("kills", 1, operator="incr")
        )
        start = time.perf_counter()
        submits, during_submits = await _timed(
            n, lambda: client.leaderboards.submit("kills", 1, operator="incr")
        )
        await client.outbox.flush()
        drain = time.perf_counter() - start
    return {
        "n": n,
        "write": {**_ms(writes), "loop_stall_ms": _stall(during_writes.stalls)},
        "submit": {**_ms(submits), "loop_stall_ms": _stall(during_submits.stalls)},
        "idle": {"loop_stall_ms": _stall(idle.stalls)},
        "drain_s": drain,
        "drain_per_s": n / drain,
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
    head = f"{'phase':<22}{'call p50 ms':>12}{'call p99 ms':>12}{'stall p99 ms':>13}{'max':>8}"
    print(head)
    for name in ("write", "submit", "idle"):
        row, stall = result[name], result[name]["loop_stall_ms"]
        label = "idle loop (noise)" if name == "idle" else f"leaderboards.{name}"
        calls = f"{row['p50_ms']:>12.2f}{row['p99_ms']:>12.2f}" if "p50_ms" in row else " " * 24
        print(f"{label:<22}{calls}{stall['p99']:>13.2f}{stall['max']:>8.2f}")
    print(
        f"drain from the first submit: {result['drain_s']:.2f} s "
        f"({result['drain_per_s']:.0f} scores/s)"
    )


if __name__ == "__main__":
    main()
