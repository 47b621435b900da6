"""Staying connected: a silent network is detected by the watchdog (its own clock, moved by the
test), a lost socket reconnects and restores what it held, pending calls fail at once, and the
session token appears in no log line, repr or error."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
from yarl import URL

from gameservices import Client, Disconnected, RealtimeOptions
from gameservices.realtime import ConnectionLost, Reconnected
from gameservices.testing import ReferenceServer

from .realtime_support import FAST_RETRY, FakeClock, Proxy, fast_sleep, next_event


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer() as srv:
        yield srv


async def _player(url: str) -> Client:
    client = Client(url, retry=FAST_RETRY)
    await client.auth.device(f"gs-rt-{uuid.uuid4()}")
    return client


async def test_a_silent_network_is_detected_within_dead_after(server: ReferenceServer) -> None:
    clock = FakeClock()
    options = RealtimeOptions(
        dead_after=15, ping_interval=5, heartbeat=None, clock=clock, sleep=fast_sleep
    )
    async with (
        Proxy(URL(server.url).port or 0) as proxy,
        await _player(proxy.url) as client,
        client.realtime(options) as rt,
    ):
        events = rt.events()
        await rt.join_chat("lobby")
        proxy.pause()
        clock.now += 14.9  # idle past ping_interval: the watchdog pings, not yet dead
        while proxy.swallowed == 0:
            proxy.swallowed_changed.clear()
            await asyncio.wait_for(proxy.swallowed_changed.wait(), 20)
        assert rt.connected  # it looked at 14.9 s of silence and kept the socket
        clock.now += 0.2
        lost = await next_event(events, "disconnected")
        assert isinstance(lost, ConnectionLost)
        assert lost.reconnecting
        assert "no traffic for 15.1 s" in lost.reason
        with pytest.raises(Disconnected):
            await rt.join_chat("lobby2")  # no waiting on a dead socket
        proxy.resume()
        back = await next_event(events, "reconnected")
        assert isinstance(back, Reconnected)
        assert [c.room_name for c in back.channels] == ["lobby"]
        assert rt.connected
        await rt.send_chat_message(back.channels[0].id, {"again": True})


async def test_pending_calls_fail_with_disconnected_when_the_socket_drops(
    server: ReferenceServer,
) -> None:
    options = RealtimeOptions(reconnect=False, heartbeat=None)
    async with (
        Proxy(URL(server.url).port or 0) as proxy,
        await _player(proxy.url) as client,
        client.realtime(options) as rt,
    ):
        events = rt.events()
        proxy.pause()
        call = asyncio.ensure_future(rt.join_chat("never-answered"))
        while proxy.swallowed == 0:  # the request is on the (silent) wire
            proxy.swallowed_changed.clear()
            await asyncio.wait_for(proxy.swallowed_changed.wait(), 20)
        await proxy.__aexit__(None, None, None)  # the connection is cut
        with pytest.raises(Disconnected):
            await asyncio.wait_for(call, 20)
        lost = await next_event(events, "disconnected")
        assert not lost.reconnecting


async def test_the_token_is_never_logged_shown_or_raised(
    server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gameservices")
    async with Proxy(URL(server.url).port or 0) as proxy, await _player(proxy.url) as client:
        assert client.session is not None
        token = client.session.token
        rt = client.realtime(RealtimeOptions(heartbeat=None))
        await rt.connect()
        proxy.pause()  # new connections refused: the handshake fails
        errors: list[BaseException] = []
        other = client.realtime(RealtimeOptions(heartbeat=None))
        try:
            await other.connect()
        except Exception as exc:  # whatever it is, it must not carry the token
            errors.append(exc)
        assert errors
        await rt.close()
        shown = [repr(rt), str(rt), *(f"{e!r} {e} {e.__cause__!r}" for e in errors)]
        assert all(token not in text for text in shown)
        assert token not in caplog.text
