"""Group chat channels on both servers: only members join them (and read their history), and
what changes a group's members posts into its channel, as Nakama 3.40 posts it (codes 3-9,
the sender the member changed, content ``{}``), with the kicked, banned and leaving players'
presences leaving the channel after their message.

That a change posts nothing is checked without waiting: the owner then sends a chat message,
and the next message its socket receives must be that one (a change's message is queued before
its REST call answers, on both servers).
"""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager

import pytest

from gameservices import InvalidArgument, RealtimeError
from gameservices.realtime import Channel, ChannelMessage, ChannelType, MessageCode

from . import sockets
from .social import Player, players
from .support import Target
from .test_auth import assert_api_error

WAIT = 15.0
CODE = MessageCode


class Member(sockets.Member):
    async def next_message(self) -> ChannelMessage:
        message: ChannelMessage = await self.next("channel_message")
        return message

    async def join(self, group_id: str) -> Channel:
        return await self.rt.join_chat(group_id, type=ChannelType.GROUP)


def members(target: Target, count: int) -> AbstractAsyncContextManager[list[Member]]:
    return sockets.members(target, count, Member)


def _name() -> str:
    return f"gs_chat_{uuid.uuid4().hex[:16]}"


async def _nothing_posted(owner: Member, channel_id: str) -> None:
    """The next message the owner receives is the marker it sends now."""
    ack = await owner.rt.send_chat_message(channel_id, {"marker": True})
    message = await owner.next_message()
    assert message.message_id == ack.message_id, message


def _posted(message: ChannelMessage, code: int, who: Player, group_id: str) -> None:
    assert (message.code, message.sender_id, message.username) == (code, who.id, who.username)
    assert (message.content, message.persistent, message.group_id) == ({}, True, group_id)
    assert message.channel_id == f"3.{group_id}.."


async def test_only_members_join_a_group_channel(target: Target) -> None:
    async with members(target, 2) as (owner, stranger):
        group = await owner.player.client.groups.create(_name(), open=False)
        channel = await owner.join(group.id)
        assert (channel.id, channel.group_id) == (f"3.{group.id}..", group.id)
        assert channel.self is not None
        assert channel.self.user_id == owner.id
        with pytest.raises(RealtimeError) as refused:
            await stranger.join(group.id)
        assert (refused.value.code, refused.value.message) == (
            3, "Group not found: Invalid channel target"
        )  # fmt: skip
        await stranger.player.client.groups.join(group.id)  # a join request is no member yet
        with pytest.raises(RealtimeError, match="Group not found"):
            await stranger.join(group.id)
        with pytest.raises(RealtimeError) as bad:
            await stranger.join("not-a-group")
        assert bad.value.message == "Invalid group ID in group channel join: Invalid channel target"
        with pytest.raises(InvalidArgument, match="Group not found"):
            await stranger.player.client.channels.messages(channel.id)
        await owner.player.client.groups.add(group.id, [stranger.id])
        joined = await stranger.join(group.id)
        assert [p.user_id for p in joined.presences] == [owner.id]


async def test_chat_and_history_in_a_group_channel(target: Target) -> None:
    async with members(target, 2) as (owner, member):
        group = await owner.player.client.groups.create(_name())
        channel = await owner.join(group.id)
        await member.player.client.groups.join(group.id)
        _posted(await owner.next_message(), CODE.GROUP_JOIN, member.player, group.id)
        await member.join(group.id)
        ack = await member.rt.send_chat_message(channel.id, {"text": "hi"})
        assert ack.group_id == group.id
        chat = await owner.next_message()
        assert (chat.code, chat.content, chat.message_id) == (0, {"text": "hi"}, ack.message_id)
        page = await owner.player.client.channels.messages(channel.id, limit=10, forward=True)
        assert sorted((m.code, m.sender_id) for m in page.messages) == [
            (CODE.CHAT, member.id), (CODE.GROUP_JOIN, member.id)
        ]  # fmt: skip
        [posted] = [m for m in page.messages if m.code == CODE.GROUP_JOIN]
        _posted(posted, CODE.GROUP_JOIN, member.player, group.id)
        assert "." not in posted.create_time  # Nakama stores a posted message in whole seconds


async def test_membership_changes_post_to_the_channel(target: Target) -> None:
    async with members(target, 3) as (owner, bob, cy):
        groups = owner.player.client.groups
        group = await groups.create(_name())
        channel = await owner.join(group.id)
        await groups.add(group.id, [bob.id])
        _posted(await owner.next_message(), CODE.GROUP_ADD, bob.player, group.id)
        await groups.add(group.id, [bob.id])  # a member already: nothing
        await _nothing_posted(owner, channel.id)
        for change, code in ((groups.promote, CODE.GROUP_PROMOTE),
                             (groups.demote, CODE.GROUP_DEMOTE)):  # fmt: skip
            await change(group.id, [bob.id])
            _posted(await owner.next_message(), code, bob.player, group.id)
        await groups.demote(group.id, [bob.id])  # a member cannot go lower: nothing
        await _nothing_posted(owner, channel.id)
        await bob.join(group.id)
        await groups.kick(group.id, [bob.id])
        for seen_by in (owner, bob):  # the kicked player hears it too, still in the channel
            _posted(await seen_by.next_message(), CODE.GROUP_KICK, bob.player, group.id)
        left = await owner.next("channel_presence_event", lambda e: bool(e.leaves))
        assert [p.user_id for p in left.leaves] == [bob.id]
        with pytest.raises(RealtimeError, match="Must join channel before sending messages"):
            await bob.rt.send_chat_message(channel.id, {"after": "kick"})
        await cy.player.client.groups.join(group.id)
        _posted(await owner.next_message(), CODE.GROUP_JOIN, cy.player, group.id)
        await cy.join(group.id)
        await cy.player.client.groups.leave(group.id)
        _posted(await owner.next_message(), CODE.GROUP_LEAVE, cy.player, group.id)
        left = await owner.next("channel_presence_event", lambda e: bool(e.leaves))
        assert [p.user_id for p in left.leaves] == [cy.id]
        await bob.player.client.groups.join(group.id)
        _posted(await owner.next_message(), CODE.GROUP_JOIN, bob.player, group.id)
        await groups.ban(group.id, [bob.id])
        _posted(await owner.next_message(), CODE.GROUP_BAN, bob.player, group.id)
        await groups.ban(group.id, [cy.id])  # a stranger: nothing posted
        await groups.kick(group.id, [cy.id])
        await _nothing_posted(owner, channel.id)
        page = await owner.player.client.channels.messages(channel.id, limit=100, forward=True)
        # Nakama orders history by stored time, then message id: posted messages, stored in
        # whole seconds, come in any order within their second (docs/server.md)
        assert sorted(m.code for m in page.messages if m.code) == sorted([
            CODE.GROUP_ADD, CODE.GROUP_PROMOTE, CODE.GROUP_DEMOTE, CODE.GROUP_KICK,
            CODE.GROUP_JOIN, CODE.GROUP_LEAVE, CODE.GROUP_JOIN, CODE.GROUP_BAN,
        ])  # fmt: skip


async def test_join_requests_post_only_when_withdrawn_or_accepted(target: Target) -> None:
    async with members(target, 2) as (owner, asker):
        group = await owner.player.client.groups.create(_name(), open=False)
        channel = await owner.join(group.id)
        await asker.player.client.groups.join(group.id)  # a request: nothing posted
        await owner.player.client.groups.kick(group.id, [asker.id])  # refused: nothing
        await _nothing_posted(owner, channel.id)
        await asker.player.client.groups.join(group.id)
        await asker.player.client.groups.leave(group.id)  # withdrawn: Nakama posts a leave
        _posted(await owner.next_message(), CODE.GROUP_LEAVE, asker.player, group.id)
        await asker.player.client.groups.join(group.id)
        await owner.player.client.groups.add(group.id, [asker.id])  # accepted
        _posted(await owner.next_message(), CODE.GROUP_ADD, asker.player, group.id)


async def test_a_deleted_group_drops_its_channel(target: Target) -> None:
    async with members(target, 1) as (owner,):
        group = await owner.player.client.groups.create(_name())
        channel = await owner.join(group.id)
        await owner.player.client.groups.delete(group.id)
        with pytest.raises(RealtimeError, match="Must join channel before sending messages"):
            await owner.rt.send_chat_message(channel.id, {"after": "delete"})


_A, _B = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("channel_id", "cursor", "message"),
    [
        (f"4.{_A}.{_B}.", None, "Channel not found."),  # another pair's direct chat
        (f"3.{_A}..", None, "Group not found."),  # no such group
        ("3.not-a-group..", None, "Invalid channel ID."),
        ("2...", None, "Invalid channel ID."),
        ("9...x", None, "Invalid channel ID."),
        ("2...lobby", "not-a-cursor", "Cursor is invalid or expired."),
    ],
)
async def test_history_refusals(
    target: Target, channel_id: str, cursor: str | None, message: str
) -> None:
    async with players(target, 1) as (player,):
        with pytest.raises(InvalidArgument) as refused:
            await player.client.channels.messages(channel_id, cursor=cursor)
    assert_api_error(refused.value, 400, 3, message)
