"""Chat and status over the reference server's socket: channels (rooms and direct chats),
messages (kept for history when the channel is persistent), follows and status updates.

Rule 1: channel ids are Nakama's: ``2...{room}`` for a room, ``4.{low id}.{high id}.`` for a
        direct chat (the two user ids sorted), ``3.{group}..`` for a group's channel, which
        only its members (superadmins, admins, members) may join; what membership changes post
        there is ``group_chat``'s.
Rule 2: only a member may send to, update in or remove from a channel; only a message's
        sender may update or remove it. Messages carry ``code`` 0 (sent), 1 (updated), 2
        (removed), as Nakama's.
Rule 3: a persistent message is committed before its ack and its push go out.
"""

from __future__ import annotations

import sqlite3
import time
import uuid

from .._protocol import realtime as rt
from .._protocol.fields import format_rfc3339_micro
from .._protocol.realtime import ChannelType, ErrorCode
from .._protocol.realtime_wire import load
from .._protocol.uuids import canonical_uuid, is_uuid
from .chat_store import delete_message, find_message, store_message, update_message
from .group_chat import group_channel_id
from .groups import is_member
from .realtime_context import Realtime, Refusal, handler
from .realtime_hub import Channel, Peer

__all__: list[str] = []

_BAD = ErrorCode.BAD_INPUT
MAX_ROOM_NAME = 64


def _now() -> str:
    return format_rfc3339_micro(time.time())


async def _user_exists(realtime: Realtime, user_id: str) -> bool:
    def find(conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM users WHERE uuid = ?", (user_id,)).fetchone() is not None

    return await realtime.state.store.read(find)


_TARGET = "Invalid channel target"


async def _channel_for(realtime: Realtime, peer: Peer, join: rt.ChannelJoin) -> Channel:
    """Rule 1, with Nakama's checks in its order and its messages."""
    target = join.target
    if not target:
        raise Refusal(_BAD, _TARGET)
    if join.type in (0, ChannelType.ROOM):  # 0, unspecified, is a room on Nakama too
        if len(target) > MAX_ROOM_NAME:
            raise Refusal(_BAD, f"Channel name is required and must be 1-64 chars: {_TARGET}")
        if any(ord(c) < 32 or ord(c) == 127 for c in target):
            raise Refusal(_BAD, f"Channel name must not contain control chars: {_TARGET}")
        return Channel(f"2...{target}", ChannelType.ROOM, room_name=target)
    if join.type == ChannelType.DIRECT_MESSAGE:
        other = canonical_uuid(target, nil=True)
        if other is None:
            raise Refusal(_BAD, f"Invalid user ID in direct message join: {_TARGET}")
        if not await _user_exists(realtime, other):
            raise Refusal(_BAD, f"User ID not found: {_TARGET}")
        one, two = sorted((peer.user_id, other))
        return Channel(f"4.{one}.{two}.", join.type, user_id_one=one, user_id_two=two)
    if join.type == ChannelType.GROUP:
        try:
            group_id = str(uuid.UUID(target))
        except ValueError:
            raise Refusal(_BAD, f"Invalid group ID in group channel join: {_TARGET}") from None
        if not await realtime.state.store.read(lambda c: is_member(c, group_id, peer.user_id)):
            raise Refusal(_BAD, f"Group not found: {_TARGET}")
        return Channel(group_channel_id(group_id), join.type, group_id=group_id)
    raise Refusal(_BAD, "Invalid channel type")


@handler(rt.ChannelJoin)
async def channel_join(realtime: Realtime, peer: Peer, join: rt.ChannelJoin) -> rt.Channel:
    channel = await _channel_for(realtime, peer, join)
    persistence = True if join.persistence is None else join.persistence
    return realtime.hub.join_channel(peer, channel, persistence, bool(join.hidden))


def _check_channel_id(channel_id: str) -> None:
    if rt.channel_kind(channel_id) is None:
        raise Refusal(_BAD, "Invalid channel identifier")


def _check_message_id(message_id: str) -> None:
    if not is_uuid(message_id):
        raise Refusal(_BAD, "Invalid message identifier")


@handler(rt.ChannelLeave)
async def channel_leave(realtime: Realtime, peer: Peer, leave: rt.ChannelLeave) -> None:
    _check_channel_id(leave.channel_id)
    realtime.hub.leave_channel(peer, leave.channel_id)


def _member(realtime: Realtime, peer: Peer, channel_id: str) -> tuple[Channel, bool]:
    channel = realtime.hub.channels.get(channel_id)
    member = None if channel is None else channel.members.get(peer.session_id)
    if channel is None or member is None:
        raise Refusal(_BAD, "Must join channel before sending messages")
    return channel, member.persistence


def _content(text: str) -> dict[str, object]:
    try:
        return rt.chat_content(text)
    except ValueError as exc:
        raise Refusal(_BAD, str(exc)) from None


def _message(channel: Channel, peer: Peer, message_id: str, code: int, content: dict[str, object],
             created: str, persistent: bool) -> rt.ChannelMessage:  # fmt: skip
    return rt.ChannelMessage(
        channel.id, message_id, code, peer.user_id, peer.username, dict(content), created,
        _now() if code else created, persistent, channel.room_name, channel.group_id,
        channel.user_id_one, channel.user_id_two,
    )  # fmt: skip


def _ack(message: rt.ChannelMessage) -> rt.ChannelMessageAck:
    return rt.ChannelMessageAck(
        message.channel_id, message.message_id, message.code, message.username,
        message.create_time, message.update_time, message.persistent, message.room_name,
        message.group_id, message.user_id_one, message.user_id_two,
    )  # fmt: skip


@handler(rt.ChannelMessageSend)
async def message_send(realtime: Realtime, peer: Peer, send: rt.ChannelMessageSend
                       ) -> rt.ChannelMessageAck:  # fmt: skip
    _check_channel_id(send.channel_id)
    content = _content(send.content)
    channel, persistent = _member(realtime, peer, send.channel_id)
    message = _message(channel, peer, str(uuid.uuid4()), 0, content, _now(), persistent)
    if persistent:
        await realtime.state.store.write(lambda txn: store_message(txn, message))  # Rule 3
    realtime.hub.to_channel(channel, message)
    return _ack(message)


async def _own_message(realtime: Realtime, peer: Peer, channel_id: str, message_id: str
                       ) -> rt.ChannelMessage | None:  # fmt: skip
    found = await realtime.state.store.read(lambda c: find_message(c, channel_id, message_id))
    if found is None:
        return None
    message = load(rt.ChannelMessage, found)
    if message.sender_id != peer.user_id:
        raise Refusal(_BAD, "Message can only be changed by its sender.")
    return message


@handler(rt.ChannelMessageUpdate)
async def message_update(realtime: Realtime, peer: Peer, update: rt.ChannelMessageUpdate
                         ) -> rt.ChannelMessageAck:  # fmt: skip
    _check_channel_id(update.channel_id)
    _check_message_id(update.message_id)
    content = _content(update.content)
    channel, persistent = _member(realtime, peer, update.channel_id)
    old = await _own_message(realtime, peer, update.channel_id, update.message_id)
    if old is None and persistent:
        raise Refusal(_BAD, "Could not find message to update in channel history.")
    created = old.create_time if old is not None else _now()
    message = _message(channel, peer, update.message_id, 1, content, created, persistent)
    if old is not None:
        await realtime.state.store.write(lambda txn: update_message(txn, message))
    realtime.hub.to_channel(channel, message)
    return _ack(message)


@handler(rt.ChannelMessageRemove)
async def message_remove(realtime: Realtime, peer: Peer, remove: rt.ChannelMessageRemove
                         ) -> rt.ChannelMessageAck:  # fmt: skip
    _check_channel_id(remove.channel_id)
    _check_message_id(remove.message_id)
    channel, persistent = _member(realtime, peer, remove.channel_id)
    old = await _own_message(realtime, peer, remove.channel_id, remove.message_id)
    if old is None and persistent:
        raise Refusal(_BAD, "Could not find message to remove in channel history.")
    created = old.create_time if old is not None else _now()
    message = _message(channel, peer, remove.message_id, 2, {}, created, persistent)
    if old is not None:
        await realtime.state.store.write(lambda txn: delete_message(txn, remove.message_id))
    realtime.hub.to_channel(channel, message)
    return _ack(message)


# -- status -----------------------------------------------------------------------------------


def _user_ids(user_ids: tuple[str, ...]) -> list[str]:
    found = [canonical_uuid(user_id, nil=True) for user_id in user_ids]
    if None in found:
        raise Refusal(_BAD, "Invalid user identifier")
    return [f for f in found if f is not None]


async def _ids_of(realtime: Realtime, follow: rt.StatusFollow) -> list[str]:
    ids = _user_ids(follow.user_ids)
    if follow.usernames:
        names = list(follow.usernames)

        def find(conn: sqlite3.Connection) -> list[str]:
            marks = ",".join("?" * len(names))
            sql = f"SELECT uuid FROM users WHERE username IN ({marks})"  # marks only
            return [r[0] for r in conn.execute(sql, names)]

        ids.extend(await realtime.state.store.read(find))
    return ids


@handler(rt.StatusFollow)
async def status_follow(realtime: Realtime, peer: Peer, follow: rt.StatusFollow) -> rt.Status:
    ids = await _ids_of(realtime, follow)
    return rt.Status(tuple(realtime.hub.follow(peer, ids)))


@handler(rt.StatusUnfollow)
async def status_unfollow(realtime: Realtime, peer: Peer, unfollow: rt.StatusUnfollow) -> None:
    realtime.hub.unfollow(peer, _user_ids(unfollow.user_ids))


@handler(rt.StatusUpdate)
async def status_update(realtime: Realtime, peer: Peer, update: rt.StatusUpdate) -> None:
    if update.status is not None and len(update.status) > 2048:
        raise Refusal(_BAD, "Status must be 2048 characters or less.")
    realtime.hub.update_status(peer, update.status)
