"""The WebSocket seam (text frames in and out) and its aiohttp implementation.

Rule 1: the socket is opened on the client's own aiohttp ``ClientSession`` (``AiohttpTransport.
        websocket``), with aiohttp's heartbeat (a WebSocket ping every ``heartbeat`` seconds;
        no pong within half of it closes the socket) and a cap on incoming frames.
Rule 2: the URL carries the session token: it never appears in a message, a log line or an
        exception raised here; handshake failures are raised ``from None`` with the status
        and the URL without its query (aiohttp's own errors print the whole URL).
Rule 3: ``receive()`` returns the next text frame, or None once the socket closed (its close
        code and reason are then in ``close_code``/``close_reason``); a binary frame is read
        as UTF-8 text, as Nakama's socket accepts both.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import aiohttp
from yarl import URL

from .._exceptions import AuthError, ConnectError, ProtocolError, RequestTimeout

__all__ = ["AiohttpWebSocket", "WebSocket", "open_websocket"]


class WebSocket(Protocol):
    """One open socket, as the realtime client uses it."""

    close_code: int | None
    close_reason: str

    async def send(self, text: str) -> None:
        """Send one text frame; ``ConnectError`` when the socket is closed."""

    async def receive(self) -> str | None:
        """The next text frame, or None once the socket closed."""

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close (idempotent)."""


class AiohttpWebSocket:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse[bool]) -> None:
        self._ws = ws
        self.close_code: int | None = None
        self.close_reason = ""

    def __repr__(self) -> str:
        return f"AiohttpWebSocket(closed={self._ws.closed})"

    async def send(self, text: str) -> None:
        try:
            await self._ws.send_str(text)
        except (aiohttp.ClientError, OSError, RuntimeError) as exc:
            raise ConnectError(f"the realtime socket is closed ({type(exc).__name__})") from None

    async def receive(self) -> str | None:
        while True:
            try:
                msg = await self._ws.receive()
            except (aiohttp.ClientError, OSError) as exc:
                self.close_reason = type(exc).__name__
                return None
            if msg.type is aiohttp.WSMsgType.TEXT:
                return str(msg.data)
            if msg.type is aiohttp.WSMsgType.BINARY:
                return bytes(msg.data).decode("utf-8", "replace")
            if msg.type in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                continue
            self.close_code = self._ws.close_code
            if msg.type is aiohttp.WSMsgType.ERROR:
                self.close_reason = type(msg.data).__name__
            elif isinstance(msg.extra, str):
                self.close_reason = msg.extra
            return None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code=code, message=reason.encode())


async def open_websocket(
    http: aiohttp.ClientSession,
    url: URL,
    *,
    heartbeat: float | None,
    max_frame: int,
    timeout: float | None,
) -> WebSocket:
    """Open ``url`` (Rule 1); errors are ours and name no token (Rule 2)."""
    shown = str(url.with_query(None))
    try:
        connecting = http.ws_connect(
            url, heartbeat=heartbeat, max_msg_size=max_frame, autoping=True,
            timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
        )  # fmt: skip
        ws = await asyncio.wait_for(connecting, timeout)
    except aiohttp.WSServerHandshakeError as exc:
        status = exc.status
        if status == 401:
            raise AuthError(
                "the server refused the session token for the realtime socket",
                status=401, code=16, method="GET", url=shown,
            ) from None  # fmt: skip
        raise ProtocolError(f"GET {shown}: no WebSocket upgrade (HTTP {status})") from None
    except asyncio.TimeoutError:
        raise RequestTimeout(f"GET {shown}: the WebSocket handshake timed out") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise ConnectError(f"GET {shown}: cannot connect ({type(exc).__name__})") from None
    return AiohttpWebSocket(ws)
