"""Verified, resumable asset downloads: one file (``Downloader.download``) or many (``sync``).

Flow for one manifest entry: check the destination is safe; skip the file when its cached or
fresh sha256 matches the manifest; otherwise stream into ``<name>.part`` through a FileSink
(writes and hashing off the loop thread), verify size and sha256, rename into place.

Invariants:
- No file work on the loop thread: stat, hashing, rename and the sidecar go through threads.
- Bytes land only below ``dest_dir``: names are checked by ``check_name``, and resolved paths
  (symlinks) are checked again here before anything is created or written.
- A ``.part`` is kept on cancel, transient failure and full disk; removed on IntegrityError.
  It is resumed only with the strong ETag recorded for its bytes (``If-Range``).
- Transient failures (connect, timeout, truncated body, 5xx, 429) retry as
  ``retry.decide(..., DOWNLOAD)`` says, under the client's RetryPolicy; an attempt that made
  progress resets the count, so a flaky link still finishes.
- Progress (aggregate bytes of the call) goes to ``on_progress`` when given, else to the
  TickRunner running the call (``report_progress``).
- ``asyncio.CancelledError`` is never caught and turned into something else: it is re-raised
  after handing the ``.part`` to the writer thread to close (no waiting). A stalled body is
  not a cancel: the stall guard makes the pending read raise ``RequestTimeout`` through
  ``BodyStream.abort``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from yarl import URL

from .._checks import positive_int
from .._client.transport import BodyStream
from .._config import RetryPolicy
from .._exceptions import (
    APIError,
    GameServicesError,
    IntegrityError,
    ProtocolError,
    RequestTimeout,
    TransportError,
)
from .._protocol.hoststatus import status_error
from .._protocol.manifest import ManifestEntry
from .._protocol.ranges import Step, classify, is_strong_etag, request_headers
from .._protocol.retry import DOWNLOAD, GiveUp, decide
from .._runner.ambient import report_progress
from .bandwidth import TokenBucket
from .destfs import Place, hash_file, install, make_root, place, place_many, unlink
from .filesink import DEFAULT_MAX_PENDING, FileSink, OpenPart, open_part
from .hashcache import FileRecord, HashCache
from .stall import StallGuard

__all__ = [
    "DEFAULT_CHUNK",
    "Downloader",
    "Fetch",
    "ProgressFn",
    "SyncResult",
    "check_concurrency",
]

DEFAULT_CHUNK = 1 << 18
DEFAULT_STALL_TIMEOUT = 30.0  # no byte for this long: the transfer is dead, resume it
_HANDLED = (200, 206, 304, 416)
# Sidecar writes cost a thread hop and a rename each: small files batch theirs to the end of
# the call (a crash then costs re-hashing them, or restarting a small .part, which is cheap).
_WORTH_SAVING = 4 << 20


# fetch(url, headers, chunk_size): a streaming GET whose body yields chunks of <= chunk_size.
Fetch = Callable[[URL, Mapping[str, str], int], AbstractAsyncContextManager[BodyStream]]
ProgressFn = Callable[[int, "int | None"], object]  # (bytes done, bytes in total)


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: names downloaded, names already current, and names that failed (why)."""

    downloaded: tuple[str, ...] = ()
    up_to_date: tuple[str, ...] = ()
    failed: Mapping[str, GameServicesError] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ok(self) -> bool:
        return not self.failed

    def with_failures(self, more: Mapping[str, GameServicesError]) -> SyncResult:
        return SyncResult(
            self.downloaded, self.up_to_date, MappingProxyType({**self.failed, **more})
        )


class _Progress:
    """Aggregate bytes for one call (a file or a whole sync), reported to ``sink``."""

    def __init__(self, total: int, sink: ProgressFn | None) -> None:
        self.total = total
        self.done = 0
        self._sink = report_progress if sink is None else sink

    def add(self, n: int) -> None:
        self.done += n
        self._sink(self.done, self.total)


@dataclass
class _Job:
    entry: ManifestEntry
    final: Path
    part: Path
    cache: HashCache
    progress: _Progress
    bucket: TokenBucket | None
    if_none_match: str | None = None
    restarted: bool = False
    high_water: int = 0  # the furthest byte ever received: only real progress resets retries


class _Restart(Exception):
    """The .part is stale (416): it was emptied, ask again for the whole file."""


class Downloader:
    """Downloads manifest entries through ``fetch`` (a streaming GET) into destination dirs."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        retry: RetryPolicy | None = None,
        opener: OpenPart = open_part,
        max_pending: int = DEFAULT_MAX_PENDING,
        chunk_size: int = DEFAULT_CHUNK,
        stall_timeout: float | None = DEFAULT_STALL_TIMEOUT,
    ) -> None:
        self._fetch = fetch
        self._stall = stall_timeout
        self._retry = retry or RetryPolicy()
        self._opener = opener
        self._max_pending = max_pending
        self._chunk = chunk_size
        self._caches: dict[Path, HashCache] = {}

    async def download(
        self, entry: ManifestEntry, dest_dir: Path | str, *, on_progress: ProgressFn | None = None
    ) -> tuple[Path, bool]:
        """Fetch one entry into ``dest_dir``; return (path, whether bytes were transferred)."""
        root, cache = await self._open_dest(Path(dest_dir))
        where = await asyncio.to_thread(place, root, entry.name)
        progress = _Progress(entry.size, on_progress)
        try:
            got = await self._fetch_entry(entry, where, cache, progress, None)
        finally:
            await cache.save()
        return where.final, got

    async def sync(
        self,
        entries: Iterable[ManifestEntry],
        dest_dir: Path | str,
        *,
        concurrency: int = 4,
        bucket: TokenBucket | None = None,
        on_progress: ProgressFn | None = None,
    ) -> SyncResult:
        """Bring every entry up to date, ``concurrency`` at a time; failures are collected."""
        check_concurrency(concurrency)
        todo = list(entries)
        root, cache = await self._open_dest(Path(dest_dir))
        places = await asyncio.to_thread(place_many, root, [e.name for e in todo])
        progress = _Progress(sum(e.size for e in todo), on_progress)
        gate = asyncio.Semaphore(concurrency)
        results: dict[str, bool | GameServicesError] = {}

        async def one(entry: ManifestEntry, where: Place | GameServicesError) -> None:
            if isinstance(where, GameServicesError):
                results[entry.name] = where
                return
            async with gate:
                try:
                    results[entry.name] = await self._fetch_entry(
                        entry, where, cache, progress, bucket
                    )
                except GameServicesError as exc:
                    results[entry.name] = exc

        try:
            outcomes = await asyncio.gather(
                *(one(e, p) for e, p in zip(todo, places, strict=True)), return_exceptions=True
            )
        finally:
            await cache.save()  # what small files learned, in one write
        for outcome in outcomes:  # a bug in one file ends the sync, once every file stopped
            if isinstance(outcome, BaseException):
                raise outcome
        return _sync_result(todo, results)

    async def _open_dest(self, dest_dir: Path) -> tuple[Path, HashCache]:
        root = await asyncio.to_thread(make_root, dest_dir)
        cache = self._caches.get(root)
        if cache is None:
            cache = self._caches[root] = await asyncio.to_thread(HashCache.load, root)
        return root, cache

    # -- one entry --------------------------------------------------------------------------

    async def _fetch_entry(
        self,
        entry: ManifestEntry,
        where: Place,
        cache: HashCache,
        progress: _Progress,
        bucket: TokenBucket | None,
    ) -> bool:
        job = _Job(entry, where.final, where.part, cache, progress, bucket)
        if await self._is_current(job, where.stat):
            progress.add(entry.size)
            return False
        attempt = 0
        while True:
            before = job.high_water
            try:
                return await self._attempt(job)
            except _Restart:
                if job.restarted:
                    raise ProtocolError(f"{entry.url} refused the range twice") from None
                job.restarted = True
                continue
            except (TransportError, APIError) as exc:
                if job.high_water > before:
                    attempt = 0  # this attempt moved the file forward: a fresh count
                decision = decide(exc, attempt, self._retry, DOWNLOAD)
                if isinstance(decision, GiveUp):
                    raise decision.error from decision.error.__cause__
                attempt += 1
            await self._retry.sleep(decision.wait)

    async def _is_current(self, job: _Job, stat: tuple[int, int] | None) -> bool:
        """True when the final file already matches; may set ``job.if_none_match``."""
        entry = job.entry
        if stat is None or stat[0] != entry.size:
            return False
        rec = job.cache.lookup(entry.name, *stat)
        if entry.sha256 is None:
            job.if_none_match = rec.etag if rec is not None else None
            return False
        if rec is None or rec.sha256 is None:
            digest = await asyncio.to_thread(hash_file, job.final)
            rec = FileRecord(stat[0], stat[1], digest, rec.etag if rec else None)
            job.cache.record(entry.name, rec)
            if entry.size >= _WORTH_SAVING:
                await job.cache.save()
        return rec.sha256 == entry.sha256

    async def _attempt(self, job: _Job) -> bool:
        entry = job.entry
        sink = FileSink(
            job.part,
            label=entry.name,
            expected_size=entry.size,
            opener=self._opener,
            max_pending=self._max_pending,
        )
        try:
            offset = await self._usable_offset(job, sink)
            if offset == entry.size and entry.sha256 is not None:
                return await self._complete_left_over(job, sink)
            headers = request_headers(
                offset=offset,
                validator=job.cache.part_etag(entry.name) if offset else None,
                if_none_match=job.if_none_match if offset == 0 else None,
            )
            chunk = job.bucket.chunk_hint() if job.bucket else self._chunk
            async with self._fetch(entry.url, headers, chunk) as resp:
                if resp.status not in _HANDLED:
                    raise status_error(resp.status, resp.headers, entry.url)
                reply = classify(resp.status, resp.headers, offset=offset, size=entry.size)
                if reply.step is Step.NOT_MODIFIED:
                    sink.discard()
                    job.progress.add(entry.size)
                    return False
                if reply.step is Step.RESTART:
                    sink.reset()
                    job.progress.add(-offset)
                    raise _Restart
                if reply.step is Step.BODY:
                    await self._begin_body(job, sink, resp, offset, reply.start)
                    await self._stream(job, sink, resp, reply.start)
            return await self._complete(job, sink)
        except IntegrityError:
            sink.discard()
            job.cache.set_part(entry.name, None)
            await sink.closed()  # the bad bytes are gone when the error arrives
            raise
        except asyncio.CancelledError:
            sink.abandon()  # keeps the .part; a cancel never waits on the thread
            raise
        except BaseException:
            sink.abandon()
            await sink.closed()  # the caller sees the error once the .part is complete
            raise

    async def _usable_offset(self, job: _Job, sink: FileSink) -> int:
        offset = await sink.opened()
        job.progress.add(offset)
        if offset == 0:
            return 0
        resumable = is_strong_etag(job.cache.part_etag(job.entry.name))
        if offset > job.entry.size or not (resumable or offset == job.entry.size):
            sink.reset()  # stale or unvalidated bytes: start over
            job.progress.add(-offset)
            return 0
        return offset

    async def _begin_body(
        self, job: _Job, sink: FileSink, resp: BodyStream, offset: int, start: int
    ) -> None:
        if start == 0 and offset > 0:
            sink.reset()  # If-Range failed: the file changed on the host
            job.progress.add(-offset)
        etag = resp.headers.get("ETag")
        job.cache.set_part(job.entry.name, etag if is_strong_etag(etag) else None)
        if job.entry.size - start >= _WORTH_SAVING:
            await job.cache.save()  # the validator is on disk before the bytes it vouches for

    async def _stream(self, job: _Job, sink: FileSink, resp: BodyStream, start: int) -> None:
        if self._stall is None:
            return await self._copy(job, sink, resp, start, None)
        stalled = RequestTimeout(
            f"{job.entry.url}: no data for {self._stall} s while downloading {job.entry.name!r}"
        )
        guard = StallGuard(self._stall, lambda: resp.abort(stalled))
        try:
            await self._copy(job, sink, resp, start, guard)
        finally:
            guard.close()

    async def _copy(
        self, job: _Job, sink: FileSink, resp: BodyStream, start: int, guard: StallGuard | None
    ) -> None:
        size = job.entry.size
        received = start
        async for chunk in resp:
            if guard is not None:
                guard.got()
            received += len(chunk)
            if received > size:
                raise IntegrityError(
                    f"{job.entry.url} sent more than the manifest's {size} bytes for "
                    f"{job.entry.name!r}"
                )
            if job.bucket is not None:
                await job.bucket.take(len(chunk))
            await sink.write(chunk)
            if guard is not None:
                guard.reading()  # waits for the bucket or the disk are not a silent host
            job.progress.add(len(chunk))
            job.high_water = max(job.high_water, received)
        if received < size:
            raise ProtocolError(f"{job.entry.url} ended the body at byte {received} of {size}")

    async def _complete_left_over(self, job: _Job, sink: FileSink) -> bool:
        """A full-size .part from an earlier run: install it if it verifies, else start over."""
        try:
            return await self._complete(job, sink)
        except IntegrityError:
            raise _Restart from None  # its bytes are gone; fetch the file whole

    async def _complete(self, job: _Job, sink: FileSink) -> bool:
        entry = job.entry
        size, digest = await sink.finish()
        problem = _mismatch(entry, size, digest)
        if problem is not None:
            await asyncio.to_thread(unlink, job.part)
            job.cache.set_part(entry.name, None)
            await job.cache.save()
            raise IntegrityError(
                f"{entry.name!r} from {entry.url}: {problem}; the .part was removed"
            )
        etag = job.cache.part_etag(entry.name)
        stat = await asyncio.to_thread(install, job.part, job.final)
        job.cache.record(entry.name, FileRecord(stat[0], stat[1], digest, etag))
        job.cache.set_part(entry.name, None)
        if entry.size >= _WORTH_SAVING:
            await job.cache.save()  # else at the end of the call, with its neighbours
        return True


def _mismatch(entry: ManifestEntry, size: int, digest: str) -> str | None:
    if size != entry.size:
        return f"got {size} bytes, the manifest says {entry.size}"
    if entry.sha256 is not None and digest != entry.sha256:
        return f"sha256 is {digest}, the manifest says {entry.sha256}"
    return None


def check_concurrency(concurrency: object) -> None:
    positive_int("concurrency", concurrency)


def _sync_result(
    entries: list[ManifestEntry], results: Mapping[str, bool | GameServicesError]
) -> SyncResult:
    got = tuple(e.name for e in entries if results.get(e.name) is True)
    same = tuple(e.name for e in entries if results.get(e.name) is False)
    bad = {n: r for n, r in results.items() if isinstance(r, GameServicesError)}
    return SyncResult(got, same, MappingProxyType(bad))
