"""Fault injection: validated settings, API faults in the middleware, body faults on assets."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gameservices.server.assets import ASSET_STATS, CHUNK_SIZE, setup_assets
from gameservices.server.config import config_from_mapping
from gameservices.server.faults import FaultInjector, faults_middleware
from gameservices.testing import Faults, ReferenceServer

Client = TestClient[web.Request, web.Application]
AiohttpClient = Callable[..., Awaitable[Client]]

BASIC = "Basic " + base64.b64encode(b"defaultkey:").decode()
DATA = bytes(range(256)) * 400  # 102400 bytes


class RecordingSleep:
    """Stands in for asyncio.sleep: records the delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def ok(_request: web.Request) -> web.Response:
    return web.json_response({})


async def api_client(
    aiohttp_client: AiohttpClient, faults: Faults, sleep: RecordingSleep | None = None
) -> Client:
    app = web.Application(middlewares=[faults_middleware(faults, sleep=sleep or RecordingSleep())])
    app.router.add_get("/v2/thing", ok)
    app.router.add_get("/other", ok)
    return await aiohttp_client(app)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "big.bin").write_bytes(DATA)
    return tmp_path


async def asset_client(
    aiohttp_client: AiohttpClient, root: Path, faults: Faults, sleep: RecordingSleep | None = None
) -> Client:
    app = web.Application()
    setup_assets(app, root, faults, sleep=sleep or RecordingSleep())
    return await aiohttp_client(app)


async def read_until_error(resp: aiohttp.ClientResponse) -> tuple[bytes, Exception | None]:
    received = bytearray()
    try:
        async for chunk in resp.content.iter_any():
            received += chunk
    except aiohttp.ClientPayloadError as exc:
        return bytes(received), exc
    return bytes(received), None


# --- the settings


@pytest.mark.parametrize(
    "bad",
    [
        {"latency": -1},
        {"latency": float("inf")},
        {"error_rate": 1.5},
        {"error_status": 404},
        {"rate_limit_burst": -1},
        {"rate_limit_burst": 2, "rate_limit_every": 2},
        {"retry_after": -1},
        {"truncate_at": -5},
        {"drop_at": 1.0},
        {"drop_at": -0.5},
        {"drip_bytes_per_s": 0},
        {"times": -1},
        {"seed": "x"},
        {"error_rate": True},
    ],
)
def test_invalid_faults_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="invalid Faults"):
        Faults(**bad)


def test_from_json_and_mapping() -> None:
    faults = Faults.from_json('{"error_rate": 0.1, "paths": ["/v2/", "/assets/"], "times": 2}')
    assert faults == Faults(error_rate=0.1, paths=("/v2/", "/assets/"), times=2)
    with pytest.raises(ValueError, match="unknown fault setting"):
        Faults.from_mapping({"eror_rate": 0.1})
    with pytest.raises(ValueError, match="JSON object"):
        Faults.from_json("[1]")
    with pytest.raises(ValueError, match="JSON object"):
        Faults.from_json("{nope")


# --- API faults


async def test_latency_is_awaited_before_each_api_response(aiohttp_client: AiohttpClient) -> None:
    sleep = RecordingSleep()
    client = await api_client(aiohttp_client, Faults(latency=0.25, times=2), sleep)
    for _ in range(3):
        assert (await client.get("/v2/thing")).status == 200
    assert sleep.delays == [0.25, 0.25]  # times=2: the third request is not delayed


async def test_error_rate_one_fails_with_nakama_body(aiohttp_client: AiohttpClient) -> None:
    client = await api_client(aiohttp_client, Faults(error_rate=1.0))
    resp = await client.get("/v2/thing")
    assert resp.status == 503
    assert await resp.json() == {"code": 14, "message": "Injected server error."}
    other = await api_client(aiohttp_client, Faults(error_rate=1.0, error_status=500))
    resp = await other.get("/v2/thing")
    assert resp.status == 500
    assert (await resp.json())["code"] == 13


async def test_fail_once_then_succeed(aiohttp_client: AiohttpClient) -> None:
    client = await api_client(aiohttp_client, Faults(error_rate=1.0, times=1))
    statuses = [(await client.get("/v2/thing")).status for _ in range(3)]
    assert statuses == [503, 200, 200]


async def test_error_rate_is_deterministic_for_a_seed(aiohttp_client: AiohttpClient) -> None:
    runs = []
    for _ in range(2):
        client = await api_client(aiohttp_client, Faults(error_rate=0.5, seed=7))
        runs.append([(await client.get("/v2/thing")).status for _ in range(20)])
    assert runs[0] == runs[1]
    assert {200, 503} == set(runs[0])


async def test_rate_limit_burst_then_pass(aiohttp_client: AiohttpClient) -> None:
    client = await api_client(aiohttp_client, Faults(rate_limit_burst=2, retry_after=3))
    first = await client.get("/v2/thing")
    assert first.status == 429
    assert first.headers["Retry-After"] == "3"
    assert await first.json() == {"code": 8, "message": "Rate limited."}
    statuses = [(await client.get("/v2/thing")).status for _ in range(3)]
    assert statuses == [429, 200, 200]


async def test_rate_limit_burst_repeats(aiohttp_client: AiohttpClient) -> None:
    client = await api_client(aiohttp_client, Faults(rate_limit_burst=1, rate_limit_every=3))
    statuses = [(await client.get("/v2/thing")).status for _ in range(7)]
    assert statuses == [429, 200, 200, 429, 200, 200, 429]


async def test_paths_outside_the_prefixes_are_untouched(aiohttp_client: AiohttpClient) -> None:
    client = await api_client(aiohttp_client, Faults(error_rate=1.0))
    assert (await client.get("/other")).status == 200
    assert (await client.get("/v2/thing")).status == 503


# --- body faults on assets


async def test_truncate_sends_a_short_body(root: Path, aiohttp_client: AiohttpClient) -> None:
    client = await asset_client(aiohttp_client, root, Faults(truncate_at=1000))
    resp = await client.get("/assets/big.bin")
    assert resp.headers["Content-Length"] == str(len(DATA))
    received, error = await read_until_error(resp)
    assert isinstance(error, aiohttp.ClientPayloadError)
    assert received == DATA[:1000]
    assert client.app[ASSET_STATS].bytes_sent["big.bin"] == 1000


async def test_drop_at_half_then_resume(root: Path, aiohttp_client: AiohttpClient) -> None:
    client = await asset_client(aiohttp_client, root, Faults(drop_at=0.5, times=1))
    resp = await client.get("/assets/big.bin")
    received, error = await read_until_error(resp)
    assert isinstance(error, aiohttp.ClientPayloadError)
    assert len(received) <= len(DATA) // 2
    assert received == DATA[: len(received)]
    stats = client.app[ASSET_STATS]
    assert stats.bytes_sent["big.bin"] == len(DATA) // 2
    headers = {"Range": f"bytes={len(received)}-", "If-Range": resp.headers["ETag"]}
    rest = await client.get("/assets/big.bin", headers=headers)
    assert rest.status == 206
    assert received + await rest.read() == DATA  # times=1: the resume is not dropped
    assert stats.bytes_sent["big.bin"] == len(DATA) // 2 + len(DATA) - len(received)


async def test_drop_at_byte_offset(root: Path, aiohttp_client: AiohttpClient) -> None:
    client = await asset_client(aiohttp_client, root, Faults(drop_at=4096))
    resp = await client.get("/assets/big.bin")
    received, error = await read_until_error(resp)
    assert error is not None
    assert len(received) <= 4096
    assert client.app[ASSET_STATS].bytes_sent["big.bin"] == 4096


async def test_drip_paces_the_body(root: Path, aiohttp_client: AiohttpClient) -> None:
    sleep = RecordingSleep()
    client = await asset_client(aiohttp_client, root, Faults(drip_bytes_per_s=20480), sleep)
    resp = await client.get("/assets/big.bin")
    assert await resp.read() == DATA
    assert sum(sleep.delays) == pytest.approx(len(DATA) / 20480)
    assert len(sleep.delays) == len(DATA) // 2048  # a tenth of a second's worth per chunk


async def test_body_faults_respect_times(root: Path, aiohttp_client: AiohttpClient) -> None:
    client = await asset_client(aiohttp_client, root, Faults(truncate_at=10, times=2))
    for _ in range(2):
        _, error = await read_until_error(await client.get("/assets/big.bin"))
        assert error is not None
    assert await (await client.get("/assets/big.bin")).read() == DATA


def test_fault_beyond_the_body_sends_it_whole_and_does_not_count() -> None:
    injector = FaultInjector(Faults(truncate_at=500, times=1))
    assert injector.body_plan(100).cut_at is None
    assert injector.body_plan(1000).cut_at == 500
    assert injector.body_plan(1000).cut_at is None  # times=1 used up by the body it cut


def test_drop_fraction_is_relative_to_the_body_sent() -> None:
    injector = FaultInjector(Faults(drop_at=0.25))
    plan = injector.body_plan(4000)
    assert (plan.cut_at, plan.abort) == (1000, True)
    assert injector.body_plan(400).cut_at == 100  # e.g. a resumed range


# --- through the real server


async def test_reference_server_fails_once_then_serves(tmp_path: Path) -> None:
    async with (
        ReferenceServer(faults=Faults(error_rate=1.0, times=1)) as server,
        aiohttp.ClientSession() as http,
    ):
        url = server.url + "/v2/account/authenticate/device"
        statuses = []
        for _ in range(2):
            resp = await http.post(
                url, json={"id": "device-000001"}, headers={"Authorization": BASIC}
            )
            statuses.append(resp.status)
            body = await resp.json()
        assert statuses == [503, 200]
        assert body["token"]


async def test_reference_server_drops_a_download_then_resumes(root: Path) -> None:
    faults = Faults(drop_at=0.5, times=1)
    async with (
        ReferenceServer(assets_dir=root, faults=faults) as server,
        aiohttp.ClientSession() as http,
    ):
        async with http.get(server.url + "/assets/big.bin") as resp:
            received, error = await read_until_error(resp)
        assert isinstance(error, aiohttp.ClientPayloadError)
        headers = {"Range": f"bytes={len(received)}-", "If-Range": resp.headers["ETag"]}
        async with http.get(server.url + "/assets/big.bin", headers=headers) as rest:
            assert rest.status == 206
            assert received + await rest.read() == DATA
        # What was sent: half the file, then what the client lacked. At most one chunk is lost.
        assert server.asset_stats.bytes_sent["big.bin"] <= len(DATA) + CHUNK_SIZE


def test_config_file_and_cli_values_become_faults() -> None:
    config = config_from_mapping({"faults": {"error_rate": 0.5, "paths": ["/v2/", "/assets/"]}})
    assert config.faults == Faults(error_rate=0.5, paths=("/v2/", "/assets/"))
    with pytest.raises(ValueError, match="unknown fault setting"):
        config_from_mapping({"faults": {"eror_rate": 0.5}})


async def test_paths_can_give_downloads_transient_errors(root: Path) -> None:
    faults = Faults(error_rate=1.0, times=1, paths=("/assets/",))
    async with (
        ReferenceServer(assets_dir=root, faults=faults) as server,
        aiohttp.ClientSession() as http,
    ):
        async with http.get(server.url + "/assets/big.bin") as first:
            assert first.status == 503
            assert (await first.json())["code"] == 14
        async with http.get(server.url + "/assets/big.bin") as second:
            assert await second.read() == DATA
        assert server.asset_stats.bytes_sent["big.bin"] == len(DATA)
