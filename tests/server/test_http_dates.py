"""The Date header follows the server's injectable clock (so clients can be tested for skew)."""

from __future__ import annotations

import email.utils
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient

from gameservices.server.http_dates import http_date, stamp_date

Client = TestClient[web.Request, web.Application]
AiohttpClient = Callable[..., Awaitable[Client]]
SKEWED = 1_000_000_000.5  # 2001-09-09, far from any real clock


def test_http_date_is_imf_fixdate_in_gmt() -> None:
    assert http_date(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT"


async def test_every_response_carries_the_clock_s_date(aiohttp_client: AiohttpClient) -> None:
    now = [SKEWED]

    async def ok(request: web.Request) -> web.Response:
        return web.json_response({})

    async def streamed(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b"x")
        return resp

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/stream", streamed)
    app.on_response_prepare.append(stamp_date(lambda: now[0]))
    client = await aiohttp_client(app)
    for path, status in (("/ok", 200), ("/stream", 200), ("/missing", 404)):
        resp = await client.get(path)
        assert resp.status == status
        sent = email.utils.parsedate_to_datetime(resp.headers["Date"]).timestamp()
        assert sent == int(SKEWED), path
    now[0] += 3600
    resp = await client.get("/ok")
    assert resp.headers["Date"] == http_date(SKEWED + 3600)
