"""The realtime socket on both servers, two or more players per test: chat with history, status,
relayed matches, the matchmaker, and what Nakama 3.40 does that a client must cope with.

Events are awaited with ``next_event`` (an ``events()`` iterator read until the wanted kind
arrives, bounded by a generous timeout so a broken server fails the test instead of hanging).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import aiohttp
import pytest

from gameservices import Client, RealtimeError, RealtimeOptions
from gameservices._client.realtime import Realtime, socket_url
from gameservices._client.realtime_events import Event
from gameservices._protocol import realtime as rt

from .support import Target, device_id

WAIT = 30.0  # the real Nakama's matchmaker runs on an interval


class Player:
    def __init__(self, client: Client, rt_: Realtime) -> None:
        self.client, self.rt = client, rt_
        self.events: AsyncIterator[Event] = rt_.events()
        self.seen: list[Event] = []

    @property
    def user_id(self) -> str:
        assert self.client.session is not None
        return self.client.session.user_id

    async def next_event(self, kind: str, match: Any = None) -> Any:
        """The next ``kind`` event (for which ``match(data)`` holds, if given)."""

        async def find() -> Any:
            async for event in self.events:
                self.seen.append(event)
                if event.kind == kind and (match is None or match(event.data)):
                    return event.data
            raise AssertionError(f"the socket closed before a {kind} event")

        return await asyncio.wait_for(find(), WAIT)


@pytest.fixture
async def players(target: Target) -> AsyncIterator[list[Player]]:
    async with AsyncExitStack() as stack:
        out = []
        for _ in range(3):
            client = await stack.enter_async_context(target.client())
            await client.auth.device(device_id())
            sock = await stack.enter_async_context(client.realtime())
            out.append(Player(client, sock))
        yield out


def _room() -> str:
    return f"gs-room-{uuid.uuid4().hex[:12]}"


async def test_room_chat_reaches_everyone_the_sender_included(players: list[Player]) -> None:
    a, b, _ = players
    room = _room()
    channel = await a.rt.join_chat(room)
    assert channel.id == f"2...{room}"
    assert channel.room_name == room
    assert channel.self is not None
    assert channel.self.user_id == a.user_id
    joined = await b.rt.join_chat(room)
    assert [p.user_id for p in joined.presences] == [a.user_id]
    presence = await a.next_event(
        "channel_presence_event", lambda e: any(p.user_id == b.user_id for p in e.joins)
    )
    assert presence.channel_id == channel.id
    ack = await a.rt.send_chat_message(channel.id, {"text": "hello", "n": 1})
    assert ack.channel_id == channel.id
    assert ack.persistent
    for player in (a, b):  # Nakama sends you your own messages
        msg = await player.next_event("channel_message", lambda m: m.message_id == ack.message_id)
        assert (msg.content, msg.sender_id, msg.code) == ({"text": "hello", "n": 1}, a.user_id, 0)


async def test_own_presence_events_arrive(players: list[Player]) -> None:
    a = players[0]
    channel = await a.rt.join_chat(_room())
    event = await a.next_event("channel_presence_event", lambda e: e.channel_id == channel.id)
    assert [p.user_id for p in event.joins] == [a.user_id]


async def test_history_pages_newest_first_with_cursors(players: list[Player]) -> None:
    a, b, _ = players
    channel = await a.rt.join_chat(_room())
    sent = [await a.rt.send_chat_message(channel.id, {"i": i}) for i in range(3)]
    page = await b.client.channels.messages(channel.id, limit=2)
    assert [m.content["i"] for m in page.messages] == [2, 1]
    assert page.next_cursor
    rest = await b.client.channels.messages(channel.id, limit=2, cursor=page.next_cursor)
    assert [m.content["i"] for m in rest.messages] == [0]
    forward = await b.client.channels.messages(channel.id, limit=10, forward=True)
    assert [m.message_id for m in forward.messages] == [s.message_id for s in sent]


async def test_update_and_remove_a_message(players: list[Player]) -> None:
    a, b, _ = players
    channel = await a.rt.join_chat(_room())
    await b.rt.join_chat(channel.room_name)
    ack = await a.rt.send_chat_message(channel.id, {"v": 1})
    updated = await a.rt.update_chat_message(channel.id, ack.message_id, {"v": 2})
    assert updated.message_id == ack.message_id
    msg = await b.next_event("channel_message", lambda m: m.code == 1)
    assert msg.content == {"v": 2}
    await a.rt.remove_chat_message(channel.id, ack.message_id)
    await b.next_event("channel_message", lambda m: m.code == 2)
    page = await b.client.channels.messages(channel.id, limit=10)
    assert ack.message_id not in [m.message_id for m in page.messages]


async def test_direct_chat(players: list[Player]) -> None:
    a, b, _ = players
    channel = await a.rt.join_chat(b.user_id, type=rt.ChannelType.DIRECT_MESSAGE)
    assert {channel.user_id_one, channel.user_id_two} == {a.user_id, b.user_id}
    again = await b.rt.join_chat(a.user_id, type=rt.ChannelType.DIRECT_MESSAGE)
    assert again.id == channel.id
    ack = await b.rt.send_chat_message(channel.id, {"psst": True})
    msg = await a.next_event("channel_message", lambda m: m.message_id == ack.message_id)
    assert msg.content == {"psst": True}


async def test_sending_bad_content_is_refused(players: list[Player]) -> None:
    a = players[0]
    channel = await a.rt.join_chat(_room())
    link = a.rt._current()
    with pytest.raises(RealtimeError) as err:
        await link.call(rt.ChannelMessageSend(channel.id, "[1, 2]"))
    assert err.value.code == rt.ErrorCode.BAD_INPUT


async def test_status_follow_and_updates(players: list[Player]) -> None:
    a, b, _ = players
    online = await b.rt.follow_users(ids=[a.user_id])
    assert [p.user_id for p in online] == [a.user_id]
    await a.rt.update_status("in a match")
    event = await b.next_event(
        "status_presence_event", lambda e: any(p.status == "in a match" for p in e.joins)
    )
    assert event.joins[0].user_id == a.user_id
    own = await a.next_event(
        "status_presence_event", lambda e: any(p.status == "in a match" for p in e.joins)
    )
    assert own.joins[0].user_id == a.user_id  # your own status events come too


async def test_relayed_match_presences_and_data(players: list[Player]) -> None:
    a, b, c = players
    match = await a.rt.create_match()
    assert match.match_id.endswith(".")
    assert match.size == 1
    joined = await b.rt.join_match(match.match_id)
    assert [p.user_id for p in joined.presences] == [a.user_id]
    await a.next_event(
        "match_presence_event", lambda e: any(p.user_id == b.user_id for p in e.joins)
    )
    await c.rt.join_match(match.match_id)
    await b.rt.send_match_data(match.match_id, 7, b"\x00pos", reliable=True)
    for player in (a, c):
        data = await player.next_event("match_data")
        assert (data.op_code, data.data, data.presence.user_id) == (7, b"\x00pos", b.user_id)
    await b.rt.leave_match(match.match_id)
    left = await a.next_event("match_presence_event", lambda e: bool(e.leaves))
    assert left.leaves[0].user_id == b.user_id


async def test_joining_a_missing_match_is_refused(players: list[Player]) -> None:
    with pytest.raises(RealtimeError) as err:
        await players[0].rt.join_match(f"{uuid.uuid4()}.")
    assert err.value.code == rt.ErrorCode.MATCH_NOT_FOUND


async def test_match_data_with_a_bad_id_gets_an_error_without_cid(players: list[Player]) -> None:
    a = players[0]
    await a.rt.send_match_data("not-a-match", 1, b"x")  # no reply, ever
    error = await a.next_event("error")
    assert error.code == rt.ErrorCode.BAD_INPUT


async def test_matchmaker_pairs_players_by_query(players: list[Player]) -> None:
    a, b, c = players
    mode = f"gs{uuid.uuid4().hex[:10]}"
    query = f"+properties.mode:{mode} +properties.skill:>=3"
    ta = await a.rt.add_matchmaker(query, 2, 2, string_properties={"mode": mode},
                                   numeric_properties={"skill": 5})  # fmt: skip
    await c.rt.add_matchmaker(f"+properties.mode:{mode}x", 2, 2,
                              string_properties={"mode": mode + "x"})  # fmt: skip
    tb = await b.rt.add_matchmaker(query, 2, 2, string_properties={"mode": mode},
                                   numeric_properties={"skill": 4})  # fmt: skip
    ma = await a.next_event("matchmaker_matched")
    mb = await b.next_event("matchmaker_matched")
    assert (ma.ticket, mb.ticket) == (ta, tb)
    assert ma.token
    assert ma.token == mb.token
    assert {u.presence.user_id for u in ma.users} == {a.user_id, b.user_id}
    match = await a.rt.join_match(token=ma.token)
    again = await b.rt.join_match(token=mb.token)
    assert match.match_id == again.match_id


async def test_remove_matchmaker_ticket(players: list[Player]) -> None:
    a = players[0]
    ticket = await a.rt.add_matchmaker(f"+properties.mode:gs{uuid.uuid4().hex}", 2, 2)
    await a.rt.remove_matchmaker(ticket)
    with pytest.raises(RealtimeError):
        await a.rt.remove_matchmaker(ticket)


async def test_rpc_that_does_not_exist(players: list[Player]) -> None:
    with pytest.raises(RealtimeError) as err:
        await players[0].rt.rpc("gs_no_such_rpc")
    assert err.value.code == rt.ErrorCode.RUNTIME_FUNCTION_NOT_FOUND


async def test_ping_is_answered(players: list[Player]) -> None:
    reply = await players[0].rt._current().call(rt.Ping())
    assert reply.name == "pong"


# -- raw sockets: what the client protects itself from ---------------------------------------


async def _raw(target: Target, token: str) -> tuple[aiohttp.ClientSession, Any]:
    http = aiohttp.ClientSession()
    from yarl import URL

    ws = await http.ws_connect(socket_url(URL(target.url), token))
    return http, ws


async def test_a_frame_over_4_kib_closes_the_socket(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        http, ws = await _raw(target, session.token)
        async with http:
            await ws.send_str(rt.encode(rt.Rpc("x", "y" * 5000), "1"))
            msg = await asyncio.wait_for(_until_closed(ws), WAIT)
            assert msg is None


async def test_a_malformed_envelope_closes_the_socket(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        http, ws = await _raw(target, session.token)
        async with http:
            await ws.send_str("{not json")
            assert await asyncio.wait_for(_until_closed(ws), WAIT) is None


async def _until_closed(ws: Any) -> None:
    async for msg in ws:
        if msg.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            break
    return None


async def test_a_bad_token_is_refused(target: Target) -> None:
    async with aiohttp.ClientSession() as http:
        from yarl import URL

        with pytest.raises(aiohttp.WSServerHandshakeError) as err:
            await http.ws_connect(socket_url(URL(target.url), "not-a-token"))
        assert err.value.status == 401


async def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="ping_interval"):
        RealtimeOptions(dead_after=5, ping_interval=5)


async def test_notifications_are_pushed_as_they_are_created(players: list[Player]) -> None:
    a, b, _ = players
    await b.client.friends.add(ids=[a.user_id])  # a friend request notifies a
    pushed = await a.next_event("notifications")
    [note] = [n for n in pushed.notifications if n.sender_id == b.user_id]
    listed = await a.client.notifications.list()
    assert note.id in [n.id for n in listed.notifications]


async def test_a_logged_out_token_is_refused_by_the_reference_server(target: Target) -> None:
    """Deliberate (docs/server.md): Nakama 3.40 still opens a socket for a token its logout
    revoked (its socket auth checks only the signature and expiry); the reference server
    refuses it, as its REST API does."""
    async with target.client() as client:
        session = await client.auth.device(device_id())
        await client.auth.logout()
        async with aiohttp.ClientSession() as http:
            from yarl import URL

            url = socket_url(URL(target.url), session.token)
            if target.name == "nakama":
                ws = await http.ws_connect(url)
                await ws.send_str(rt.encode(rt.Ping(), "1"))
                replies = []
                while not replies or replies[-1].cid != "1":
                    replies.append(rt.decode((await asyncio.wait_for(ws.receive(), WAIT)).data))
                assert replies[-1].name == "pong"  # the Nakama bug, still there
                await ws.close()
            else:
                with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                    await http.ws_connect(url)
                assert err.value.status == 401


async def test_history_content_comes_back_as_jsonb_prints_it(
    players: list[Player], target: Target
) -> None:
    a = players[0]
    channel = await a.rt.join_chat(_room())
    ack = await a.rt.send_chat_message(channel.id, {"bb": 1, "a": [1, 2]})
    async with aiohttp.ClientSession() as http:
        assert a.client.session is not None
        headers = {"Authorization": f"Bearer {a.client.session.token}"}
        url = f"{target.url}/v2/channel/{channel.id}?limit=1"
        async with http.get(url, headers=headers) as resp:
            body = await resp.json()
    [raw] = body["messages"]
    assert raw["message_id"] == ack.message_id
    assert raw["content"] == '{"a": [1, 2], "bb": 1}'  # jsonb: keys by length, ", " and ": "
