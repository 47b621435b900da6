"""The per-IP token bucket: stepped with a fake clock, never by sleeping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gameservices.server import ServerConfig, create_app
from gameservices.server.ratelimit import RateLimit, TokenBuckets, rate_limit_middleware

Client = TestClient[web.Request, web.Application]
AiohttpClient = Callable[..., Awaitable[Client]]


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "bad",
    [
        {"rate_per_s": 0, "burst": 1},
        {"rate_per_s": -1, "burst": 1},
        {"rate_per_s": float("nan"), "burst": 1},
        {"rate_per_s": 1, "burst": 0},
        {"rate_per_s": 1, "burst": 1.5},
        {"rate_per_s": 1, "burst": 1, "max_clients": 0},
        {"rate_per_s": 1, "burst": 1, "paths": "/v2/"},
    ],
)
def test_invalid_limits_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="invalid RateLimit"):
        RateLimit(**bad)


def test_burst_then_refill_at_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(rate_per_s=2.0, burst=3), clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # empty: one token every 0.5 s
    clock.now += 0.25
    assert buckets.take("a") == pytest.approx(0.25)
    clock.now += 0.25
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    clock.now += 100  # long idle: back to a full burst, never more
    assert [buckets.take("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]
    assert buckets.take("a") > 0


def test_clients_have_separate_buckets() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=1.0, burst=1), FakeClock())
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def test_memory_is_bounded_by_idle_eviction_and_cap() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(rate_per_s=1.0, burst=2, max_clients=50), clock)
    for i in range(40):
        buckets.take(f"10.0.0.{i}")
    assert len(buckets) == 40
    clock.now += 2  # every bucket has refilled: all idle ones go on the next request
    buckets.take("fresh")
    assert len(buckets) == 1
    for i in range(200):
        buckets.take(f"10.0.1.{i}")
    assert len(buckets) == 50


def test_cap_evicts_the_least_recently_used_client() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(rate_per_s=1.0, burst=1, max_clients=2), clock)
    for key in ("a", "b", "a", "c"):  # "b" is least recently used when "c" arrives
        buckets.take(key)
    assert len(buckets) == 2
    assert buckets.take("a") > 0  # still tracked: its bucket is empty
    assert buckets.take("b") == 0.0  # forgotten: a new, full bucket (the price of the cap)


async def limited_client(
    aiohttp_client: AiohttpClient, limit: RateLimit | None, clock: FakeClock
) -> Client:
    async def ok(_request: web.Request) -> web.Response:
        return web.json_response({})

    app = web.Application(middlewares=[rate_limit_middleware(limit, clock)])
    app.router.add_get("/v2/thing", ok)
    app.router.add_get("/assets/x", ok)
    return await aiohttp_client(app)


async def test_429_has_retry_after_and_nakama_body(aiohttp_client: AiohttpClient) -> None:
    clock = FakeClock()
    client = await limited_client(aiohttp_client, RateLimit(rate_per_s=0.4, burst=2), clock)
    assert [(await client.get("/v2/thing")).status for _ in range(2)] == [200, 200]
    resp = await client.get("/v2/thing")
    assert resp.status == 429
    assert resp.headers["Retry-After"] == "3"  # 2.5 s until a token, rounded up
    assert await resp.json() == {"code": 8, "message": "Rate limit exceeded."}
    clock.now += 2.5
    assert (await client.get("/v2/thing")).status == 200


async def test_other_paths_and_no_limit_pass(aiohttp_client: AiohttpClient) -> None:
    clock = FakeClock()
    client = await limited_client(aiohttp_client, RateLimit(rate_per_s=1, burst=1), clock)
    assert (await client.get("/v2/thing")).status == 200
    assert (await client.get("/v2/thing")).status == 429
    assert (await client.get("/assets/x")).status == 200
    open_client = await limited_client(aiohttp_client, None, clock)
    assert [(await open_client.get("/v2/thing")).status for _ in range(5)] == [200] * 5


async def test_create_app_limits_the_api_with_the_config_clock(
    aiohttp_client: AiohttpClient,
) -> None:
    clock = FakeClock(1_800_000_000.0)
    config = ServerConfig(rate_limit=RateLimit(rate_per_s=1, burst=2), clock=clock)
    client = await aiohttp_client(create_app(config))
    statuses = [(await client.get("/v2/leaderboard/weekly")).status for _ in range(3)]
    assert statuses == [401, 401, 429]  # limited before auth is even looked at
    limited = await client.get("/v2/leaderboard/weekly")
    assert limited.headers["Retry-After"] == "1"
    assert (await limited.json())["code"] == 8
    clock.now += 1
    assert (await client.get("/v2/leaderboard/weekly")).status == 401
