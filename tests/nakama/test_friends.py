"""Friends through the public ``Client`` on both servers: invites and accepts, the states each
side sees, deletes, blocks, friends of friends, paging, the notifications a request makes,
bad input and the provider imports. Every test uses fresh players."""

from __future__ import annotations

import uuid

import pytest

from gameservices import FriendState, InvalidArgument, NotConfigured

from .social import Player, players
from .support import Target


async def states(player: Player) -> dict[str, FriendState]:
    page = await player.client.friends.list()
    return {f.user.id: f.state for f in page.friends}


async def test_an_invite_added_back_is_a_friendship(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        await alice.client.friends.add(ids=[bob.id])
        assert await states(alice) == {bob.id: FriendState.INVITE_SENT}
        assert await states(bob) == {alice.id: FriendState.INVITE_RECEIVED}

        await bob.client.friends.add(usernames=[alice.username])
        assert await states(alice) == {bob.id: FriendState.FRIEND}
        assert await states(bob) == {alice.id: FriendState.FRIEND}
        friend = (await alice.client.friends.list(FriendState.FRIEND)).friends[0]
        assert (friend.user.username, friend.metadata) == (bob.username, {})
        assert friend.update_time is not None
        assert friend.user.create_time is not None


async def test_a_friend_request_notifies_its_target(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        await alice.client.friends.add(ids=[bob.id])
        page = await bob.client.notifications.list()
        assert [(n.code, n.subject, n.content, n.sender_id, n.persistent)
                for n in page.notifications] == [
            (-2, f"{alice.username} wants to add you as a friend",
             {"username": alice.username}, alice.id, True)
        ]  # fmt: skip
        await bob.client.friends.add(ids=[alice.id])
        accepted = (await alice.client.notifications.list()).notifications
        assert [(n.code, n.subject) for n in accepted] == [
            (-3, f"{bob.username} accepted your friend request")
        ]
        # a second add changes nothing and tells nobody
        await alice.client.friends.add(ids=[bob.id])
        assert (await bob.client.notifications.list()).notifications == ()


async def test_adding_twice_sends_one_invite(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        await alice.client.friends.add(ids=[bob.id, bob.id], usernames=[bob.username])
        await alice.client.friends.add(ids=[bob.id])
        assert await states(alice) == {bob.id: FriendState.INVITE_SENT}
        assert len((await bob.client.notifications.list()).notifications) == 1


async def test_delete_ends_a_friendship_an_invite_or_a_block(target: Target) -> None:
    async with players(target, 3) as (alice, bob, carol):
        await alice.client.friends.add(ids=[bob.id, carol.id])
        await bob.client.friends.add(ids=[alice.id])
        await alice.client.friends.delete(ids=[bob.id])  # a friend
        await carol.client.friends.delete(usernames=[alice.username])  # declines an invite
        assert await states(alice) == {}
        assert await states(bob) == {}
        assert await states(carol) == {}
        await alice.client.friends.block(ids=[bob.id])
        await alice.client.friends.delete(ids=[bob.id])  # lifts the block
        assert await states(alice) == {}


async def test_removing_a_friend_notifies_them(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        await alice.client.friends.add(ids=[bob.id])
        await bob.client.friends.add(ids=[alice.id])
        await bob.client.notifications.list(limit=100)  # the request, now seen
        await alice.client.friends.delete(ids=[bob.id])
        notes = (await bob.client.notifications.list()).notifications
        assert [(n.code, n.subject) for n in notes] == [
            (-9, f"{alice.username} removed you as a friend")
        ]


async def test_blocking_ends_the_other_side_and_stops_their_invites(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        await alice.client.friends.add(ids=[bob.id])
        await bob.client.friends.add(ids=[alice.id])
        await alice.client.friends.block(ids=[bob.id])
        assert await states(alice) == {bob.id: FriendState.BLOCKED}
        assert await states(bob) == {}
        await bob.client.friends.add(ids=[alice.id])  # silently nothing
        await alice.client.friends.add(ids=[bob.id])  # a blocker adds nothing either
        assert await states(alice) == {bob.id: FriendState.BLOCKED}
        assert await states(bob) == {}
        await bob.client.friends.delete(ids=[alice.id])  # cannot lift alice's block
        assert await states(alice) == {bob.id: FriendState.BLOCKED}


async def test_both_blocking_each_keep_their_block(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        await alice.client.friends.block(ids=[bob.id])
        await bob.client.friends.block(usernames=[alice.username])
        assert await states(alice) == {bob.id: FriendState.BLOCKED}
        assert await states(bob) == {alice.id: FriendState.BLOCKED}


async def test_lists_filter_by_state_and_page_in_order(target: Target) -> None:
    async with players(target, 5) as (me, *others):
        a, b, c, d = others
        await me.client.friends.add(ids=[a.id])  # sent
        await me.client.friends.add(ids=[b.id])  # sent
        await c.client.friends.add(ids=[me.id])  # received
        await me.client.friends.block(ids=[d.id])
        order = [f.user.id async for f in me.client.friends.iterate(page_size=1)]
        assert order == [a.id, b.id, c.id, d.id]  # by state, then by when the pair met
        sent = await me.client.friends.list(FriendState.INVITE_SENT, limit=1)
        assert [f.user.id for f in sent.friends] == [a.id]
        assert sent.cursor
        rest = await me.client.friends.list(FriendState.INVITE_SENT, cursor=sent.cursor)
        assert [f.user.id for f in rest.friends] == [b.id]
        assert rest.cursor is None
        with pytest.raises(InvalidArgument, match="Cursor is invalid"):
            await me.client.friends.list(FriendState.BLOCKED, cursor=sent.cursor)
        blocked = await me.client.friends.list(3)
        assert [f.user.id for f in blocked.friends] == [d.id]


async def test_friends_of_friends(target: Target) -> None:
    async with players(target, 4) as (me, friend, theirs, stranger):
        for a, b in ((me, friend), (friend, theirs)):
            await a.client.friends.add(ids=[b.id])
            await b.client.friends.add(ids=[a.id])
        await stranger.client.friends.add(ids=[friend.id])  # only an invite: not a friend
        page = await me.client.friends.friends_of_friends()
        assert [(f.referrer, f.user.id) for f in page.friends_of_friends] == [
            (friend.id, theirs.id)
        ]
        assert page.friends_of_friends[0].user.edge_count == 1
        assert (await theirs.client.friends.friends_of_friends()).friends_of_friends[0].user.id \
            == me.id  # fmt: skip
        assert (await stranger.client.friends.friends_of_friends()).friends_of_friends == ()


async def test_unknown_players_are_ignored_or_refused(target: Target) -> None:
    async with players(target, 1) as (alice,):
        unknown = str(uuid.uuid4())
        await alice.client.friends.add(ids=[unknown])  # no such player: nothing, no error
        await alice.client.friends.block(ids=[unknown])
        assert await states(alice) == {}
        for call in (alice.client.friends.add, alice.client.friends.block):
            with pytest.raises(InvalidArgument, match="No valid ID or username was provided"):
                await call(usernames=["gs_nobody_" + uuid.uuid4().hex[:12]])
        await alice.client.friends.delete(usernames=["gs_nobody_" + uuid.uuid4().hex[:12]])


@pytest.mark.parametrize(
    ("verb", "message"),
    [("add", "Cannot add self as friend."), ("delete", "Cannot delete self."),
     ("block", "Cannot block self.")],
)  # fmt: skip
async def test_self_and_bad_ids_are_refused(target: Target, verb: str, message: str) -> None:
    async with players(target, 1) as (alice,):
        call = getattr(alice.client.friends, verb)
        for kwargs in ({"ids": [alice.id]}, {"usernames": [alice.username]}):
            with pytest.raises(InvalidArgument) as info:
                await call(**kwargs)
            assert info.value.message == message
        with pytest.raises(InvalidArgument, match="Invalid user ID 'not-a-uuid'"):
            await call(ids=["not-a-uuid"])


async def test_the_client_refuses_what_it_can_judge(target: Target) -> None:
    async with players(target, 1) as (alice,):
        with pytest.raises(ValueError, match="at least one player"):
            await alice.client.friends.add()
        with pytest.raises(ValueError, match="limit"):
            await alice.client.friends.list(limit=1001)
        with pytest.raises(ValueError, match="limit"):
            await alice.client.friends.friends_of_friends(limit=101)
        with pytest.raises(ValueError, match="is not a valid FriendState"):
            await alice.client.friends.list(4)
        with pytest.raises(TypeError):
            await alice.client.friends.add(ids=alice.id)  # one string, not a list


async def test_provider_imports(target: Target) -> None:
    async with players(target, 1) as (alice,):
        with pytest.raises(NotConfigured) as steam:
            await alice.client.friends.import_steam("a-steam-token")
        assert (steam.value.code, steam.value.message) == (
            9, "Steam authentication is not configured."
        )  # fmt: skip
        if not target.is_nakama:  # Nakama would ask Facebook (the internet) for this one
            with pytest.raises(InvalidArgument) as fb:
                await alice.client.friends.import_facebook("a-facebook-token")
            assert fb.value.code == 9
            assert "not supported" in fb.value.message
        with pytest.raises(ValueError, match="token is required"):
            await alice.client.friends.import_facebook("")
