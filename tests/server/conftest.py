"""Fixtures for server tests: a fake clock, an app client, and a small API helper."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gameservices.server import ServerConfig, create_app

BASIC = "Basic " + base64.b64encode(b"defaultkey:").decode()
SECRET = "test-secret-0123456789abcdef-0123456789"


class FakeClock:
    """Seconds since the epoch, moved only by the test."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """Thin helpers over a test client speaking the Nakama wire."""

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        self.client = client

    async def auth(
        self, kind: str = "device", body: dict[str, Any] | None = None, **query: str
    ) -> Any:
        resp = await self.client.post(
            f"/v2/account/authenticate/{kind}",
            json=body if body is not None else {"id": "device-000001"},
            params=query,
            headers={"Authorization": BASIC},
        )
        return resp.status, await resp.json()

    async def login(self, device_id: str, username: str | None = None) -> dict[str, str]:
        query = {"username": username} if username else {}
        status, body = await self.auth("device", {"id": device_id}, **query)
        assert status == 200, body
        return {"Authorization": "Bearer " + body["token"]}

    async def call(
        self, method: str, path: str, headers: dict[str, str], **kwargs: Any
    ) -> tuple[int, Any]:
        resp = await self.client.request(method, path, headers=headers, **kwargs)
        return resp.status, await resp.json()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(clock: FakeClock) -> ServerConfig:
    return ServerConfig(clock=clock, token_secret=SECRET)


MakeApi = Callable[..., Awaitable[Api]]


@pytest.fixture
def make_api(aiohttp_client: Any, config: ServerConfig) -> MakeApi:
    async def make(**overrides: Any) -> Api:
        cfg = config.with_overrides(**overrides) if overrides else config
        return Api(await aiohttp_client(create_app(cfg)))

    return make


@pytest.fixture
async def api(make_api: MakeApi) -> Api:
    return await make_api()
