"""What a hostile or misconfigured server can send, and what a newcomer's typo looks like: every
case ends in a typed error of the tree that says what to do, never a raw Python exception.

The redirect tests run two real servers on 127.0.0.1: a reference server (the origin a write
could be diverted to) and a small aiohttp app that answers every request with a redirect there.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid

import aiohttp
import pytest
from aiohttp import web
from aiohttp.pytest_plugin import AiohttpServer

from gameservices import (
    APIError,
    Client,
    ConnectError,
    HttpRequest,
    HttpResponse,
    InvalidArgument,
    ProtocolError,
    RetryPolicy,
    UsageError,
)
from gameservices.testing import MockTransport, ReferenceServer, json_response

from .conftest import Sleeps
from .nakama_seam import jwt

DEEP = "[" * 100_000 + "]" * 100_000  # far past Python's recursion limit


def auth_answer(exp: object) -> HttpResponse:
    token = jwt({"uid": "u-1", "usn": "ada", "exp": exp})
    return json_response({"token": token, "refresh_token": jwt({"uid": "u-1", "exp": 2e9})})


@pytest.mark.parametrize("exp", [1e300, 10**30, -(10**30), 253_402_300_800])
async def test_a_token_whose_exp_no_datetime_holds_is_a_protocol_error(exp: object) -> None:
    transport = MockTransport(lambda request: auth_answer(exp))
    async with Client("http://127.0.0.1:7350", transport=transport) as client:
        with pytest.raises(ProtocolError, match="exp claim is out of range"):
            await client.auth.device("device-0001-abcdef")
        assert client.session is None


def test_the_last_second_a_datetime_holds_is_still_a_token() -> None:
    from gameservices import Session

    session = Session.from_tokens(jwt({"exp": 253_402_300_799}), jwt({"exp": 2e9}))
    assert session.expires_at.year == 9999


def deep_body(status: int) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, DEEP.encode(), "")


async def test_a_deeply_nested_answer_is_a_protocol_error_not_a_recursion_error() -> None:
    transport = MockTransport(lambda request: deep_body(200))
    async with Client("http://127.0.0.1:7350", transport=transport) as client:
        with pytest.raises(ProtocolError, match="nested too deeply"):
            await client.auth.device("device-0001-abcdef")


async def test_a_deeply_nested_error_body_still_maps_by_status() -> None:
    transport = MockTransport(lambda request: deep_body(400))
    async with Client("http://127.0.0.1:7350", transport=transport) as client:
        with pytest.raises(InvalidArgument, match="without a Nakama error body"):
            await client.auth.device("device-0001-abcdef")


async def test_deeply_nested_metadata_and_token_payloads_are_protocol_errors() -> None:
    token = jwt({"uid": "u-1", "usn": "ada", "exp": 2e9})
    record = {"leaderboard_id": "weekly", "owner_id": "u-1", "score": "1", "metadata": DEEP}

    def handler(request: HttpRequest) -> HttpResponse:
        if request.url.path.startswith("/v2/account/authenticate"):
            return json_response({"token": token, "refresh_token": token})
        return json_response({"records": [record]})

    async with Client("http://127.0.0.1:7350", transport=MockTransport(handler)) as client:
        await client.auth.device("device-0001-abcdef")
        with pytest.raises(ProtocolError, match="metadata that is not JSON"):
            await client.leaderboards.list("weekly")
    deep_payload = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    bad = json_response({"token": f"e30.{deep_payload}.c2ln", "refresh_token": token})
    async with Client("http://127.0.0.1:7350", transport=MockTransport(lambda r: bad)) as client:
        with pytest.raises(ProtocolError, match="unreadable session token"):
            await client.auth.device("device-0001-abcdef")


# -- redirects: two real servers ----------------------------------------------------------


async def diverter(aiohttp_server: AiohttpServer, target: str, status: int) -> str:
    """A server that answers every request with ``status`` and ``Location: target + path``."""

    async def divert(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": target + request.path_qs})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", divert)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


@pytest.mark.parametrize("status", [307, 308])
async def test_a_score_post_is_never_re_sent_to_another_origin(
    aiohttp_server: AiohttpServer, status: int
) -> None:
    async with ReferenceServer() as real:
        real_url = real.url
        async with Client(real.url) as player:  # a session the real server honours
            session = await player.auth.device(f"redirect-{uuid.uuid4()}", create=True)
        diverted = await diverter(aiohttp_server, real.url, status)
        async with Client(diverted) as client:
            await client.auth.adopt(session)
            with pytest.raises(APIError) as info:
                await client.leaderboards.write("weekly", 4242)
            # A GET does follow to another origin, without its Authorization: the real server
            # answers 401, and the refresh that follows (a POST carrying the refresh token) is
            # refused in turn.
            with pytest.raises(APIError) as refresh:
                await client.leaderboards.list("weekly")
        async with Client(real.url) as check:
            await check.auth.adopt(session)
            page = await check.leaderboards.list("weekly")
    err = info.value
    assert err.status == status
    assert f"to another origin, {real_url}/v2/leaderboard/weekly" in str(err)
    assert "never re-sent to another origin" in str(err)
    assert page.records == ()  # the score never reached the other origin
    assert refresh.value.status == status
    assert f"to another origin, {real_url}/v2/account/session/refresh" in str(refresh.value)


async def test_a_redirect_on_the_same_origin_is_still_followed(
    aiohttp_server: AiohttpServer,
) -> None:
    got: list[bytes] = []

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect("/v2/leaderboard/weekly?moved=1")

    async def write(request: web.Request) -> web.Response:
        got.append(await request.read())
        return web.json_response({"leaderboard_id": "weekly", "score": "7", "rank": "1"})

    app = web.Application()
    app.router.add_post("/v2/leaderboard/old", moved)
    app.router.add_post("/v2/leaderboard/weekly", write)
    base = str((await aiohttp_server(app)).make_url("")).rstrip("/")
    token = jwt({"uid": "u-1", "usn": "ada", "exp": 2e9})
    from gameservices import Session

    async with Client(base) as client:
        await client.auth.adopt(Session.from_tokens(token, token))
        record = await client.leaderboards.write("old", 7)
    assert record.score == 7
    [body] = got
    assert json.loads(body)["score"] == "7"


# -- the base URL and connection failures --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://127.0.0.1:7350/v2",
            r"ends in /v2: give the server's address, http://127.0.0.1:7350;",
        ),
        ("http://127.0.0.1:7350/v2/", r"ends in /v2"),
        ("https://example.com/nakama/v2", r"https://example.com/nakama;"),
        ("http://127.0.0.1:7350/?key=1", "query or fragment"),
        ("http://user:pw@127.0.0.1:7350", "credentials"),
        ("127.0.0.1:7350", "write it with its scheme, http://127.0.0.1:7350"),
        ("ftp://127.0.0.1", "unsupported URL scheme 'ftp'"),
    ],
)
def test_a_bad_base_url_is_refused_at_construction(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Client(url)


def test_a_path_prefix_behind_a_proxy_is_kept() -> None:
    assert str(Client("https://example.com/nakama").base_url) == "https://example.com/nakama"


def test_plain_http_refusal_says_how_to_allow_it() -> None:
    with pytest.raises(
        UsageError, match=r"use https, or allow plain http with allow_insecure=True"
    ):
        Client("http://example.com")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused_says_so_and_keeps_its_cause() -> None:
    port = free_port()
    retry = RetryPolicy(max_attempts=1, sleep=Sleeps())
    async with Client(f"http://127.0.0.1:{port}", retry=retry) as client:
        with pytest.raises(ConnectError) as info:
            await client.auth.device("device-0001-abcdef")
    text = str(info.value)
    assert f"connection refused: nothing listens on 127.0.0.1:{port}" in text
    assert isinstance(info.value.__cause__, aiohttp.ClientConnectorError)


async def test_https_to_a_plain_http_server_hints_at_http() -> None:
    retry = RetryPolicy(max_attempts=1, sleep=Sleeps())
    async with ReferenceServer() as server:
        port = server.url.rsplit(":", 1)[1]
        async with Client(f"https://127.0.0.1:{port}", retry=retry) as client:
            with pytest.raises(ConnectError) as info:
                await client.auth.device("device-0001-abcdef")
    assert f"is 127.0.0.1:{port} a plain http server? then use http://127.0.0.1:{port}" in str(
        info.value
    )
    assert isinstance(info.value.__cause__, aiohttp.ClientConnectorSSLError)
