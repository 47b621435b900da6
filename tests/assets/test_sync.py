"""Sync: aggregate progress, concurrency limit, bandwidth cap (virtual clock), no-op syncs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from yarl import URL

from gameservices import NotFound
from gameservices._assets.bandwidth import TokenBucket
from gameservices._assets.downloader import Downloader, Fetch
from gameservices._assets.service import Assets
from gameservices._client.transport import BodyStream

from .conftest import SiteFactory, blob, read

SIZES = {f"pack{i}.pak": 200_000 + i for i in range(6)}


@pytest.fixture
def published(site_dir: Path) -> dict[str, bytes]:
    files = {name: blob(size, seed=i) for i, (name, size) in enumerate(SIZES.items())}
    for name, data in files.items():
        (site_dir / name).write_bytes(data)
    return files


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None]] = []

    def __call__(self, done: int, total: int | None) -> None:
        self.calls.append((done, total))


async def test_sync_reports_aggregate_progress_then_costs_nothing_when_unchanged(
    published: dict[str, bytes],
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
) -> None:
    site = await make_site()
    assets = make_assets(site)
    progress = Recorder()
    result = await assets.sync(dest, on_progress=progress)
    total = sum(SIZES.values())
    assert sorted(result.downloaded) == sorted(SIZES)
    assert result.ok
    assert progress.calls[-1] == (total, total)
    assert {t for _, t in progress.calls} == {total}
    dones = [d for d, _ in progress.calls]
    assert dones == sorted(dones)
    for name, data in published.items():
        assert await read(dest / name) == data
    sent = sum(site.stats.bytes_sent.values())

    progress.calls.clear()
    again = await make_assets(site).sync(dest, on_progress=progress)  # only the sidecar knows
    assert again.downloaded == ()
    assert sorted(again.up_to_date) == sorted(SIZES)
    assert sum(site.stats.bytes_sent.values()) == sent
    assert progress.calls[-1] == (total, total)


async def test_sync_of_selected_names_reports_unknown_ones_as_failed(
    published: dict[str, bytes],
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
) -> None:
    names = ["pack1.pak", "ghost.pak", "pack1.pak"]
    result = await make_assets(await make_site()).sync(dest, names=names)
    assert result.downloaded == ("pack1.pak",)
    assert isinstance(result.failed["ghost.pak"], NotFound)
    assert not result.ok


class Counting:
    """Wraps a fetch: counts open streams; the first ``limit`` wait for each other, so the peak
    is reached deterministically (and a broken limit shows as a higher peak)."""

    def __init__(self, inner: Fetch, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.now = self.peak = 0
        self.full = asyncio.Event()

    @asynccontextmanager
    async def __call__(
        self, url: URL, headers: Mapping[str, str], chunk: int
    ) -> AsyncIterator[BodyStream]:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            if self.now >= self.limit:
                self.full.set()
            await self.full.wait()
            async with self.inner(url, headers, chunk) as resp:
                yield resp
        finally:
            self.now -= 1


async def test_sync_respects_the_concurrency_limit(
    published: dict[str, bytes],
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
) -> None:
    assets = make_assets(await make_site())
    counting = Counting(assets._fetch, limit=2)
    entries = (await assets.manifest()).entries
    result = await Downloader(counting).sync(entries, dest, concurrency=2)
    assert len(result.downloaded) == len(SIZES)
    assert counting.peak == 2


async def test_bandwidth_cap_paces_the_whole_sync(
    published: dict[str, bytes],
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
) -> None:
    now = [0.0]

    async def virtual_sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)

    rate = 400_000
    bucket = TokenBucket(rate, clock=lambda: now[0], sleep=virtual_sleep)
    assets = make_assets(await make_site())
    entries = (await assets.manifest()).entries
    result = await Downloader(assets._fetch).sync(entries, dest, concurrency=3, bucket=bucket)
    assert len(result.downloaded) == len(SIZES)
    ideal = sum(SIZES.values()) / rate  # 3 s of virtual time
    assert ideal - bucket.burst / rate - 0.01 <= now[0] <= ideal + 0.01


async def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(1000, burst=500, clock=lambda: now[0], sleep=sleep)
    await bucket.take(500)
    assert slept == []
    await bucket.take(1000)  # a chunk bigger than the burst still passes, then pays its debt
    assert slept == [1.0]
    now[0] += 0.25
    await bucket.take(100)
    assert slept == [1.0]
    with pytest.raises(ValueError, match="max_bytes_per_s"):
        TokenBucket(0)


async def test_concurrency_must_be_positive(
    make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    assets = make_assets(await make_site())
    with pytest.raises(ValueError, match="concurrency"):
        await assets.sync(dest, concurrency=0)
