"""``MockTransport(handler)``: run a ``Client`` over a function instead of a network.

    def handler(request: HttpRequest) -> HttpResponse:
        return json_response({"records": []})

    async with Client("http://game.test", transport=MockTransport(handler)) as client: ...

Invariants:
- ``handler(request)`` answers every request, plain or streamed; it may be async. To fake a
  failure it raises one of ours (``ConnectError``, ``RequestTimeout``, ``TransportError``): the
  client's retry decision treats it as it treats the network's.
- Answers get case-insensitive headers and the request's URL when they carry none, as a real
  transport's do; streamed bodies come out in chunks of at most ``chunk_size`` bytes.
- ``requests`` records every request in order (tests assert on it); nothing here sleeps.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from .._client.transport import CHUNK_SIZE, BodyStream, HttpRequest, HttpResponse

__all__ = ["Handler", "MockTransport", "json_response"]

Handler = Callable[[HttpRequest], "HttpResponse | Awaitable[HttpResponse]"]


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """An ``application/json`` answer with ``data`` as its body."""
    return HttpResponse(
        status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode()
    )


class _MemoryBody:
    """A ``BodyStream`` over bytes already in memory."""

    def __init__(self, resp: HttpResponse, chunk_size: int) -> None:
        self.status, self.headers, self.url = resp.status, resp.headers, resp.url
        self._body, self._chunk_size, self._at = resp.body, chunk_size, 0
        self._aborted: Exception | None = None

    def __aiter__(self) -> _MemoryBody:
        return self

    async def __anext__(self) -> bytes:
        if self._aborted is not None:
            raise self._aborted
        if self._at >= len(self._body):
            raise StopAsyncIteration
        chunk = self._body[self._at : self._at + self._chunk_size]
        self._at += len(chunk)
        return chunk

    def abort(self, exc: Exception) -> None:
        self._aborted = exc


class MockTransport:
    """An ``HttpTransport`` that answers with ``handler(request)``, as httpx's MockTransport."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.requests: list[HttpRequest] = []
        self.closed = False

    async def request(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        answer = self._handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        if not isinstance(answer, HttpResponse):
            raise TypeError(f"a MockTransport handler must return an HttpResponse, not {answer!r}")
        headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict(answer.headers))
        return answer._replace(headers=headers, url=answer.url or str(request.url))

    @contextlib.asynccontextmanager
    async def stream(
        self, request: HttpRequest, chunk_size: int = CHUNK_SIZE
    ) -> AsyncIterator[BodyStream]:
        yield _MemoryBody(await self.request(request), chunk_size)

    async def close(self) -> None:
        self.closed = True
