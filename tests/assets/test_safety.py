"""Nothing lands outside dest_dir; full disks and lying hosts give clear, typed errors."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from gameservices import IntegrityError, ProtocolError, RetryPolicy, StorageError, UsageError
from gameservices._assets.downloader import Downloader
from gameservices._assets.filesink import open_part
from gameservices._assets.service import Assets
from gameservices._client.transport import AiohttpTransport
from gameservices._protocol.manifest import ManifestEntry

from .conftest import MB, SiteFactory, blob, exists, read

DATA = blob(MB, seed=3)


@pytest.fixture
def published(site_dir: Path) -> bytes:
    (site_dir / "levels").mkdir()
    (site_dir / "levels" / "a.pak").write_bytes(DATA)
    (site_dir / "a.pak").write_bytes(DATA)
    return DATA


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    out.mkdir()
    return out


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


async def test_symlinked_directory_leading_out_is_refused(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
    outside: Path,
) -> None:
    await asyncio.to_thread(link, dest / "levels", outside)
    assets = make_assets(await make_site())
    with pytest.raises(UsageError, match=r"symlink .* leads outside"):
        await assets.download("levels/a.pak", dest)
    assert await asyncio.to_thread(os.listdir, outside) == []


async def test_symlinked_part_leading_out_is_refused(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
    outside: Path,
) -> None:
    await asyncio.to_thread(link, dest / "a.pak.part", outside / "victim")
    assets = make_assets(await make_site())
    with pytest.raises(UsageError, match="symlink leading outside"):
        await assets.download("a.pak", dest)
    assert not await exists(outside / "victim")


async def test_symlinked_final_file_leading_out_is_refused(
    published: bytes,
    make_site: SiteFactory,
    make_assets: Callable[..., Assets],
    dest: Path,
    outside: Path,
) -> None:
    await asyncio.to_thread((outside / "victim").write_bytes, b"keep me")
    await asyncio.to_thread(link, dest / "a.pak", outside / "victim")
    result = await make_assets(await make_site()).sync(dest)
    assert isinstance(result.failed["a.pak"], UsageError)
    assert result.downloaded == ("levels/a.pak",)
    assert await read(outside / "victim") == b"keep me"


class FullDisk:
    """An injected .part opener whose file raises ENOSPC once ``room`` bytes are written."""

    def __init__(self, room: int) -> None:
        self.room = room

    def __call__(self, path: Path) -> BinaryIO:
        f = open_part(path)
        room = self.room
        real_write = f.write

        def write(data: bytes) -> int:  # type: ignore[override]  # buffer-protocol subset
            nonlocal room
            if len(data) > room:
                raise OSError(errno.ENOSPC, "No space left on device")
            room -= len(data)
            return real_write(data)

        f.write = write  # type: ignore[method-assign]  # test double
        return f


async def test_full_disk_names_the_file_and_the_bytes_needed_and_keeps_the_part(
    published: bytes,
    make_site: SiteFactory,
    transport: AiohttpTransport,
    dest: Path,
) -> None:
    site = await make_site()
    assets = Assets(transport, site.url, opener=FullDisk(room=300_000))
    full = r"disk full writing .*a\.pak\.part: \d+ more bytes"
    with pytest.raises(StorageError, match=full) as ei:
        await assets.download("a.pak", dest)
    assert ei.value.errno == errno.ENOSPC
    needed = int(str(ei.value).split(": ")[1].split()[0])
    part = await asyncio.to_thread((dest / "a.pak.part").stat)
    assert 0 < part.st_size <= 300_000
    assert needed == len(published) - part.st_size
    # Space comes back: the next call resumes from the kept .part.
    path = await Assets(transport, site.url).download("a.pak", dest)
    assert await read(path) == published
    # The second request asked only for the rest (the first may have sent it all).
    assert site.stats.bodies["a.pak"] == 2
    assert site.stats.bytes_sent["a.pak"] <= 2 * len(published) - part.st_size


# Hosts that lie, through a handler seam (a real server never does this).


def liar(size: int, announce: int | None, send: int) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"ETag": '"liar"'})
        if announce is not None:
            resp.content_length = announce
        else:
            resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(b"x" * send)
        if announce is not None and send < announce:
            assert request.transport is not None
            request.transport.close()
            return resp
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/f", handler)
    return app


async def fetch_from(
    aiohttp_server: AiohttpServer,
    transport: AiohttpTransport,
    app: web.Application,
    size: int,
    dest: Path,
) -> None:
    server = await aiohttp_server(app)
    entry = ManifestEntry("f.bin", size, None, server.make_url("/f"))

    async def no_wait(_s: float) -> None:
        return None

    assets = Assets(
        transport, server.make_url("/"), retry=RetryPolicy(max_attempts=2, sleep=no_wait)
    )
    await Downloader(assets._fetch, retry=RetryPolicy(max_attempts=2, sleep=no_wait)).download(
        entry, dest
    )


async def test_content_length_longer_than_the_body_is_an_error(
    aiohttp_server: AiohttpServer, transport: AiohttpTransport, dest: Path
) -> None:
    with pytest.raises(ProtocolError, match="cut short"):
        await fetch_from(aiohttp_server, transport, liar(1000, 1000, 400), 1000, dest)


async def test_content_length_shorter_than_the_manifest_is_an_integrity_error(
    aiohttp_server: AiohttpServer, transport: AiohttpTransport, dest: Path
) -> None:
    with pytest.raises(IntegrityError, match="announces 400 bytes"):
        await fetch_from(aiohttp_server, transport, liar(1000, 400, 400), 1000, dest)


async def test_chunked_body_longer_than_the_manifest_is_an_integrity_error(
    aiohttp_server: AiohttpServer, transport: AiohttpTransport, dest: Path
) -> None:
    with pytest.raises(IntegrityError, match="more than the manifest's 1000 bytes"):
        await fetch_from(aiohttp_server, transport, liar(1000, None, 5000), 1000, dest)
    assert not await exists(dest / "f.bin.part")


async def test_a_directory_in_the_way_is_a_storage_error_for_that_file_only(
    published: bytes, make_site: SiteFactory, make_assets: Callable[..., Assets], dest: Path
) -> None:
    await asyncio.to_thread((dest / "a.pak").mkdir, parents=True)
    result = await make_assets(await make_site()).sync(dest)
    assert isinstance(result.failed["a.pak"], StorageError)
    assert "cannot move" in str(result.failed["a.pak"])
    assert result.downloaded == ("levels/a.pak",)
