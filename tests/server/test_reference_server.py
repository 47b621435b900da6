"""ReferenceServer: a real server on 127.0.0.1 with a free port."""

from __future__ import annotations

import base64
from pathlib import Path

import aiohttp
import pytest

from gameservices.server import ServerConfig
from gameservices.server.config import DEFAULT_PORT
from gameservices.testing import ReferenceServer

BASIC = "Basic " + base64.b64encode(b"defaultkey:").decode()


async def test_reference_server_serves_on_loopback() -> None:
    async with ReferenceServer() as server, aiohttp.ClientSession() as http:
        assert server.url.startswith("http://127.0.0.1:")
        resp = await http.post(
            server.url + "/v2/account/authenticate/custom",
            json={"id": "custom-1"},
            headers={"Authorization": BASIC},
        )
        assert resp.status == 200
        assert resp.headers["Date"]  # clients judge token expiry by the server's clock
        assert (await resp.json())["created"] is True


async def test_it_binds_the_port_it_is_given_so_a_restart_keeps_the_url(tmp_path: Path) -> None:
    db = str(tmp_path / "game.db")
    async with ReferenceServer(db_path=db) as first, aiohttp.ClientSession() as http:
        url, port = first.url, int(first.url.rsplit(":", 1)[1])
        resp = await http.post(
            f"{url}/v2/account/authenticate/custom", json={"id": "custom-1"},
            headers={"Authorization": BASIC},
        )  # fmt: skip
        assert (await resp.json())["created"] is True
    async with (
        ReferenceServer(db_path=db, host="127.0.0.1", port=port) as again,
        aiohttp.ClientSession() as http,
    ):
        assert again.url == url  # the same server is back where clients left it
        resp = await http.post(
            f"{url}/v2/account/authenticate/custom", json={"id": "custom-1"},
            headers={"Authorization": BASIC},
        )  # fmt: skip
        assert "created" not in await resp.json()  # false (omitted): it kept the account


async def test_a_configs_port_is_for_serve_and_keywords_win() -> None:
    async with ReferenceServer(ServerConfig(port=DEFAULT_PORT)) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert not server.url.endswith(f":{DEFAULT_PORT}")  # a free port, never 7350
    with pytest.raises(ValueError, match="port must be 0-65535"):
        ReferenceServer(port=70000)


async def test_url_outside_the_context_is_an_error() -> None:
    server = ReferenceServer(token_expiry=60)
    assert server.config.token_expiry == 60
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


async def test_the_pytest_fixture_gives_a_running_server(reference_server: ReferenceServer) -> None:
    async with aiohttp.ClientSession() as http:
        resp = await http.get(reference_server.url + "/v2/leaderboard/weekly")
        assert resp.status == 401  # running, and enforcing auth


def test_testing_package_imports_without_pytest() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['pytest'] = None; "
        "import gameservices.testing as t; print(t.ReferenceServer.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ReferenceServer"


async def test_date_header_follows_an_injected_clock() -> None:
    from email.utils import parsedate_to_datetime

    async with (
        ReferenceServer(clock=lambda: 2_000_000_000.0) as server,
        aiohttp.ClientSession() as http,
    ):
        resp = await http.get(server.url + "/v2/leaderboard/weekly")
        assert parsedate_to_datetime(resp.headers["Date"]).timestamp() == 2_000_000_000
