"""Asset test helpers: a real asset host on 127.0.0.1 port 0 (with fault injection) and a client.

Files are created by sync fixtures (outside the loop); async tests read files through threads,
since blockbuster fails any blocking call on the loop thread.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer
from yarl import URL

from gameservices import RetryPolicy
from gameservices._assets.service import Assets
from gameservices._client.transport import AiohttpTransport
from gameservices.server.assets import ASSET_STATS, AssetStats, setup_assets
from gameservices.testing import Faults, ReferenceServer

MB = 1 << 20
SERVER_CHUNK = 256 * 1024


def blob(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


@dataclass
class Site:
    root: Path
    url: URL
    stats: AssetStats
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    def put(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


SiteFactory = Callable[..., Awaitable[Site]]


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    root = tmp_path / "served"
    root.mkdir()
    return root


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "dest"


@pytest.fixture
async def make_site(aiohttp_server: AiohttpServer, site_dir: Path) -> AsyncIterator[SiteFactory]:
    """Start the reference server with assets from ``site_dir`` (and ``faults``).

    ``gated=True`` is the one seam: an asset host whose dripping body holds after its first chunk
    until ``site.gate`` is set, so a test can act mid-body without sleeping."""
    async with AsyncExitStack() as stack:

        async def make(faults: Faults | None = None, *, gated: bool = False) -> Site:
            if not gated:
                ref = ReferenceServer(assets_dir=site_dir, faults=faults)
                await stack.enter_async_context(ref)
                return Site(site_dir, URL(ref.url) / "assets" / "", ref.asset_stats)
            gate = asyncio.Event()

            async def hold(_seconds: float) -> None:
                await gate.wait()

            app = web.Application()
            setup_assets(app, site_dir, faults, sleep=hold)
            server = await aiohttp_server(app)
            return Site(site_dir, server.make_url("/assets/"), app[ASSET_STATS], gate)

        yield make


class NoSleep:
    """A RetryPolicy sleep that records delays and returns at once (optionally runs a hook)."""

    def __init__(self, hook: Callable[[], Awaitable[None]] | None = None) -> None:
        self.delays: list[float] = []
        self.hook = hook

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.hook is not None:
            await self.hook()


@pytest.fixture
def no_sleep() -> NoSleep:
    return NoSleep()


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    t = AiohttpTransport()
    yield t
    await t.close()


@pytest.fixture
def make_assets(transport: AiohttpTransport, no_sleep: NoSleep) -> Callable[..., Assets]:
    def make(site: Site, *, attempts: int = 4, **kw: object) -> Assets:
        retry = RetryPolicy(max_attempts=attempts, sleep=no_sleep)
        return Assets(transport, site.url, retry=retry, **kw)  # type: ignore[arg-type]  # test passthrough

    return make


async def read(path: Path) -> bytes:
    return await asyncio.to_thread(path.read_bytes)


async def exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)
