"""``client.assets`` on a real Client: default and CDN asset URLs, no token to asset hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from gameservices import Client, UsageError
from gameservices.server.assets import setup_assets
from gameservices.testing import ReferenceServer

from .conftest import blob, read

DATA = blob(300_000, seed=5)


@pytest.fixture
def published(site_dir: Path) -> bytes:
    (site_dir / "a.pak").write_bytes(DATA)
    return DATA


async def test_default_assets_url_is_the_servers(
    published: bytes, site_dir: Path, dest: Path
) -> None:
    async with ReferenceServer(assets_dir=site_dir) as server:
        async with Client(server.url) as client:
            assert str(client.assets.manifest_url) == f"{server.url}/assets/manifest.json"
            path = await client.assets.download("a.pak", dest)
            assert await read(path) == published
        with pytest.raises(UsageError, match="closed"):
            await client.assets.manifest()


async def test_a_cdn_on_another_origin_never_sees_the_session_token(
    published: bytes, site_dir: Path, dest: Path, aiohttp_server: AiohttpServer
) -> None:
    seen: list[str | None] = []

    @web.middleware
    async def record(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        seen.append(request.headers.get("Authorization"))
        return await handler(request)

    cdn_app = web.Application(middlewares=[record])
    setup_assets(cdn_app, site_dir)
    cdn = await aiohttp_server(cdn_app)
    assets_url = str(cdn.make_url("/assets/"))
    async with ReferenceServer() as api, Client(api.url, assets_url=assets_url) as client:
        await client.auth.device("device-0001-abcdef", create=True)
        assert client.session is not None
        result = await client.assets.sync(dest)
    assert result.downloaded == ("a.pak",)
    assert len(seen) == 2  # the manifest and the file
    assert seen == [None, None]
