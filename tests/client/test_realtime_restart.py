"""The server is killed mid-match and comes back: every socket reconnects by itself, says so,
and holds again what it held (channels, follows, matchmaker tickets); the match it was in is
reported lost (a relayed match dies with its server); chat history survived on disk."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

from gameservices import Client, Disconnected, RealtimeOptions
from gameservices.testing import start_serve_process

from .realtime_support import FAST_RETRY, next_event


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_kill_the_server_mid_match_and_bring_it_back(tmp_path: Path) -> None:
    port, db = str(_free_port()), str(tmp_path / "game.db")
    proc, url = await start_serve_process("--port", port, "--db", db)
    options = RealtimeOptions(heartbeat=None)
    try:
        async with Client(url, retry=FAST_RETRY) as a, Client(url, retry=FAST_RETRY) as b:
            await a.auth.device(f"gs-rt-{uuid.uuid4()}")
            await b.auth.device(f"gs-rt-{uuid.uuid4()}")
            assert b.session is not None
            async with a.realtime(options) as ra, b.realtime(options) as rb:
                events_a, events_b = ra.events(), rb.events()
                channel = await ra.join_chat("gs-restart")
                before = await ra.send_chat_message(channel.id, {"before": True})
                match = await ra.create_match()
                await rb.join_match(match.match_id)
                await ra.follow_users(ids=[b.session.user_id])
                ticket = await ra.add_matchmaker("+properties.mode:solo", 2, 2,
                                                 string_properties={"mode": "solo"})  # fmt: skip
                proc.kill()
                await proc.wait()
                for events in (events_a, events_b):
                    lost = await next_event(events, "disconnected")
                    assert lost.reconnecting
                try:
                    await ra.join_chat("while-down")
                except Disconnected:
                    pass  # at once, not after a timeout
                else:
                    raise AssertionError("a call while the server is down must fail")
                proc, _ = await start_serve_process("--port", port, "--db", db)
                back = await next_event(events_a, "reconnected")
                await next_event(events_b, "reconnected")
                assert [c.id for c in back.channels] == [channel.id]
                assert back.followed == (b.session.user_id,)
                assert list(back.tickets) == [ticket]
                assert back.tickets[ticket] != ticket
                assert back.matches_left == (match.match_id,)  # it died with its server
                assert back.matches == ()
                after = await ra.send_chat_message(channel.id, {"after": True})
                page = await a.channels.messages(channel.id, limit=10, forward=True)
                assert [m.message_id for m in page.messages] == [before.message_id,
                                                                 after.message_id]  # fmt: skip
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
