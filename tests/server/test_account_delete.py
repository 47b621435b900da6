"""What a deleted account's tokens get, judged by an injected clock (Nakama's session cache
rule: a token issued before the second of the delete is dead, one from that second still
passes), and that the rule survives a restart."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from gameservices._protocol.api import basic_auth
from gameservices.testing import ReferenceServer

BASIC = {"Authorization": basic_auth("defaultkey")}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def _login(http: aiohttp.ClientSession, url: str, device: str) -> dict[str, str]:
    async with http.post(
        f"{url}/v2/account/authenticate/device", json={"id": device}, headers=BASIC
    ) as resp:
        assert resp.status == 200
        body: dict[str, str] = await resp.json()
        return body


async def _status(http: aiohttp.ClientSession, method: str, url: str, token: str) -> int:
    async with http.request(method, url, headers={"Authorization": f"Bearer {token}"}) as resp:
        return resp.status


async def test_tokens_issued_before_the_delete_second_die(tmp_path: Path) -> None:
    clock = Clock()
    db = str(tmp_path / "game.db")
    async with ReferenceServer(clock=clock, db_path=db) as server, aiohttp.ClientSession() as http:
        old = await _login(http, server.url, "device-delete-0001")
        clock.now += 5
        same_second = await _login(http, server.url, "device-delete-0001")
        account = f"{server.url}/v2/account"
        assert await _status(http, "DELETE", account, same_second["token"]) == 200
        assert await _status(http, "GET", account, old["token"]) == 401
        assert await _status(http, "GET", account, same_second["token"]) == 404
        refresh = f"{server.url}/v2/account/session/refresh"
        async with http.post(refresh, json={"token": old["refresh_token"]}, headers=BASIC) as resp:
            assert resp.status == 401
    clock.now += 1
    async with ReferenceServer(clock=clock, db_path=db) as server, aiohttp.ClientSession() as http:
        assert await _status(http, "GET", f"{server.url}/v2/account", old["token"]) == 401
        fresh = await _login(http, server.url, "device-delete-0001")  # a new account
        assert await _status(http, "GET", f"{server.url}/v2/account", fresh["token"]) == 200
