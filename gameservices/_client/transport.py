"""The HTTP seam (request in, response out) and its default, the only aiohttp client code.

The seam, ``HttpTransport``: ``await t.request(HttpRequest) -> HttpResponse`` reads a whole
(capped) body; ``async with t.stream(HttpRequest, chunk_size) as body`` streams one (downloads);
``await t.close()``. The client owns policy (sessions, retries, URL rules, parsing); a transport
moves bytes. ``gameservices.testing.MockTransport`` implements it over a handler function.

Rules of ``AiohttpTransport``:
Rule 1: the ``ClientSession`` opens on first use inside the running loop and stays bound to that
        loop; another loop, or use after ``close()``, raises ``UsageError``.
Rule 2: TLS verification is always on: aiohttp's verifying default context (``ssl=True``), which
        aiohttp builds once per process at import time, before any frame; no per-session CA
        loading.
Rule 3: ``http://`` to a host that is not loopback is refused unless ``allow_insecure``.
Rule 4: redirects are followed here (at most ``MAX_REDIRECTS``); credentials are dropped as soon
        as the origin changes, and only a GET or HEAD goes on to another origin: any other
        request's redirect there is answered as it came (the 3xx), never re-sent with its body.
Rule 5: bodies are capped at ``max_body``; oversize, cut short or lying bodies are ProtocolErrors.
Rule 6: aiohttp, OSError and timeout errors become ours via ``translated.translate`` only
        (``raise ... from exc``); ``asyncio.CancelledError`` is never caught.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from types import MappingProxyType
from typing import NamedTuple, Protocol, TypeVar

import aiohttp
from yarl import URL

from .._checks import positive_int
from .._config import DEFAULT, Default, Timeouts
from .._exceptions import (
    ProtocolError,
    UsageError,
)
from .._lifecycle import Lifecycle
from .._protocol.urls import check_url, origin
from .translated import FOREIGN, translate
from .websocket import WebSocket, open_websocket

__all__ = [
    "CHUNK_SIZE",
    "JSON_OFFLOAD_BYTES",
    "MAX_BODY",
    "MAX_REDIRECTS",
    "READ_BUFSIZE",
    "AiohttpTransport",
    "BodyStream",
    "HttpRequest",
    "HttpResponse",
    "HttpTransport",
    "TraceConfigs",
    "parse_body",
]

MAX_BODY = 16 * 1024 * 1024
JSON_OFFLOAD_BYTES = 256 * 1024
CHUNK_SIZE = 256 * 1024
# aiohttp buffers a body up to 2x this before it stops reading the socket. Its 64 KiB default
# pauses the socket every ~128 KiB, so an inline runner's download got little per loop
# iteration; 2 MiB lets one iteration take a whole 256 KiB socket read and hand out full
# chunks, and bounds the buffer at ~4 MiB per open download (benchmarks/frame_hitch.py).
READ_BUFSIZE = 2 * 1024 * 1024
MAX_REDIRECTS = 5
TraceConfigs = Sequence[aiohttp.TraceConfig]
T = TypeVar("T")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SAFE = frozenset({"GET", "HEAD"})  # the methods that may follow a redirect to another origin
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
_CREDENTIALS = frozenset({"authorization", "proxy-authorization", "cookie"})


class HttpRequest(NamedTuple):
    """One HTTP request as plain values. ``timeout``: ``DEFAULT`` (the transport's), a
    ``Timeouts``, or None (no limit). Headers and body stay out of ``repr`` (credentials).

    A named tuple: immutable, and built once per call at a tuple's cost (a frozen dataclass
    added ~2 us per call, benchmarks/client_overhead.py); change one with ``_replace``.
    """

    method: str
    url: URL
    headers: Mapping[str, str] = _NO_HEADERS
    body: bytes | None = None
    timeout: Timeouts | Default | None = DEFAULT

    def __repr__(self) -> str:
        return f"HttpRequest({self.method!r}, {str(self.url.with_query(None))!r})"


class HttpResponse(NamedTuple):
    """A complete response: status, case-insensitive headers, body bytes, final URL."""

    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    url: str = ""

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, {len(self.body)} bytes, {self.url!r})"


class BodyStream(Protocol):
    """An open response whose body is read as an async iterator of chunks (downloads)."""

    status: int
    headers: Mapping[str, str]
    url: str

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    def abort(self, exc: Exception) -> None:
        """Make the pending read, and every later one, raise ``exc`` (the stall guard's way in)."""


class HttpTransport(Protocol):
    """What the client needs from HTTP; errors are ours (``TransportError`` and subclasses)."""

    async def request(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and read its whole body."""

    def stream(
        self, request: HttpRequest, chunk_size: int = CHUNK_SIZE
    ) -> AbstractAsyncContextManager[BodyStream]:
        """Send ``request``; the body is read inside the block, ``chunk_size`` at most a chunk."""

    async def close(self) -> None:
        """Release connections; idempotent."""


async def parse_body(resp: HttpResponse, fn: Callable[[HttpResponse], T]) -> T:
    """``fn(resp)``, run off the loop thread when the body is big enough to cost a frame."""
    if len(resp.body) <= JSON_OFFLOAD_BYTES:
        return fn(resp)
    return await asyncio.get_running_loop().run_in_executor(None, fn, resp)


@functools.lru_cache(maxsize=32)  # a client uses a handful of Timeouts values (frozen, hashable)
def _client_timeout(timeouts: Timeouts | None) -> aiohttp.ClientTimeout:
    if timeouts is None:
        return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=None, sock_read=None)
    return aiohttp.ClientTimeout(total=timeouts.total, connect=timeouts.connect)


class _AiohttpBody:
    """``BodyStream`` over an aiohttp response: large chunks, errors translated."""

    def __init__(self, resp: aiohttp.ClientResponse, method: str, chunk_size: int) -> None:
        self._resp, self._method, self._chunk_size = resp, method, chunk_size
        self._aborted: Exception | None = None
        self.status: int = resp.status
        self.headers: Mapping[str, str] = resp.headers
        self.url: str = str(resp.url)

    def __aiter__(self) -> _AiohttpBody:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await self._resp.content.read(self._chunk_size)
        except FOREIGN as exc:
            if exc is self._aborted:  # ours already (a RequestTimeout is an OSError on 3.10)
                raise
            raise translate(exc, self._method, self.url) from exc
        if not chunk:
            raise StopAsyncIteration
        return chunk

    def abort(self, exc: Exception) -> None:
        """Wake the pending read with ``exc`` (no cancel involved); later reads raise it too.

        Leaving the ``stream()`` block then closes the connection: its body was not read to
        the end, so aiohttp does not pool it.
        """
        self._aborted = exc
        self._resp.content.set_exception(exc)


class AiohttpTransport:
    """The default ``HttpTransport``: one aiohttp ``ClientSession`` with our policies.

    ``timeouts`` apply to requests whose timeout is ``DEFAULT``; ``trace_configs`` are aiohttp
    ``TraceConfig`` objects (metrics); ``max_body`` caps ``request()`` bodies in bytes.
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts = Timeouts(),  # noqa: B008  # frozen value object, safe to share
        max_body: int = MAX_BODY,
        allow_insecure: bool = False,
        trace_configs: TraceConfigs = (),
        user_agent: str = "gameservices",
        read_bufsize: int = READ_BUFSIZE,
    ) -> None:
        self.max_body = positive_int("max_body", max_body)
        self.read_bufsize = positive_int("read_bufsize", read_bufsize)
        self.allow_insecure = allow_insecure
        self._timeouts, self._timeout = timeouts, _client_timeout(timeouts)
        self._trace_configs = list(trace_configs)
        self._user_agent = user_agent
        self._http: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._allowed: set[tuple[str, str | None, int | None]] = set()  # origins checked
        self.state = Lifecycle.NEW

    def __repr__(self) -> str:
        return f"AiohttpTransport(state={self.state.value})"

    def check_url(self, url: URL) -> None:
        """UsageError unless ``url`` is https, or http to loopback (or insecure is allowed)."""
        check_url(url, allow_insecure=self.allow_insecure)

    async def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self.state is Lifecycle.CLOSED:
            raise UsageError("the client is closed")
        if self._loop is not None and self._loop is not loop:
            raise UsageError("the client is bound to another event loop")
        if self._http is None:
            self._loop, self.state = loop, Lifecycle.OPEN
            self._http = aiohttp.ClientSession(
                # True: verify certificates and host names with aiohttp's default context.
                connector=aiohttp.TCPConnector(ssl=True),
                timeout=self._timeout,
                trace_configs=self._trace_configs or None,
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self._user_agent},
                read_bufsize=self.read_bufsize,
            )
        return self._http

    async def _open(self, request: HttpRequest) -> aiohttp.ClientResponse:
        """Send, following redirects ourselves so credentials never cross origins."""
        http = await self._session()
        method, target, body = request.method, request.url, request.body
        hdrs = dict(request.headers)
        timeout = request.timeout
        if timeout is DEFAULT or timeout is self._timeouts:  # the client's own: no lookup
            ct = self._timeout
        else:
            ct = _client_timeout(timeout)
        for _ in range(MAX_REDIRECTS + 1):
            if origin(target) not in self._allowed:
                self.check_url(target)
                self._allowed.add(origin(target))
            try:
                resp = await http.request(
                    method, target, headers=hdrs, data=body, allow_redirects=False, timeout=ct
                )
            except FOREIGN as exc:
                raise translate(exc, method, target) from exc
            location = resp.headers.get("Location")
            if resp.status not in _REDIRECTS or not location:
                return resp
            nxt = target.join(URL(location))
            if origin(nxt) != origin(target) and method not in _SAFE:
                return resp  # a write's body never goes to another origin (Rule 4)
            resp.release()
            if origin(nxt) != origin(target):
                hdrs = {k: v for k, v in hdrs.items() if k.lower() not in _CREDENTIALS}
            if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                method, body = "GET", None
                hdrs.pop("Content-Type", None)
            target = nxt
        raise ProtocolError(f"{method} {request.url}: more than {MAX_REDIRECTS} redirects")

    async def _read(self, resp: aiohttp.ClientResponse, method: str) -> bytes:
        length, cap = resp.content_length, self.max_body
        if length is not None and length > cap:
            raise ProtocolError(f"{method} {resp.url}: body of {length} bytes is over {cap}")
        try:
            if length is not None and "Content-Encoding" not in resp.headers:
                # aiohttp never reads past Content-Length; a compressed body could inflate
                return await resp.read()
            buf = bytearray()
            async for chunk in resp.content.iter_any():
                buf += chunk
                if len(buf) > cap:
                    raise ProtocolError(f"{method} {resp.url}: body is over {cap} bytes")
            return bytes(buf)
        except FOREIGN as exc:
            raise translate(exc, method, resp.url) from exc

    async def request(self, request: HttpRequest) -> HttpResponse:
        """Send one request and read its whole (capped) body."""
        resp = await self._open(request)
        try:
            data = await self._read(resp, request.method)
        finally:
            resp.release()
        return HttpResponse(resp.status, resp.headers, data, str(resp.url))

    @contextlib.asynccontextmanager
    async def stream(
        self, request: HttpRequest, chunk_size: int = CHUNK_SIZE
    ) -> AsyncIterator[BodyStream]:
        """``async with transport.stream(req) as body: async for chunk in body: ...``

        Not capped: the caller checks sizes. Leaving the block early closes the connection.
        """
        resp = await self._open(request)
        try:
            yield _AiohttpBody(resp, request.method, chunk_size)
        finally:
            resp.release()

    async def websocket(
        self, url: URL, *, heartbeat: float | None, max_frame: int, timeout: float | None
    ) -> WebSocket:
        """Open a WebSocket on this transport's session (``url``: ws:// or wss://)."""
        self.check_url(url.with_scheme("https" if url.scheme == "wss" else "http"))
        http = await self._session()
        return await open_websocket(
            http, url, heartbeat=heartbeat, max_frame=max_frame, timeout=timeout
        )

    async def close(self) -> None:
        """Close the session; idempotent. Later use raises UsageError."""
        self.state = Lifecycle.CLOSED
        http, self._http = self._http, None
        if http is not None:
            await http.close()
