"""Resume: a dropped connection, a file that changed meanwhile, a cancel, stale parts, 416."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gameservices import RequestTimeout, TransportError
from gameservices._assets import downloader
from gameservices._assets.service import Assets
from gameservices._assets.stall import StallGuard
from gameservices.testing import Faults

from .conftest import MB, SERVER_CHUNK, NoSleep, SiteFactory, blob, exists, read

SIZE = 2 * MB + 77
DATA = blob(SIZE, seed=1)
NAME = "big.pak"


@pytest.fixture
def published(site_dir: Path) -> bytes:
    (site_dir / NAME).write_bytes(DATA)
    return DATA


async def test_dropped_connection_resumes_with_range(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
    no_sleep: NoSleep,
) -> None:
    site = await make_site(Faults(drop_at=0.5, times=1))
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == published
    assert site.stats.bodies[NAME] == 2  # the drop, then one resume
    assert len(no_sleep.delays) == 1  # one retry, under the RetryPolicy
    assert site.stats.bytes_sent[NAME] <= SIZE + SERVER_CHUNK


async def test_truncated_body_resumes(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site(Faults(truncate_at=SIZE // 3, times=2))
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == published
    assert site.stats.bodies[NAME] == 3
    assert site.stats.bytes_sent[NAME] <= SIZE + 2 * SERVER_CHUNK


async def test_interrupted_download_keeps_its_part_for_the_next_call(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site(Faults(drop_at=0.5, times=1))
    with pytest.raises(TransportError):
        await make_assets(site, attempts=1).download(NAME, dest)
    part = await asyncio.to_thread((dest / f"{NAME}.part").stat)
    assert 0 < part.st_size < SIZE
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == published
    assert site.stats.bytes_sent[NAME] <= SIZE + SERVER_CHUNK


async def test_file_changed_on_the_host_restarts_cleanly(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
) -> None:
    site = await make_site(Faults(drop_at=0.5, times=1))
    with pytest.raises(TransportError):
        await make_assets(site, attempts=1).download(NAME, dest)
    changed = blob(SIZE + 5, seed=2)
    await asyncio.to_thread(site.put, NAME, changed)  # new ETag: If-Range fails, 200 comes back
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == changed
    assert site.stats.bodies[NAME] == 2
    assert site.stats.bytes_sent[NAME] >= len(changed)  # the whole new file, not a splice


async def test_cancel_leaves_a_part_that_resumes(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    # The host sends one chunk, then holds the body until the gate opens (never, here).
    site = await make_site(Faults(drip_bytes_per_s=SERVER_CHUNK * 10, times=1), gated=True)
    assets = make_assets(site)
    got_bytes = asyncio.Event()

    def on_progress(done: int, total: int | None) -> None:
        if done > 0:
            got_bytes.set()

    task = asyncio.ensure_future(assets.download(NAME, dest, on_progress=on_progress))
    await got_bytes.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await exists(dest / f"{NAME}.part")
    path = await assets.download(NAME, dest)  # waits for the cancelled writer, then resumes
    assert await read(path) == published
    assert site.stats.bodies[NAME] == 2
    assert site.stats.bytes_sent[NAME] <= SIZE + SERVER_CHUNK
    site.gate.set()  # let the abandoned handler end, so the server closes at once


async def test_a_complete_part_is_verified_without_a_transfer(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    await asyncio.to_thread(_write, dest / f"{NAME}.part", published)
    site = await make_site()
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == published
    assert site.stats.bodies[NAME] == 0


@pytest.mark.parametrize(
    "left_over",
    [
        pytest.param(b"garbage" * 100, id="no-recorded-etag"),  # unvalidated bytes: no resume
        pytest.param(DATA + b"tail", id="longer-than-the-file"),
        pytest.param(b"z" * SIZE, id="full-size-but-wrong"),  # verified, fails, fetched again
    ],
)
async def test_an_untrusted_part_is_fetched_whole(
    left_over: bytes,
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
) -> None:
    await asyncio.to_thread(_write, dest / f"{NAME}.part", left_over)
    site = await make_site()
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == published
    assert site.stats.bytes_sent[NAME] == SIZE


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def test_a_stalled_body_times_out_and_keeps_the_part(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    # The host sends one chunk and then nothing: a dead transfer must not hang forever.
    site = await make_site(Faults(drip_bytes_per_s=SERVER_CHUNK * 10, times=1), gated=True)
    assets = make_assets(site, attempts=1)
    assets._downloader._stall = 0.05
    with pytest.raises(RequestTimeout, match=r"no data for 0\.05 s") as info:
        await assets.download(NAME, dest)
    # The guard wakes the read with the error itself: no cancel was caught and converted.
    assert not isinstance(info.value.__context__, asyncio.CancelledError)
    assert await exists(dest / f"{NAME}.part")
    site.gate.set()


async def test_a_cancel_that_meets_the_stall_timer_stays_a_cancel(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Worst case for the guard: the stall fires and the game cancels in the same loop iteration.
    # The cancel must win (no RequestTimeout, no retry that keeps downloading), on every Python.
    site = await make_site(Faults(drip_bytes_per_s=SERVER_CHUNK * 10, times=1), gated=True)
    assets = make_assets(site, attempts=4)
    assets._downloader._stall = 0.05
    fired: list[bool] = []

    def guard(seconds: float, on_stall: Callable[[], None]) -> StallGuard:
        def both() -> None:
            on_stall()
            task.cancel()
            fired.append(True)

        return StallGuard(seconds, both)

    monkeypatch.setattr(downloader, "StallGuard", guard)
    task = asyncio.ensure_future(assets.download(NAME, dest))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert fired == [True]
    assert await exists(dest / f"{NAME}.part")
    assert site.stats.bodies[NAME] == 1  # no retry after the cancel
    site.gate.set()


async def test_transient_5xx_and_429_are_retried_under_the_policy(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
    no_sleep: NoSleep,
) -> None:
    faults = Faults(
        error_rate=1.0,
        error_status=503,
        rate_limit_burst=1,
        retry_after=7,
        times=1,
        paths=("/assets/big",),
    )
    site = await make_site(faults)
    path = await make_assets(site).download(NAME, dest)
    assert await read(path) == published
    assert no_sleep.delays[0] == 7  # the 429's Retry-After, then a backoff for the 503
    assert len(no_sleep.delays) == 2


async def test_416_for_a_complete_part_installs_it(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    entry = (await assets.manifest()).entries[0]
    assert entry.etag is not None
    sidecar = json.dumps({"files": {}, "parts": {NAME: entry.etag}})
    await asyncio.to_thread(_write, dest / ".gameservices-downloads.json", sidecar.encode())
    await asyncio.to_thread(_write, dest / f"{NAME}.part", published)
    # Without a manifest hash the part cannot be checked locally: the host is asked for the
    # rest, answers 416 (nothing left), and the complete part is installed.
    no_hash = dataclasses.replace(entry, sha256=None)
    path, got = await assets._downloader.download(no_hash, dest)
    assert got is True
    assert await read(path) == published
    assert site.stats.bodies[NAME] == 0
