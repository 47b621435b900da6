"""HTTP dates from the server's own clock, so clients can be tested against clock skew.

Invariant: every response's ``Date`` header is ``config.clock()`` at the moment the response is
prepared, in RFC 9110's IMF-fixdate form (``Sun, 06 Nov 1994 08:49:37 GMT``). The clients judge
token expiry by this header, so a test that moves the server's clock moves what clients see.
"""

from __future__ import annotations

import email.utils
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["http_date", "stamp_date"]

PrepareHook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]


def http_date(epoch: float) -> str:
    """``epoch`` seconds as an IMF-fixdate (always GMT)."""
    return email.utils.formatdate(epoch, usegmt=True)


def stamp_date(clock: Callable[[], float]) -> PrepareHook:
    """An ``on_response_prepare`` hook that sets ``Date`` from ``clock`` (epoch seconds).

    ``app.on_response_prepare.append(stamp_date(config.clock))``.
    """

    async def stamp(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Date"] = http_date(clock())

    return stamp
