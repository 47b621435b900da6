"""A dropped connection on both servers: the server stays up, so the relayed match the player
was in outlives its socket (the other player is still in it), and the reconnect joins it again;
a group channel it was kicked from meanwhile is reported left. (A server that restarts ends its
matches: tests/client/test_realtime_restart.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

from yarl import URL

from gameservices.realtime import ChannelType

from ..client.realtime_support import Proxy, next_event
from .social import players
from .support import Target

WAIT = 20.0


async def test_a_dropped_socket_rejoins_its_match(target: Target) -> None:
    async with (
        Proxy(URL(target.url).port or 0) as proxy,
        players(target, 1) as (owner,),
        dataclasses.replace(target, url=proxy.url).client() as client,
    ):
        session = await client.auth.device(f"gs-device-{uuid.uuid4()}")
        group = await owner.client.groups.create(f"gs_rc_{uuid.uuid4().hex[:16]}")
        await owner.client.groups.add(group.id, [session.user_id])
        async with owner.client.realtime() as other, client.realtime() as mine:
            theirs, events = other.events(), mine.events()
            match = await other.create_match()
            joined = await mine.join_match(match.match_id, metadata={"team": "red"})
            room = await mine.join_chat(f"gs-room-{uuid.uuid4().hex[:8]}")
            clan = await mine.join_chat(group.id, type=ChannelType.GROUP)
            await _presence(theirs, joins=joined.self.user_id)
            proxy.pause()  # no reconnect until resumed
            proxy.cut()
            lost = await next_event(events, "disconnected")
            assert lost.reconnecting
            await owner.client.groups.kick(group.id, [session.user_id])  # while away
            proxy.resume()
            back = await next_event(events, "reconnected")
            assert [m.match_id for m in back.matches] == [match.match_id]
            assert back.matches_left == ()
            [again] = back.matches
            assert again.self.session_id != joined.self.session_id  # a new presence
            assert [p.user_id for p in again.presences] == [owner.id]
            assert [c.id for c in back.channels] == [room.id]
            assert back.channels_left == (clan.id,)
            await _presence(theirs, joins=session.user_id)  # the others saw the join
            await other.send_match_data(match.match_id, 3, b"still here")
            data = await next_event(events, "match_data")
            assert (data.op_code, data.data) == (3, b"still here")


async def test_a_match_that_ended_meanwhile_is_reported_left(target: Target) -> None:
    async with (
        Proxy(URL(target.url).port or 0) as proxy,
        players(target, 1) as (owner,),
        dataclasses.replace(target, url=proxy.url).client() as client,
    ):
        await client.auth.device(f"gs-device-{uuid.uuid4()}")
        async with owner.client.realtime() as other, client.realtime() as mine:
            events = mine.events()
            match = await other.create_match()
            await mine.join_match(match.match_id)
            proxy.pause()
            proxy.cut()
            await next_event(events, "disconnected")
            await other.leave_match(match.match_id)  # the last member left: the match ended
            proxy.resume()
            back = await next_event(events, "reconnected")
            assert (back.matches, back.matches_left) == ((), (match.match_id,))
            assert (await mine.create_match()).size == 1  # and the socket works


async def _presence(events: Any, *, joins: str) -> None:
    async def find() -> None:
        while True:
            event = await next_event(events, "match_presence_event")
            if any(p.user_id == joins for p in event.joins):
                return

    await asyncio.wait_for(find(), WAIT)
