"""One open realtime socket: the reader, the watchdog, and the replies it waits for.

Rule 1: one reader task per socket reads frames in order and hands each either to the call
        waiting on its ``cid`` or, cid-less, to ``on_push`` (in arrival order, once each).
Rule 2: the watchdog sends an app-level ``ping`` after ``ping_interval`` without traffic and
        declares the socket dead after ``dead_after`` without any frame (the WebSocket
        heartbeat is a second detector, inside aiohttp); time is ``options.clock``.
Rule 3: when the socket ends (closed by either side, dead, or a malformed frame) every
        pending call fails with ``Disconnected`` and ``ended`` resolves with the reason;
        nothing waits forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from typing import Any

from .._config import RealtimeOptions
from .._exceptions import Disconnected, ProtocolError, RealtimeError, RequestTimeout
from .._protocol.realtime import MAX_FRAME_BYTES, Envelope, Ping, decode, encode, message_name
from .websocket import WebSocket

__all__ = ["Link"]

log = logging.getLogger("gameservices")
_CHECK_MAX = 1.0  # the watchdog looks at least once a second


class Link:
    def __init__(
        self, ws: WebSocket, options: RealtimeOptions, on_push: Callable[[Envelope], None]
    ) -> None:
        self._ws, self._options, self._on_push = ws, options, on_push
        self._pending: dict[str, asyncio.Future[Envelope]] = {}
        self._cids = itertools.count(1)
        self._last_rx = self._last_ping = options.clock()
        loop = asyncio.get_running_loop()
        self.ended: asyncio.Future[str] = loop.create_future()
        self._tasks = [
            asyncio.ensure_future(self._read()),
            asyncio.ensure_future(self._watch()),
        ]

    @property
    def open(self) -> bool:
        return not self.ended.done()

    # -- calls ---------------------------------------------------------------------------------

    async def send(self, message: object) -> None:
        """Send without waiting for a reply (``match_data_send``: Nakama never answers it)."""
        await self._send_text(encode(message))

    async def call(self, message: object) -> Envelope:
        """Send with a ``cid`` and wait for its reply; an ``error`` reply is raised."""
        if not self.open:
            raise Disconnected(f"the realtime socket is closed ({self.ended.result()})")
        cid = str(next(self._cids))
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._pending[cid] = future
        try:
            await self._send_text(encode(message, cid))
            reply = await asyncio.wait_for(future, self._options.reply_timeout)
        except asyncio.TimeoutError:
            name = message_name(message)
            raise RequestTimeout(
                f"no reply to {name} within {self._options.reply_timeout} s"
            ) from None
        finally:
            self._pending.pop(cid, None)
        if reply.name == "error":
            err = reply.message
            raise RealtimeError(err.message, code=err.code, context=err.context)
        return reply

    async def _send_text(self, text: str) -> None:
        size = len(text.encode())
        if size > MAX_FRAME_BYTES:
            raise ValueError(
                f"a realtime frame of {size} bytes is over the {MAX_FRAME_BYTES}-byte limit "
                "(Nakama closes the socket on one): send less per message"
            )
        if not self.open:
            raise Disconnected(f"the realtime socket is closed ({self.ended.result()})")
        try:
            await self._ws.send(text)
        except Exception as exc:  # the seam raises ours; the socket is gone either way
            self.end(f"send failed: {exc}")
            raise Disconnected(f"the realtime socket closed while sending ({exc})") from None

    # -- reading and watching (Rules 1, 2) -----------------------------------------------------

    async def _read(self) -> None:
        ws = self._ws
        while (text := await ws.receive()) is not None:
            self._last_rx = self._options.clock()
            try:
                envelope = decode(text)
            except (ValueError, ProtocolError) as exc:
                log.warning("realtime: the server sent a malformed frame (%s); closing", exc)
                self.end("the server sent a malformed frame")
                break
            if envelope.cid:
                future = self._pending.get(envelope.cid)
                if future is not None and not future.done():
                    future.set_result(envelope)
                continue  # a ping's pong, or the reply to a call that timed out
            try:
                self._on_push(envelope)
            except Exception:  # a bug in dispatch must not stop the reader
                log.exception("realtime: dispatching %s failed", envelope.name)
        code = f" (close code {ws.close_code})" if ws.close_code is not None else ""
        self.end(f"closed by the server{code}" if not ws.close_reason else ws.close_reason)

    async def _watch(self) -> None:
        options = self._options
        check = min(_CHECK_MAX, options.ping_interval / 2)
        while self.open:
            await options.sleep(check)
            now = options.clock()
            idle = now - self._last_rx
            if idle >= options.dead_after:
                self.end(f"no traffic for {idle:.1f} s: the connection is dead")
                return
            if idle >= options.ping_interval and now - self._last_ping >= options.ping_interval:
                self._last_ping = now
                with contextlib.suppress(Disconnected, ValueError):
                    await self._send_text(encode(Ping(), f"ping-{next(self._cids)}"))

    # -- ending (Rule 3) -----------------------------------------------------------------------

    def end(self, reason: str) -> None:
        """Mark the socket ended: fail pending calls, stop the tasks, close the socket."""
        if self.ended.done():
            return
        self.ended.set_result(reason)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(Disconnected(f"the realtime socket closed: {reason}"))
        self._pending.clear()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        self._tasks.append(asyncio.ensure_future(self._close_socket()))

    async def _close_socket(self) -> None:
        with contextlib.suppress(Exception):
            await self._ws.close()

    async def close(self) -> None:
        self.end("closed by the client")
        await asyncio.wait(self._tasks)
        await self._close_socket()


def reply_of(envelope: Envelope, cls: type[Any]) -> Any:
    """The reply's message, checked to be a ``cls`` (else the server broke the protocol)."""
    if not isinstance(envelope.message, cls):
        raise ProtocolError(
            f"the server answered with {envelope.name or 'nothing'}, expected {cls.__name__}"
        )
    return envelope.message
