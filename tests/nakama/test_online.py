"""``online`` in every ``apiUser`` a REST answer holds (account, users, friends, friends of
friends, group members), on both servers.

Nakama 3.40 shows a user online while one of its realtime sockets has a status presence: opened
with ``status=true`` (the client always asks for it) and not since set to appear offline. The
tests never wait on a clock: a second player follows the first's status, and the REST answers
are read after that follower saw the join or leave event, which both servers send after the
change.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import WSMsgType
from yarl import URL

from gameservices import Client
from gameservices._client.realtime import socket_url
from gameservices._protocol import realtime as rt

from .support import Target, device_id, username
from .test_realtime import WAIT, Player


@dataclass
class Circle:
    """Alice; Bob, her friend in her group, following her status; Carol, Bob's friend."""

    alice: Client
    bob: Player
    carol: Client
    alice_id: str
    group_id: str


async def _login(client: Client) -> str:
    session = await client.auth.device(device_id(), username=username())
    return session.user_id


@pytest.fixture
async def circle(target: Target) -> AsyncIterator[Circle]:
    async with AsyncExitStack() as stack:
        alice, bob, carol = [await stack.enter_async_context(target.client()) for _ in range(3)]
        a, b, c = [await _login(client) for client in (alice, bob, carol)]
        for one, other in ((alice, b), (bob, a), (bob, c), (carol, b)):
            await one.friends.add(ids=[other])
        group = await alice.groups.create(f"gs-online-{device_id()}", open=True)
        await bob.groups.join(group.id)
        sock = await stack.enter_async_context(bob.realtime())
        assert await sock.follow_users([a]) == ()
        yield Circle(alice, Player(bob, sock), carol, a, group.id)


async def _online(c: Circle) -> dict[str, bool]:
    """Alice's ``online`` in each answer that names her."""
    bob = c.bob.client
    users = await bob.users.get(ids=[c.alice_id])
    friends = (await bob.friends.list()).friends
    fof = (await c.carol.friends.friends_of_friends()).friends_of_friends
    members = (await bob.groups.members(c.group_id)).group_users
    return {
        "account": (await c.alice.account.get()).user.online,
        "users": users[0].online,
        "friends": next(f.user.online for f in friends if f.user.id == c.alice_id),
        "friends_of_friends": next(f.user.online for f in fof if f.user.id == c.alice_id),
        "group_users": next(m.user.online for m in members if m.user.id == c.alice_id),
    }


def _everywhere(online: bool) -> dict[str, bool]:
    return dict.fromkeys(("account", "users", "friends", "friends_of_friends", "group_users"),
                         online)  # fmt: skip


async def _joined(watcher: Player, user_id: str) -> None:
    await watcher.next_event(
        "status_presence_event", lambda e: any(p.user_id == user_id for p in e.joins)
    )


async def _left(watcher: Player, user_id: str) -> None:
    await watcher.next_event(
        "status_presence_event", lambda e: any(p.user_id == user_id for p in e.leaves)
    )


async def test_online_while_a_socket_is_open(circle: Circle) -> None:
    assert await _online(circle) == _everywhere(False)
    async with circle.alice.realtime():
        await _joined(circle.bob, circle.alice_id)
        assert await _online(circle) == _everywhere(True)
    await _left(circle.bob, circle.alice_id)
    assert await _online(circle) == _everywhere(False)


async def test_two_sockets_one_closed_is_still_online(circle: Circle) -> None:
    async with circle.alice.realtime():
        await _joined(circle.bob, circle.alice_id)
        async with circle.alice.realtime():
            await _joined(circle.bob, circle.alice_id)
        await _left(circle.bob, circle.alice_id)
        assert (await _online(circle))["users"]
    await _left(circle.bob, circle.alice_id)
    assert not (await _online(circle))["users"]


async def test_appearing_offline_is_offline(circle: Circle) -> None:
    async with circle.alice.realtime() as sock:
        await _joined(circle.bob, circle.alice_id)
        await sock.update_status(None)
        await _left(circle.bob, circle.alice_id)
        assert await _online(circle) == _everywhere(False)
        await sock.update_status("back")
        await _joined(circle.bob, circle.alice_id)
        assert await _online(circle) == _everywhere(True)


async def test_a_socket_without_status_is_not_online(target: Target, circle: Circle) -> None:
    session = circle.alice.session
    assert session is not None
    url = socket_url(URL(target.url), session.token).update_query(status="false")
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        await ws.send_str(json.dumps({"cid": "1", "ping": {}}))
        msg = await asyncio.wait_for(ws.receive(), WAIT)  # the socket is registered by now
        assert msg.type is WSMsgType.TEXT
        assert rt.decode(msg.data).cid == "1"
        assert await _online(circle) == _everywhere(False)
