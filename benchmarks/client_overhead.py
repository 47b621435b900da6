"""Client-side CPU per call: gameservices.Client against raw aiohttp, same requests, same run.

The reference server runs in a child process; ``time.thread_time()`` counts only this thread's
CPU, so neither the server's work nor any helper thread is measured.
Batches of calls alternate between the two clients, so load from other processes falls on both
alike; the table gives mean CPU per call and the ratio (and the median of per-batch ratios).

    python benchmarks/client_overhead.py            # table
    python benchmarks/client_overhead.py --json     # for machines
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from gameservices import Client, Timeouts
from gameservices._protocol.api import basic_auth
from gameservices.testing import ReferenceServer

PLAYERS = 50
Op = Callable[[], Awaitable[object]]


def _serve(conn: Connection) -> None:
    """Child process: run a ReferenceServer until the parent says stop."""

    async def main() -> None:
        async with ReferenceServer() as server:
            conn.send(server.url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(main())


@contextmanager
def server_process() -> Iterator[str]:
    """A ReferenceServer in its own process, so none of its CPU is counted here."""
    parent, child = multiprocessing.get_context("spawn").Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the reference server did not start")
        yield parent.recv()
    finally:
        parent.send("stop")
        proc.join(30)


async def seed(url: str) -> None:
    for n in range(PLAYERS):
        async with Client(url) as c:
            await c.auth.custom(f"bench-player-{n:04d}")
            await c.leaderboards.write("weekly", 1000 + 7 * n, subscore=n, metadata={"n": n})


def cpu_per_call(op: Op, n: int) -> float:
    """Microseconds of this thread's CPU per call of ``op``."""
    loop = asyncio.get_event_loop()

    async def run() -> None:
        for _ in range(n):
            await op()

    start = time.thread_time()
    loop.run_until_complete(run())
    return (time.thread_time() - start) / n * 1e6


async def gameservices_ops(url: str) -> tuple[Client, dict[str, Op]]:
    client = Client(url, timeouts=Timeouts())
    await client.auth.custom("bench-player-0000")
    lb = client.leaderboards
    ops: dict[str, Op] = {
        "list top 10": lambda: lb.list("weekly", limit=10),
        "write (best)": lambda: lb.write("weekly", 900, subscore=1, metadata={"n": 0}),
        "around me (5)": lambda: lb.around("weekly", limit=5),
    }
    return client, ops


async def raw_ops(url: str) -> tuple[aiohttp.ClientSession, dict[str, Op]]:
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15, connect=5))
    auth = {"Authorization": basic_auth("defaultkey")}
    body = {"id": "bench-player-0000", "vars": {}}
    async with session.post(
        f"{url}/v2/account/authenticate/custom", json=body, headers=auth
    ) as resp:
        data = await resp.json()
    bearer = {"Authorization": f"Bearer {data['token']}"}
    user = json.loads(__import__("base64").urlsafe_b64decode(data["token"].split(".")[1] + "=="))
    board = f"{url}/v2/leaderboard/weekly"
    write = {"score": "900", "subscore": "1", "metadata": '{"n":0}', "operator": "BEST"}

    async def get(target: str, params: dict[str, str]) -> object:
        async with session.get(target, params=params, headers=bearer) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def post() -> object:
        async with session.post(board, json=write, headers=bearer) as resp:
            resp.raise_for_status()
            return await resp.json()

    ops: dict[str, Op] = {
        "list top 10": lambda: get(board, {"limit": "10"}),
        "write (best)": post,
        "around me (5)": lambda: get(f"{board}/owner/{user['uid']}", {"limit": "5"}),
    }
    return session, ops


def measure(url: str, batch: int, batches: int) -> list[dict[str, Any]]:
    """Per operation, alternate small batches of raw and ours so that load from other processes
    falls on both alike; report total CPU / calls for each and their ratio."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client, ours = loop.run_until_complete(gameservices_ops(url))
    session, raw = loop.run_until_complete(raw_ops(url))
    rows = []
    try:
        for name in ours:
            cpu_per_call(ours[name], 20)  # warm both paths (connections, caches)
            cpu_per_call(raw[name], 20)
            ours_us, raw_us = [], []
            for _ in range(batches):
                raw_us.append(cpu_per_call(raw[name], batch))
                ours_us.append(cpu_per_call(ours[name], batch))
            mean_ours, mean_raw = statistics.fmean(ours_us), statistics.fmean(raw_us)
            rows.append(
                {
                    "call": name,
                    "gameservices_us": round(mean_ours, 1),
                    "raw_aiohttp_us": round(mean_raw, 1),
                    "ratio": round(mean_ours / mean_raw, 2),
                    "median_batch_ratio": round(
                        statistics.median(o / r for o, r in zip(ours_us, raw_us, strict=True)), 2
                    ),
                }
            )
    finally:
        loop.run_until_complete(client.close())
        loop.run_until_complete(session.close())
        loop.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=10, help="calls per batch")
    parser.add_argument("--batches", type=int, default=100, help="batches per client and call")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    with server_process() as url:
        asyncio.run(seed(url))
        rows = measure(url, args.batch, args.batches)
    if args.json:
        print(json.dumps({"target_ratio": 1.3, "rows": rows}, indent=2))
        return
    calls = args.batch * args.batches
    print(f"client-side CPU per call ({calls} calls each, alternating batches of {args.batch})")
    print(f"{'call':<16}{'gameservices µs':>17}{'raw aiohttp µs':>16}{'ratio':>8}{'median':>8}")
    for r in rows:
        print(
            f"{r['call']:<16}{r['gameservices_us']:>17}{r['raw_aiohttp_us']:>16}"
            f"{r['ratio']:>8}{r['median_batch_ratio']:>8}"
        )
    print("target: ratio <= 1.3")


if __name__ == "__main__":
    main()
