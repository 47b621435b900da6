"""Asset download benchmark: gameservices vs raw aiohttp, memory, and a no-op sync.

    python benchmarks/download.py            # table
    python benchmarks/download.py --json     # machine-readable

The reference asset host runs in a subprocess (its own GIL and loop, as a real server would)
on 127.0.0.1 port 0, serving files generated in a temp dir:
- one ``--size-mb`` file (default 512): MB/s for ``client.assets.download`` (stream to .part,
  sha256 and writes on a writer thread, fsync, verify, rename) against raw aiohttp writing the
  same bytes to a file on the loop thread (no hash, no fsync; raw + fsync is shown too); best
  of ``--runs`` each, alternating; peak RSS growth during our download (psutil, every 5 ms);
- 100 small files: a second sync of unchanged files must transfer no asset bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import psutil

from gameservices import AiohttpTransport, Client
from gameservices._assets.service import Assets

BIG = "big.bin"
SMALL_COUNT = 100
MB = 1 << 20


def make_files(root: Path, size_mb: int) -> None:
    with open(root / BIG, "wb") as f:
        for _ in range(size_mb // 8):
            f.write(os.urandom(8 * MB))
    small = root / "small"
    small.mkdir()
    for i in range(SMALL_COUNT):
        (small / f"item{i:03}.dat").write_bytes(os.urandom(4096))


def serve(root: str) -> None:
    """Subprocess mode: run the asset host and print its URL."""
    from aiohttp import web

    from gameservices.server.assets import setup_assets

    async def main() -> None:
        app = web.Application()
        setup_assets(app, Path(root))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # started
        print(f"http://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


class PeakRSS:
    """Samples this process's RSS on a thread; ``growth`` is peak minus the starting value."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / MB


async def raw_aiohttp(url: str, dest: Path, *, fsync: bool = False) -> float:
    t0 = time.perf_counter()
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        resp.raise_for_status()
        with open(dest, "wb") as f:  # noqa: ASYNC230  # the naive baseline blocks on purpose
            async for chunk in resp.content.iter_chunked(256 * 1024):
                f.write(chunk)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
    return time.perf_counter() - t0


async def ours(assets: Assets, dest: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    with PeakRSS() as rss:
        await assets.download(BIG, dest)
    return time.perf_counter() - t0, rss.growth_mb


def counting_trace() -> tuple[aiohttp.TraceConfig, SimpleNamespace]:
    seen = SimpleNamespace(requests=[], body_bytes=0)
    trace = aiohttp.TraceConfig()

    async def on_start(_s: Any, _c: Any, params: aiohttp.TraceRequestStartParams) -> None:
        seen.requests.append(str(params.url))

    async def on_chunk(_s: Any, _c: Any, params: aiohttp.TraceResponseChunkReceivedParams) -> None:
        if not str(params.url).endswith("manifest.json"):
            seen.body_bytes += len(params.chunk)

    trace.on_request_start.append(on_start)
    trace.on_response_chunk_received.append(on_chunk)
    return trace, seen


async def run(base: str, work: Path, size_mb: int, runs: int) -> dict[str, Any]:
    raw_s, sync_s, our_s, rss = [], [], [], []
    names = [f"small/item{i:03}.dat" for i in range(SMALL_COUNT)]
    async with Client(base) as client:
        await client.assets.manifest()  # warm: each download then revalidates it with one 304
        for i in range(runs):
            dest = work / f"raw{i}"
            dest.mkdir()
            raw_s.append(await raw_aiohttp(f"{base}/assets/{BIG}", dest / BIG))
            (dest / BIG).unlink()
            sync_s.append(await raw_aiohttp(f"{base}/assets/{BIG}", dest / BIG, fsync=True))
            shutil.rmtree(dest)
            seconds, growth = await ours(client.assets, work / f"ours{i}")
            our_s.append(seconds)
            rss.append(growth)
            shutil.rmtree(work / f"ours{i}")
        await client.assets.sync(work / "sync", names=names)
    trace, seen = counting_trace()
    transport = AiohttpTransport(trace_configs=[trace])
    async with Client(base, transport=transport) as client:  # a fresh client: cold caches
        t0 = time.perf_counter()
        result = await client.assets.sync(work / "sync", names=names)
        noop_s = time.perf_counter() - t0
    raw_mbs, our_mbs = size_mb / min(raw_s), size_mb / min(our_s)
    return {
        "size_mb": size_mb,
        "runs": runs,
        "raw_aiohttp_mb_s": round(raw_mbs, 1),
        "raw_aiohttp_fsync_mb_s": round(size_mb / min(sync_s), 1),
        "assets_download_mb_s": round(our_mbs, 1),
        "ratio": round(our_mbs / raw_mbs, 3),
        "rss_growth_mb": round(max(rss), 1),
        "noop_sync_files": len(result.up_to_date),
        "noop_sync_requests": len(seen.requests),
        "noop_sync_asset_bytes": seen.body_bytes,
        "noop_sync_ms": round(noop_s * 1000, 1),
    }


def table(r: dict[str, Any]) -> str:
    rows = [
        ("raw aiohttp -> file (no hash, no fsync)", f"{r['raw_aiohttp_mb_s']} MB/s", "baseline"),
        ("raw aiohttp -> file, then fsync", f"{r['raw_aiohttp_fsync_mb_s']} MB/s", "for reference"),
        (
            "client.assets.download (sha256 + fsync)",
            f"{r['assets_download_mb_s']} MB/s",
            f"{r['ratio']}x raw (target >= 0.8x)",
        ),
        ("RSS growth during download", f"{r['rss_growth_mb']} MB", "target <= 32 MB"),
        (
            f"sync of {r['noop_sync_files']} unchanged files",
            f"{r['noop_sync_asset_bytes']} asset bytes",
            f"{r['noop_sync_requests']} request(s) (manifest), {r['noop_sync_ms']} ms",
        ),
    ]
    width = max(len(a) for a, _, _ in rows)
    head = f"{r['size_mb']} MB over loopback, best of {r['runs']}"
    return "\n".join([head] + [f"{a:<{width}}  {b:>16}  {c}" for a, b, c in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--size-mb", type=int, default=512)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="gs-bench-") as tmp:
        root, work = Path(tmp) / "served", Path(tmp) / "work"
        root.mkdir()
        work.mkdir()
        make_files(root, args.size_mb)
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(root)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            base = server.stdout.readline().strip()
            result = asyncio.run(run(base, work, args.size_mb, args.runs))
        finally:
            server.terminate()
            server.wait()
    print(json.dumps(result, indent=2) if args.json else table(result))


if __name__ == "__main__":
    main()
