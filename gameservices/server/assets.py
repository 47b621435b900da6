"""The asset host: ``GET /assets/manifest.json`` and ``GET /assets/{name}`` (HEAD too).

Invariants:
- The manifest is built at startup and rebuilt on each manifest request, in a thread, reusing
  cached hashes, so new or changed files show up without a restart and the loop never hashes.
- Only names in the index are served; before serving, the file is stat-ed again (in a thread),
  so a changed file gets a fresh ETag and a file swapped for an escaping symlink becomes a 404.
- Bodies are read in chunks in a thread and written one chunk at a time, which is also where
  truncation, dropped connections and the slow drip from ``Faults`` are applied.
- ``AssetStats`` counts bytes handed to the transport per asset, for tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from .._protocol.ranges import format_content_range
from .._protocol.wire import GrpcCode
from .asset_index import AssetIndex, ServedFile, build_index, restat, scan
from .errors import error_response
from .faults import BodyPlan, FaultInjector, Faults, Sleep
from .http_dates import http_date
from .http_ranges import UNSATISFIABLE, ByteRange, etag_matches, if_range_holds, parse_range

__all__ = ["ASSET_HOST", "ASSET_STATS", "AssetHost", "AssetStats", "setup_assets"]

log = logging.getLogger("gameservices.server")

CHUNK_SIZE = 256 * 1024
_DRIP_TICKS_PER_S = 10  # a dripping body is sent in tenths of a second's worth of bytes


@dataclass
class AssetStats:
    """Per-asset counters: bytes written to clients and requests that sent a body."""

    bytes_sent: Counter[str] = field(default_factory=Counter)
    bodies: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.bytes_sent.clear()
        self.bodies.clear()


class AssetHost:
    """The asset directory's current index (and manifest), plus the fault injector for bodies."""

    def __init__(self, root: Path | None, injector: FaultInjector | None) -> None:
        self.root = root
        self.injector = injector
        self.stats = AssetStats()
        self.index: AssetIndex = build_index({})
        self._lock = asyncio.Lock()
        self._scans_started = 0

    async def rebuild(self) -> AssetIndex:
        """Rescan DIR, or reuse a scan that started after this call did (it saw every change)."""
        if self.root is None:
            return self.index
        arrived = self._scans_started
        async with self._lock:
            if self._scans_started == arrived:
                self._scans_started += 1
                self.index = await asyncio.to_thread(scan, self.root)
        return self.index

    async def lookup(self, name: str) -> ServedFile | None:
        """The indexed file of this name, as it is on disk now (only safe names are indexed)."""
        entry = self.index.entries.get(name)
        if entry is None or self.root is None:
            return None
        return await asyncio.to_thread(restat, entry, self.root)


ASSET_HOST = web.AppKey("gameservices.asset_host", AssetHost)
ASSET_STATS = web.AppKey("gameservices.asset_stats", AssetStats)


def setup_assets(
    app: web.Application,
    assets_dir: Path | None,
    faults: Faults | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Register the asset routes; with ``assets_dir=None`` they answer 404."""
    injector = FaultInjector(faults, sleep) if faults is not None else None
    host = AssetHost(Path(assets_dir) if assets_dir is not None else None, injector)
    app[ASSET_HOST] = host
    app[ASSET_STATS] = host.stats

    async def build_at_startup(_app: web.Application) -> None:
        await host.rebuild()

    app.on_startup.append(build_at_startup)
    app.router.add_get("/assets/manifest.json", _manifest)
    app.router.add_get("/assets/{name:.+}", _asset)


def _not_found() -> web.Response:
    return error_response(404, GrpcCode.NOT_FOUND, "Asset not found.")


async def _manifest(request: web.Request) -> web.StreamResponse:
    host = request.app[ASSET_HOST]
    if host.root is None:
        return error_response(404, GrpcCode.NOT_FOUND, "No assets are configured.")
    index = await host.rebuild()
    headers = {"ETag": index.etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("If-None-Match"), index.etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=index.body, content_type="application/json", headers=headers)


async def _asset(request: web.Request) -> web.StreamResponse:
    host = request.app[ASSET_HOST]
    entry = await host.lookup(request.match_info["name"])
    if entry is None:
        return _not_found()
    last_modified = http_date(entry.mtime_ns / 1e9)
    headers = {"ETag": entry.etag, "Last-Modified": last_modified, "Accept-Ranges": "bytes"}
    if etag_matches(request.headers.get("If-None-Match"), entry.etag):
        return web.Response(status=304, headers=headers)
    wanted = None
    if if_range_holds(request.headers.get("If-Range"), entry.etag, last_modified):
        wanted = parse_range(request.headers.get("Range"), entry.size)
    if wanted is UNSATISFIABLE:
        headers["Content-Range"] = format_content_range(None, None, entry.size)
        return error_response(416, GrpcCode.OUT_OF_RANGE, "Range not satisfiable.", headers)
    span = wanted if isinstance(wanted, ByteRange) else ByteRange(0, entry.size - 1)
    resp = web.StreamResponse(status=206 if isinstance(wanted, ByteRange) else 200, headers=headers)
    if isinstance(wanted, ByteRange):
        resp.headers["Content-Range"] = wanted.content_range(entry.size)
    resp.content_type = entry.content_type
    resp.content_length = span.length
    await resp.prepare(request)
    complete = True
    if request.method != "HEAD" and span.length > 0:
        complete = await _send_body(request, resp, entry, span, host)
    if complete:
        await resp.write_eof()
    return resp


async def _send_body(
    request: web.Request,
    resp: web.StreamResponse,
    entry: ServedFile,
    span: ByteRange,
    host: AssetHost,
) -> bool:
    """Write ``span`` chunk by chunk, applying any body faults; False if the connection ended."""
    plan = host.injector.body_plan(span.length) if host.injector else BodyPlan()
    limit = span.length if plan.cut_at is None else plan.cut_at
    chunk = CHUNK_SIZE
    if plan.bytes_per_s:
        chunk = max(1, min(CHUNK_SIZE, plan.bytes_per_s // _DRIP_TICKS_PER_S))
    host.stats.bodies[entry.name] += 1
    sent = 0
    try:
        while sent < limit:
            size = min(chunk, limit - sent)
            data = await asyncio.to_thread(_read_at, entry.path, span.start + sent, size)
            if not data:
                raise OSError(f"{entry.name} shrank while being sent")
            await resp.write(data)
            sent += len(data)
            host.stats.bytes_sent[entry.name] += len(data)
            if plan.bytes_per_s and host.injector:
                await host.injector.sleep(len(data) / plan.bytes_per_s)
    except ConnectionError:
        return False  # the client went away; nothing left to send
    except OSError as exc:
        # The headers are out, so no error response is possible: end the connection, and the
        # client sees a body shorter than its Content-Length.
        log.warning("asset %s: stopped after %d of %d bytes: %s", entry.name, sent, limit, exc)
        _cut_connection(request, abort=False)
        return False
    if plan.cut_at is not None:
        _cut_connection(request, abort=plan.abort)
        return False
    return True


def _read_at(path: Path, offset: int, size: int) -> bytes:
    """One chunk, with the file opened and closed inside the thread: no handle outlives a
    cancelled request. seek + read rather than ``os.pread``, which Windows lacks."""
    with open(path, "rb", buffering=0) as f:
        f.seek(offset)
        return f.read(size)


def _cut_connection(request: web.Request, *, abort: bool) -> None:
    """Truncate (flush, then close) or drop (abort, discarding what is buffered) the connection."""
    transport = request.transport
    if transport is None:
        return
    if abort:
        transport.abort()
    else:
        transport.close()
