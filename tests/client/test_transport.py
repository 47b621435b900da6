"""The aiohttp adapter, through handler seams on 127.0.0.1 port 0: caps, redirects, translation
of foreign errors, loop binding, streaming."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Mapping

import aiohttp
import pytest
import trustme
from aiohttp import web
from aiohttp.pytest_plugin import AiohttpServer
from yarl import URL

from gameservices import (
    DEFAULT,
    ConnectError,
    ProtocolError,
    RequestTimeout,
    Timeouts,
    TransportError,
    UsageError,
)
from gameservices._client import transport as _transport
from gameservices._client.translated import translate
from gameservices._client.transport import AiohttpTransport as Transport
from gameservices._client.transport import HttpRequest, HttpResponse, parse_body
from gameservices._config import Default
from gameservices._lifecycle import Lifecycle

from .conftest import RawHandler, read_head

StartRaw = Callable[[RawHandler], Awaitable[str]]
MB = 1024 * 1024


def req(
    method: str,
    url: URL | str,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: Timeouts | Default | None = DEFAULT,
) -> HttpRequest:
    return HttpRequest(
        method, URL(url) if isinstance(url, str) else url, headers or {}, body, timeout
    )


async def serve(aiohttp_server: AiohttpServer, *routes: web.RouteDef) -> str:
    app = web.Application()
    app.add_routes(routes)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_request_reads_the_whole_body_and_opens_lazily(aiohttp_server: AiohttpServer) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"hello": request.query["who"]})

    base = await serve(aiohttp_server, web.get("/hi", hello))
    transport = Transport()
    assert transport.state is Lifecycle.NEW
    try:
        resp = await transport.request(req("GET", URL(base + "/hi").with_query(who="ada")))
        assert transport.state is Lifecycle.OPEN
        assert (resp.status, resp.body) == (200, b'{"hello": "ada"}')
        assert resp.headers["content-type"].startswith("application/json")
    finally:
        await transport.close()
    assert transport.state is Lifecycle.CLOSED
    with pytest.raises(UsageError, match="closed"):
        await transport.request(req("GET", base + "/hi"))
    await transport.close()  # idempotent


@pytest.fixture
def untrusted_tls() -> ssl.SSLContext:
    """A server TLS context whose certificate comes from a throwaway CA nobody trusts."""
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(server_ctx)
    return server_ctx


async def test_tls_verification_is_on(untrusted_tls: ssl.SSLContext) -> None:
    """A server whose certificate no system CA signed is refused, not silently trusted."""

    async def hi(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/hi", hi)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=untrusted_tls)
    await site.start()
    port = runner.addresses[0][1]
    transport = Transport()
    try:
        with pytest.raises(ConnectError, match=r"(?i)certificate"):
            await transport.request(req("GET", f"https://127.0.0.1:{port}/hi"))
    finally:
        await transport.close()
        await runner.cleanup()


def test_plain_http_only_to_loopback() -> None:
    strict, lax = Transport(), Transport(allow_insecure=True)
    for ok in ("http://127.0.0.1:7350/", "http://localhost/", "http://[::1]:80/", "https://a.b/"):
        strict.check_url(URL(ok))
    with pytest.raises(UsageError, match="allow_insecure"):
        strict.check_url(URL("http://game.example.com/"))
    lax.check_url(URL("http://game.example.com/"))
    with pytest.raises(UsageError, match="scheme"):
        lax.check_url(URL("ftp://game.example.com/"))


async def test_bound_to_its_loop(aiohttp_server: AiohttpServer) -> None:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    base = await serve(aiohttp_server, web.get("/", ok))
    transport = Transport()
    try:
        await transport.request(req("GET", base + "/"))

        def other_loop() -> BaseException | None:
            try:
                asyncio.run(transport.request(req("GET", base + "/")))
            except UsageError as exc:
                return exc
            return None

        err = await asyncio.to_thread(other_loop)
        assert isinstance(err, UsageError)
        assert "another event loop" in str(err)
    finally:
        await transport.close()


async def test_authorization_never_follows_to_another_origin(
    aiohttp_server: AiohttpServer,
) -> None:
    seen: dict[str, str | None] = {}

    async def echo(request: web.Request) -> web.Response:
        seen[request.path] = request.headers.get("Authorization")
        return web.json_response({})

    other = await serve(aiohttp_server, web.get("/landing", echo))

    async def bounce(request: web.Request) -> web.Response:
        target = request.query["to"]
        raise web.HTTPTemporaryRedirect(target)

    base = await serve(aiohttp_server, web.get("/bounce", bounce), web.get("/same", echo))
    transport = Transport()
    headers = {"Authorization": "Bearer secret-token"}
    try:
        elsewhere = other.replace("127.0.0.1", "localhost") + "/landing"  # another host
        away = URL(base + "/bounce").with_query(to=elsewhere)
        resp = await transport.request(req("GET", away, headers=headers))
        assert resp.status == 200
        assert resp.url == elsewhere
        assert seen["/landing"] is None
        seen.clear()
        other_port = URL(base + "/bounce").with_query(to=other + "/landing")
        await transport.request(req("GET", other_port, headers=headers))
        assert seen["/landing"] is None  # same host, another port: another origin too
        same = URL(base + "/bounce").with_query(to="/same")
        await transport.request(req("GET", same, headers=headers))
        assert seen["/same"] == "Bearer secret-token"
    finally:
        await transport.close()


async def test_redirect_loops_stop(aiohttp_server: AiohttpServer) -> None:
    async def loop_(request: web.Request) -> web.Response:
        raise web.HTTPFound("/again")

    base = await serve(aiohttp_server, web.get("/again", loop_))
    transport = Transport()
    try:
        with pytest.raises(ProtocolError, match="redirects"):
            await transport.request(req("GET", base + "/again"))
    finally:
        await transport.close()


async def test_body_over_the_cap_declared_or_streamed(aiohttp_server: AiohttpServer) -> None:
    async def declared(request: web.Request) -> web.Response:
        return web.Response(body=bytes(50 * MB), content_type="application/json")

    async def chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        block = bytes(MB)
        try:
            for _ in range(50):
                await resp.write(block)
        except (ConnectionResetError, aiohttp.ClientConnectionResetError):
            pass  # the client hung up at its cap, as it should
        return resp

    base = await serve(aiohttp_server, web.get("/declared", declared), web.get("/chunked", chunked))
    transport = Transport()
    try:
        with pytest.raises(ProtocolError, match="over"):
            await transport.request(req("GET", base + "/declared"))
        with pytest.raises(ProtocolError, match="over 16777216 bytes"):
            await transport.request(req("GET", base + "/chunked"))
    finally:
        await transport.close()


def head(length: int | None, extra: str = "") -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{size}{extra}\r\n".encode()


async def test_lying_content_length(raw_server: StartRaw) -> None:
    async def liar(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(head(1000) + b'{"short": true}')
        await writer.drain()

    base = await raw_server(liar)
    transport = Transport()
    try:
        with pytest.raises(ProtocolError, match="cut short") as info:
            await transport.request(req("GET", base + "/"))
        assert isinstance(info.value.__cause__, aiohttp.ClientPayloadError)
    finally:
        await transport.close()


async def test_connection_dropped_mid_chunked_body(raw_server: StartRaw) -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(head(None, "Transfer-Encoding: chunked\r\n") + b"400\r\n" + b"x" * 100)
        await writer.drain()

    base = await raw_server(drop)
    transport = Transport()
    try:
        with pytest.raises(ProtocolError):
            await transport.request(req("GET", base + "/"))
    finally:
        await transport.close()


async def test_disconnect_before_any_response(raw_server: StartRaw) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)

    base = await raw_server(hang_up)
    transport = Transport()
    try:
        with pytest.raises(TransportError) as info:
            await transport.request(req("POST", base + "/v2/leaderboard/kills", body=b"{}"))
        assert type(info.value) is TransportError  # sent, then lost: not a ConnectError
        assert isinstance(info.value.__cause__, aiohttp.ClientError)
    finally:
        await transport.close()


async def test_connect_refused_is_connect_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    transport = Transport()
    try:
        with pytest.raises(ConnectError) as info:
            await transport.request(req("GET", f"http://127.0.0.1:{port}/"))
        assert isinstance(info.value.__cause__, aiohttp.ClientConnectorError)
    finally:
        await transport.close()


async def test_timeouts_default_and_per_call(aiohttp_server: AiohttpServer) -> None:
    never = asyncio.Event()

    async def stall(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response()

    base = await serve(aiohttp_server, web.get("/stall", stall))
    transport = Transport(timeouts=Timeouts(total=0.05))
    try:
        with pytest.raises(RequestTimeout) as info:
            await transport.request(req("GET", base + "/stall"))
        assert isinstance(info.value, TimeoutError)
    finally:
        await transport.close()
    transport = Transport(timeouts=Timeouts(total=None, connect=None))
    try:
        with pytest.raises(RequestTimeout):
            await transport.request(req("GET", base + "/stall", timeout=Timeouts(total=0.05)))
    finally:
        await transport.close()


async def test_trace_configs_pass_through(aiohttp_server: AiohttpServer) -> None:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    base = await serve(aiohttp_server, web.get("/", ok))
    starts: list[str] = []

    async def on_start(
        session: aiohttp.ClientSession, ctx: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        starts.append(params.method)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    transport = Transport(trace_configs=[trace])
    try:
        await transport.request(req("GET", base + "/"))
    finally:
        await transport.close()
    assert starts == ["GET"]


async def test_big_bodies_are_parsed_off_the_loop_thread() -> None:
    transport = Transport()
    threads: list[int] = []

    def parse(resp: HttpResponse) -> int:
        threads.append(threading.get_ident())
        return len(resp.body)

    small = HttpResponse(200, {}, b"{}", "http://x/")
    big = HttpResponse(200, {}, b" " * (_transport.JSON_OFFLOAD_BYTES + 1), "http://x/")
    assert await parse_body(small, parse) == 2
    assert await parse_body(big, parse) == _transport.JSON_OFFLOAD_BYTES + 1
    assert threads[0] == threading.get_ident()
    assert threads[1] != threading.get_ident()
    await transport.close()


async def test_stream_yields_large_chunks(aiohttp_server: AiohttpServer) -> None:
    payload = bytes(range(256)) * 4096 * 3  # 3 MiB

    async def blob(request: web.Request) -> web.Response:
        return web.Response(body=payload, headers={"ETag": '"abc"'})

    base = await serve(aiohttp_server, web.get("/blob", blob))
    transport = Transport()
    try:
        async with transport.stream(req("GET", base + "/blob")) as resp:
            assert resp.status == 200
            assert resp.headers["etag"] == '"abc"'
            chunks = [chunk async for chunk in resp]
    finally:
        await transport.close()
    assert b"".join(chunks) == payload
    assert max(len(c) for c in chunks) <= _transport.CHUNK_SIZE


async def test_stream_buffers_megabytes_per_read(aiohttp_server: AiohttpServer) -> None:
    # aiohttp's 64 KiB default pauses the socket every ~128 KiB: an inline runner's download
    # then gets little per loop iteration. Ours buffers up to 2x READ_BUFSIZE, still bounded.
    assert 1 * MB <= _transport.READ_BUFSIZE <= 4 * MB

    async def blob(request: web.Request) -> web.Response:
        return web.Response(body=bytes(1024))

    base = await serve(aiohttp_server, web.get("/blob", blob))
    transport = Transport()
    try:
        async with transport.stream(req("GET", base + "/blob")) as resp:
            limits = resp._resp.content.get_read_buffer_limits()
            assert limits == (_transport.READ_BUFSIZE, 2 * _transport.READ_BUFSIZE)
    finally:
        await transport.close()
    with pytest.raises(ValueError, match="read_bufsize"):
        Transport(read_bufsize=0)


async def test_abort_wakes_the_pending_read_with_that_error(raw_server: StartRaw) -> None:
    release = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(head(1 * MB) + b"x" * 4096)
        await writer.drain()
        await release.wait()  # then nothing: a silent host

    base = await raw_server(hold)
    transport = Transport()
    stalled = RequestTimeout("no data")
    try:
        async with transport.stream(req("GET", base + "/big")) as resp:
            got = 0
            while got < 4096:  # all that was sent; the next read has to wait
                got += len(await resp.__anext__())
            loop = asyncio.get_running_loop()
            loop.call_soon(resp.abort, stalled)  # once the next read is waiting
            with pytest.raises(RequestTimeout) as info:
                await resp.__anext__()
            assert info.value is stalled  # not re-translated (it is an OSError on 3.10)
    finally:
        release.set()
        await transport.close()


async def test_stream_mid_body_drop_is_a_transport_error(raw_server: StartRaw) -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(head(1 * MB) + b"x" * 4096)
        await writer.drain()

    base = await raw_server(drop)
    transport = Transport()
    got: list[bytes] = []

    async def drain() -> None:
        async with transport.stream(req("GET", base + "/big")) as resp:
            async for chunk in resp:
                got.append(chunk)

    try:
        with pytest.raises(ProtocolError):
            await drain()
    finally:
        await transport.close()
    assert sum(map(len, got)) == 4096


async def test_leaving_a_stream_early_closes_cleanly(aiohttp_server: AiohttpServer) -> None:
    async def blob(request: web.Request) -> web.Response:
        return web.Response(body=bytes(4 * MB))

    base = await serve(aiohttp_server, web.get("/blob", blob))
    transport = Transport()
    try:
        async with transport.stream(req("GET", base + "/blob"), chunk_size=1024) as resp:
            first = await resp.__anext__()
        assert len(first) <= 1024
        again = await transport.request(req("GET", base + "/blob"))
        assert len(again.body) == 4 * MB
    finally:
        await transport.close()


async def test_a_compressed_body_is_capped_after_inflating(aiohttp_server: AiohttpServer) -> None:
    async def bomb(request: web.Request) -> web.Response:
        resp = web.Response(body=bytes(4 * MB), content_type="application/json")
        resp.enable_compression(web.ContentCoding.gzip)
        return resp

    base = await serve(aiohttp_server, web.get("/bomb", bomb))
    transport = Transport(max_body=MB)
    try:
        with pytest.raises(ProtocolError, match="over"):
            await transport.request(req("GET", base + "/bomb"))
    finally:
        await transport.close()


def test_timeout_none_means_no_limit_at_all() -> None:
    """``timeout=None`` (per call or for the client) lifts every aiohttp limit, even sock_read."""
    off = _transport._client_timeout(None)
    assert (off.total, off.connect, off.sock_connect, off.sock_read) == (None, None, None, None)
    on = _transport._client_timeout(Timeouts(total=3, connect=1))
    assert (on.total, on.connect) == (3, 1)


@pytest.mark.parametrize("exc", [asyncio.TimeoutError(), TimeoutError()])
def test_every_timeout_flavour_is_request_timeout(exc: BaseException) -> None:
    """Before Python 3.11, asyncio.TimeoutError and the builtin (socket) TimeoutError differ."""
    err = translate(exc, "GET", "http://127.0.0.1:1/x?cursor=secret")
    assert isinstance(err, RequestTimeout)
    assert "cursor" not in str(err)  # the query is left out of messages
