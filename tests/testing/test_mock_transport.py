"""MockTransport: the public seam for running a Client without a network."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from yarl import URL

from gameservices import (
    Client,
    ConnectError,
    HttpRequest,
    HttpResponse,
    RequestTimeout,
    RetryPolicy,
)
from gameservices.server import ServerConfig
from gameservices.testing import MockTransport, ServerSettings, json_response

BASE = "http://127.0.0.1:7350"


async def test_a_handler_answers_plain_and_streamed_requests() -> None:
    def handler(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, {"etag": '"v1"'}, b"0123456789")

    transport = MockTransport(handler)
    req = HttpRequest("GET", URL(BASE + "/a"))
    resp = await transport.request(req)
    assert (resp.status, resp.body, resp.url) == (200, b"0123456789", BASE + "/a")
    assert resp.headers["ETag"] == '"v1"'  # case-insensitive, as a real transport's
    async with transport.stream(req, chunk_size=4) as body:
        chunks = [chunk async for chunk in body]
    assert chunks == [b"0123", b"4567", b"89"]
    assert transport.requests == [req, req]
    await transport.close()
    assert transport.closed


async def test_an_async_handler_and_an_aborted_stream() -> None:
    async def handler(request: HttpRequest) -> HttpResponse:
        await asyncio.sleep(0)
        return HttpResponse(200, {}, b"x" * 10)

    stalled = RequestTimeout("no data")
    async with MockTransport(handler).stream(HttpRequest("GET", URL(BASE)), 4) as body:
        assert await body.__anext__() == b"xxxx"
        body.abort(stalled)
        with pytest.raises(RequestTimeout) as info:
            await body.__anext__()
    assert info.value is stalled


async def test_a_handler_that_returns_something_else_is_a_type_error() -> None:
    transport = MockTransport(lambda r: {"status": 200})  # type: ignore[arg-type,return-value]  # the point
    with pytest.raises(TypeError, match="must return an HttpResponse"):
        await transport.request(HttpRequest("GET", URL(BASE)))


async def test_a_client_runs_over_it_and_faked_failures_are_retried() -> None:
    token = "e30.eyJleHAiOjQxMDI0NDQ4MDAsInVpZCI6InUxIiwidXNuIjoiYWRhIn0.c2ln"  # exp 2100
    failures = [ConnectError("refused")]

    def handler(request: HttpRequest) -> HttpResponse:
        if failures:
            raise failures.pop()
        if request.url.path.startswith("/v2/account/authenticate/"):
            return json_response({"token": token, "refresh_token": token})
        assert request.headers["Authorization"] == f"Bearer {token}"
        return json_response({"records": [{"owner_id": "u1", "score": "7", "rank": "1"}]})

    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    retry = RetryPolicy(sleep=sleep, random=lambda: 1.0)
    transport = MockTransport(handler)
    async with Client(BASE, transport=transport, retry=retry) as client:
        session = await client.auth.device("device-0001-abcdef")
        page = await client.leaderboards.list("weekly")
    assert session.username == "ada"
    assert [r.score for r in page.records] == [7]
    assert delays == [0.5]  # the faked ConnectError went through the one retry decision
    assert [r.url.path for r in transport.requests] == [
        "/v2/account/authenticate/device",
        "/v2/account/authenticate/device",
        "/v2/leaderboard/weekly",
    ]
    assert transport.closed  # the client closes the transport it was given


def test_server_settings_name_every_server_config_field() -> None:
    fields = {f.name for f in dataclasses.fields(ServerConfig)}
    assert set(ServerSettings.__annotations__) == fields
