"""One file: verified download, cache hits without network, integrity and size errors."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gameservices import IntegrityError, NotFound
from gameservices._assets.service import Assets
from gameservices.testing import Faults

from .conftest import MB, NoSleep, Site, SiteFactory, blob, exists, read

DATA = blob(MB + 123)


@pytest.fixture
def published(site_dir: Path) -> bytes:
    (site_dir / "levels").mkdir()
    (site_dir / "levels" / "level2.pak").write_bytes(DATA)
    return DATA


async def test_download_verifies_and_renames_into_place(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    manifest = await assets.manifest()
    assert manifest.names == ("levels/level2.pak",)
    path = await assets.download("levels/level2.pak", dest)
    assert path == await asyncio.to_thread(dest.resolve) / "levels" / "level2.pak"
    assert await read(path) == published
    assert not await exists(path.with_name("level2.pak.part"))
    sidecar = json.loads(await read(dest / ".gameservices-downloads.json"))
    assert sidecar["files"]["levels/level2.pak"]["sha256"] == manifest.entries[0].sha256
    assert sidecar["parts"] == {}


async def test_unchanged_file_costs_no_transfer(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    await assets.download("levels/level2.pak", dest)
    await assets.download("levels/level2.pak", dest)
    # A new client (no in-memory cache) and no sidecar: the local hash still matches.
    await asyncio.to_thread((dest / ".gameservices-downloads.json").unlink)
    await make_assets(site).download("levels/level2.pak", dest)
    assert site.stats.bodies["levels/level2.pak"] == 1
    assert site.stats.bytes_sent["levels/level2.pak"] == len(published)


async def test_changed_local_file_is_downloaded_again(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    path = await assets.download("levels/level2.pak", dest)
    await asyncio.to_thread(path.write_bytes, b"x" * len(published))  # same size, new mtime
    await assets.download("levels/level2.pak", dest)
    assert await read(path) == published
    assert site.stats.bodies["levels/level2.pak"] == 2


async def test_wrong_hash_raises_integrity_error_and_removes_the_part(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    entry = (await assets.manifest()).entries[0]
    bad = dataclasses.replace(entry, sha256="0" * 64)
    with pytest.raises(IntegrityError, match=r"sha256 is [0-9a-f]{64}, the manifest says 0000"):
        await assets._downloader.download(bad, dest)
    assert not await exists(dest / "levels" / "level2.pak.part")
    assert not await exists(dest / "levels" / "level2.pak")


async def test_a_body_longer_than_the_manifest_size_is_an_integrity_error(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    entry = (await assets.manifest()).entries[0]
    small = dataclasses.replace(entry, size=1000)
    with pytest.raises(IntegrityError, match="announces 1048699 bytes"):
        await assets._downloader.download(small, dest)
    assert not await exists(dest / "levels" / "level2.pak.part")


async def test_if_none_match_without_a_manifest_hash_gives_a_304_cache_hit(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    site = await make_site()
    assets = make_assets(site)
    entry = dataclasses.replace((await assets.manifest()).entries[0], sha256=None)
    _, got = await assets._downloader.download(entry, dest)
    assert got is True
    _, got = await assets._downloader.download(entry, dest)
    assert got is False  # the host answered 304 Not Modified
    assert site.stats.bodies["levels/level2.pak"] == 1
    assert await read(dest / "levels" / "level2.pak") == published


async def test_unknown_name_is_not_found(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    assets = make_assets(await make_site())
    with pytest.raises(NotFound, match="no asset named"):
        await assets.download("nope.pak", dest)


async def test_manifest_is_revalidated_with_its_etag(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets]
) -> None:
    site: Site = await make_site()
    assets = make_assets(site)
    first = await assets.manifest()
    assert await assets.manifest() is first  # 304: the parsed manifest is reused
    await asyncio.to_thread(site.put, "new.pak", b"n")
    assert (await assets.manifest()).names == ("levels/level2.pak", "new.pak")


async def test_an_empty_asset_downloads_and_then_stays_cached(
    site_dir: Path, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    await asyncio.to_thread((site_dir / "empty.dat").write_bytes, b"")
    site = await make_site()
    assets = make_assets(site)
    entry = (await assets.manifest()).get("empty.dat")
    assert entry is not None
    path, got = await assets._downloader.download(entry, dest)
    assert got is True
    assert await read(path) == b""
    _, got = await assets._downloader.download(entry, dest)
    assert got is False  # the sidecar's hash matched: no request at all


async def test_a_failing_manifest_is_retried(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    no_sleep: NoSleep,
) -> None:
    faults = Faults(error_rate=1.0, error_status=503, times=1, paths=("/assets/manifest",))
    site = await make_site(faults)
    assert (await make_assets(site).manifest()).names == ("levels/level2.pak",)
    assert len(no_sleep.delays) == 1
