"""Nakama's realtime messages (``/ws``) as frozen records, and the envelope that carries them.

An envelope is one JSON object: an optional ``cid`` (the client's correlation id, echoed on
the reply) and exactly one message key, Nakama's name for the message (``channel_join``,
``match_data``...). A reply may carry no message at all (``{"cid": "4"}``: done). Pushes
from the server carry no ``cid``.

Rule 1: every message class lists its fields with their codecs (``realtime_wire``); the client
        sends and the server reads the same classes, and the server's answers are read by the
        client's parsers (``MESSAGES``), so each encoding exists once.
Rule 2: a frame is at most ``MAX_FRAME_BYTES`` (Nakama closes the socket on a larger one, and
        on a malformed envelope, rather than answering).
Rule 3: ``decode`` raises ``ValueError`` for anything that is not an envelope; what that means
        (the server's fault, or a reason to close) is the caller's to say.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .fields import loads, parse_rfc3339
from .realtime_wire import (
    BOOL,
    BYTES,
    FLOAT_MAP,
    INT32,
    INT64,
    JSON_TEXT,
    TEXT,
    TEXT_MAP,
    TEXTS,
    WRAPPED_BOOL,
    WRAPPED_INT,
    WRAPPED_TEXT,
    dump,
    load,
    record,
    records,
    wire,
)
from .uuids import is_uuid
from .wire import dumps

__all__ = [
    "MAX_FRAME_BYTES",
    "MESSAGES",
    "Channel",
    "ChannelJoin",
    "ChannelLeave",
    "ChannelMessage",
    "ChannelMessageAck",
    "ChannelMessageRemove",
    "ChannelMessageSend",
    "ChannelMessageUpdate",
    "ChannelPresenceEvent",
    "ChannelType",
    "Envelope",
    "ErrorCode",
    "Match",
    "MatchCreate",
    "MatchData",
    "MatchDataSend",
    "MatchJoin",
    "MatchLeave",
    "MatchPresenceEvent",
    "MatchmakerAdd",
    "MatchmakerMatched",
    "MatchmakerRemove",
    "MatchmakerTicket",
    "MatchmakerUser",
    "MessageCode",
    "Notification",
    "Notifications",
    "Party",
    "PartyAccept",
    "PartyClose",
    "PartyCreate",
    "PartyData",
    "PartyDataSend",
    "PartyJoin",
    "PartyJoinRequest",
    "PartyJoinRequestList",
    "PartyLeader",
    "PartyLeave",
    "PartyMatchmakerAdd",
    "PartyMatchmakerRemove",
    "PartyMatchmakerTicket",
    "PartyPresenceEvent",
    "PartyPromote",
    "PartyRemove",
    "PartyUpdate",
    "Ping",
    "Pong",
    "Presence",
    "RealtimeErrorMessage",
    "Rpc",
    "Status",
    "StatusFollow",
    "StatusPresenceEvent",
    "StatusUnfollow",
    "StatusUpdate",
    "channel_kind",
    "chat_content",
    "decode",
    "encode",
    "message_name",
    "time_of",
]

MAX_FRAME_BYTES = 4096  # Nakama's socket.max_message_size_bytes default


class ChannelType(enum.IntEnum):
    """``channel_join.type``: what ``target`` names."""

    ROOM = 1
    DIRECT_MESSAGE = 2
    GROUP = 3


class MessageCode(enum.IntEnum):
    """``channel_message.code``: a chat message (0), its update (1) or removal (2), or what the
    server posts into a group's channel when a member changes (3-9, sender the member)."""

    CHAT = 0
    CHAT_UPDATE = 1
    CHAT_REMOVE = 2
    GROUP_JOIN = 3
    GROUP_ADD = 4
    GROUP_LEAVE = 5
    GROUP_KICK = 6
    GROUP_PROMOTE = 7
    GROUP_BAN = 8
    GROUP_DEMOTE = 9


class ErrorCode(enum.IntEnum):
    """``error.code`` on the socket (rtapi ``Error.Code``); 0 is omitted on the wire."""

    RUNTIME_EXCEPTION = 0
    UNRECOGNIZED_PAYLOAD = 1
    MISSING_PAYLOAD = 2
    BAD_INPUT = 3
    MATCH_NOT_FOUND = 4
    MATCH_JOIN_REJECTED = 5
    RUNTIME_FUNCTION_NOT_FOUND = 6
    RUNTIME_FUNCTION_EXCEPTION = 7


def channel_kind(channel_id: str) -> ChannelType | None:
    """What a channel id names, by Nakama's format (``2...{room}``, ``4.{user}.{user}.``,
    ``3.{group}..``); None when it is not a channel id ("Invalid channel identifier")."""
    parts = channel_id.split(".")
    if len(parts) != 4:
        return None
    mode, one, two, label = parts
    if mode == "2" and not one and not two and label:
        return ChannelType.ROOM
    if mode == "4" and is_uuid(one) and is_uuid(two) and not label:
        return ChannelType.DIRECT_MESSAGE
    if mode == "3" and is_uuid(one) and not two and not label:
        return ChannelType.GROUP
    return None


def time_of(text: str) -> datetime | None:
    """A message's RFC 3339 time field as a UTC datetime (None when absent)."""
    return parse_rfc3339(text) if text else None


# -- shared records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Presence:
    """One connected session of a user (``UserPresence``)."""

    user_id: str = wire(TEXT)
    session_id: str = wire(TEXT)
    username: str = wire(TEXT)
    persistence: bool = wire(BOOL)
    status: str | None = wire(WRAPPED_TEXT)


@dataclass(frozen=True)
class RealtimeErrorMessage:
    """``error``: a refused request (with its ``cid``) or a failure with none."""

    code: int = wire(INT32)
    message: str = wire(TEXT)
    context: dict[str, str] = wire(TEXT_MAP)


# -- chat -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelJoin:
    target: str = wire(TEXT)
    type: int = wire(INT32)
    persistence: bool | None = wire(WRAPPED_BOOL)
    hidden: bool | None = wire(WRAPPED_BOOL)


@dataclass(frozen=True)
class ChannelLeave:
    channel_id: str = wire(TEXT)


@dataclass(frozen=True)
class ChannelMessageSend:
    """``content``: JSON text holding an object (``chat_content`` judges it)."""

    channel_id: str = wire(TEXT)
    content: str = wire(TEXT)


@dataclass(frozen=True)
class ChannelMessageUpdate:
    channel_id: str = wire(TEXT)
    message_id: str = wire(TEXT)
    content: str = wire(TEXT)


def chat_content(text: str) -> dict[str, Any]:
    """A message's content as the object it holds; ValueError (Nakama's message) if it is not
    JSON text holding an object."""
    try:
        value = loads(text) if text else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValueError("Message content must be a valid JSON object")
    return value


@dataclass(frozen=True)
class ChannelMessageRemove:
    channel_id: str = wire(TEXT)
    message_id: str = wire(TEXT)


@dataclass(frozen=True)
class Channel:
    """The reply to ``channel_join``: the channel, who is in it, and you."""

    id: str = wire(TEXT)
    presences: tuple[Presence, ...] = wire(records(Presence))
    self: Presence | None = wire(record(Presence))
    room_name: str = wire(TEXT)
    group_id: str = wire(TEXT)
    user_id_one: str = wire(TEXT)
    user_id_two: str = wire(TEXT)


@dataclass(frozen=True)
class ChannelMessage:
    """A chat message (pushed, and in history). ``content`` is the JSON object it carries;
    ``code`` 0 is a chat message, other codes are the server's (joins, leaves...)."""

    channel_id: str = wire(TEXT)
    message_id: str = wire(TEXT)
    code: int | None = wire(WRAPPED_INT)
    sender_id: str = wire(TEXT)
    username: str = wire(TEXT)
    content: dict[str, Any] = wire(JSON_TEXT)
    create_time: str = wire(TEXT)
    update_time: str = wire(TEXT)
    persistent: bool | None = wire(WRAPPED_BOOL)
    room_name: str = wire(TEXT)
    group_id: str = wire(TEXT)
    user_id_one: str = wire(TEXT)
    user_id_two: str = wire(TEXT)


@dataclass(frozen=True)
class ChannelMessageAck:
    """The reply to a send, update or remove."""

    channel_id: str = wire(TEXT)
    message_id: str = wire(TEXT)
    code: int | None = wire(WRAPPED_INT)
    username: str = wire(TEXT)
    create_time: str = wire(TEXT)
    update_time: str = wire(TEXT)
    persistent: bool | None = wire(WRAPPED_BOOL)
    room_name: str = wire(TEXT)
    group_id: str = wire(TEXT)
    user_id_one: str = wire(TEXT)
    user_id_two: str = wire(TEXT)


@dataclass(frozen=True)
class ChannelPresenceEvent:
    channel_id: str = wire(TEXT)
    joins: tuple[Presence, ...] = wire(records(Presence))
    leaves: tuple[Presence, ...] = wire(records(Presence))
    room_name: str = wire(TEXT)
    group_id: str = wire(TEXT)
    user_id_one: str = wire(TEXT)
    user_id_two: str = wire(TEXT)


# -- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusFollow:
    user_ids: tuple[str, ...] = wire(TEXTS)
    usernames: tuple[str, ...] = wire(TEXTS)


@dataclass(frozen=True)
class StatusUnfollow:
    user_ids: tuple[str, ...] = wire(TEXTS)


@dataclass(frozen=True)
class StatusUpdate:
    """``status`` None: appear offline to followers (Nakama's absent StringValue)."""

    status: str | None = wire(WRAPPED_TEXT)


@dataclass(frozen=True)
class Status:
    """The reply to ``status_follow``: the followed users who are online."""

    presences: tuple[Presence, ...] = wire(records(Presence))


@dataclass(frozen=True)
class StatusPresenceEvent:
    joins: tuple[Presence, ...] = wire(records(Presence))
    leaves: tuple[Presence, ...] = wire(records(Presence))


# -- matches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchCreate:
    name: str = wire(TEXT)


@dataclass(frozen=True)
class MatchJoin:
    match_id: str = wire(TEXT)
    token: str = wire(TEXT)
    metadata: dict[str, str] = wire(TEXT_MAP)


@dataclass(frozen=True)
class MatchLeave:
    match_id: str = wire(TEXT)


@dataclass(frozen=True)
class MatchDataSend:
    match_id: str = wire(TEXT)
    op_code: int = wire(INT64)
    data: bytes = wire(BYTES)
    presences: tuple[Presence, ...] = wire(records(Presence))
    reliable: bool = wire(BOOL)


@dataclass(frozen=True)
class Match:
    """The reply to ``match_create`` and ``match_join``."""

    match_id: str = wire(TEXT)
    authoritative: bool = wire(BOOL)
    label: str | None = wire(WRAPPED_TEXT)
    size: int = wire(INT32)
    presences: tuple[Presence, ...] = wire(records(Presence))
    self: Presence | None = wire(record(Presence))


@dataclass(frozen=True)
class MatchData:
    match_id: str = wire(TEXT)
    presence: Presence | None = wire(record(Presence))
    op_code: int = wire(INT64)
    data: bytes = wire(BYTES)
    reliable: bool = wire(BOOL)


@dataclass(frozen=True)
class MatchPresenceEvent:
    match_id: str = wire(TEXT)
    joins: tuple[Presence, ...] = wire(records(Presence))
    leaves: tuple[Presence, ...] = wire(records(Presence))


# -- matchmaker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchmakerAdd:
    min_count: int = wire(INT32)
    max_count: int = wire(INT32)
    query: str = wire(TEXT)
    string_properties: dict[str, str] = wire(TEXT_MAP)
    numeric_properties: dict[str, float] = wire(FLOAT_MAP)
    count_multiple: int | None = wire(WRAPPED_INT)


@dataclass(frozen=True)
class MatchmakerRemove:
    ticket: str = wire(TEXT)


@dataclass(frozen=True)
class MatchmakerTicket:
    ticket: str = wire(TEXT)


@dataclass(frozen=True)
class MatchmakerUser:
    presence: Presence | None = wire(record(Presence))
    party_id: str = wire(TEXT)
    string_properties: dict[str, str] = wire(TEXT_MAP)
    numeric_properties: dict[str, float] = wire(FLOAT_MAP)


@dataclass(frozen=True)
class MatchmakerMatched:
    """A ticket matched: join ``match_id`` (authoritative) or ``token`` (relayed)."""

    ticket: str = wire(TEXT)
    match_id: str = wire(TEXT)
    token: str = wire(TEXT)
    users: tuple[MatchmakerUser, ...] = wire(records(MatchmakerUser))
    self: MatchmakerUser | None = wire(record(MatchmakerUser))


# -- parties ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyCreate:
    open: bool = wire(BOOL)
    max_size: int = wire(INT32)
    label: str = wire(TEXT)
    hidden: bool = wire(BOOL)


@dataclass(frozen=True)
class Party:
    """A party as one of its members sees it: the reply to ``party_create``, and pushed to who
    joins (``presences`` in the order they joined, the leader first among equals)."""

    party_id: str = wire(TEXT)
    open: bool = wire(BOOL)
    hidden: bool = wire(BOOL)
    max_size: int = wire(INT32)
    self: Presence | None = wire(record(Presence))
    leader: Presence | None = wire(record(Presence))
    presences: tuple[Presence, ...] = wire(records(Presence))
    label: str = wire(TEXT)


@dataclass(frozen=True)
class PartyJoin:
    party_id: str = wire(TEXT)


@dataclass(frozen=True)
class PartyLeave:
    party_id: str = wire(TEXT)


@dataclass(frozen=True)
class PartyClose:
    """A request (leader only), and the push every member gets when the party closes (or when
    the leader removes you)."""

    party_id: str = wire(TEXT)


@dataclass(frozen=True)
class PartyPromote:
    party_id: str = wire(TEXT)
    presence: Presence | None = wire(record(Presence))


@dataclass(frozen=True)
class PartyLeader:
    """Pushed: the party has a new leader."""

    party_id: str = wire(TEXT)
    presence: Presence | None = wire(record(Presence))


@dataclass(frozen=True)
class PartyAccept:
    party_id: str = wire(TEXT)
    presence: Presence | None = wire(record(Presence))


@dataclass(frozen=True)
class PartyRemove:
    party_id: str = wire(TEXT)
    presence: Presence | None = wire(record(Presence))


@dataclass(frozen=True)
class PartyJoinRequestList:
    party_id: str = wire(TEXT)


@dataclass(frozen=True)
class PartyJoinRequest:
    """Pushed to the leader of a closed party when someone asks to join, and the reply to
    ``party_join_request_list`` (every pending request)."""

    party_id: str = wire(TEXT)
    presences: tuple[Presence, ...] = wire(records(Presence))


@dataclass(frozen=True)
class PartyUpdate:
    """A request (leader only), and the push every member gets."""

    party_id: str = wire(TEXT)
    label: str = wire(TEXT)
    open: bool = wire(BOOL)
    hidden: bool = wire(BOOL)


@dataclass(frozen=True)
class PartyDataSend:
    party_id: str = wire(TEXT)
    op_code: int = wire(INT64)
    data: bytes = wire(BYTES)


@dataclass(frozen=True)
class PartyData:
    party_id: str = wire(TEXT)
    presence: Presence | None = wire(record(Presence))
    op_code: int = wire(INT64)
    data: bytes = wire(BYTES)


@dataclass(frozen=True)
class PartyPresenceEvent:
    party_id: str = wire(TEXT)
    joins: tuple[Presence, ...] = wire(records(Presence))
    leaves: tuple[Presence, ...] = wire(records(Presence))


@dataclass(frozen=True)
class PartyMatchmakerAdd:
    party_id: str = wire(TEXT)
    min_count: int = wire(INT32)
    max_count: int = wire(INT32)
    query: str = wire(TEXT)
    string_properties: dict[str, str] = wire(TEXT_MAP)
    numeric_properties: dict[str, float] = wire(FLOAT_MAP)
    count_multiple: int | None = wire(WRAPPED_INT)


@dataclass(frozen=True)
class PartyMatchmakerRemove:
    party_id: str = wire(TEXT)
    ticket: str = wire(TEXT)


@dataclass(frozen=True)
class PartyMatchmakerTicket:
    party_id: str = wire(TEXT)
    ticket: str = wire(TEXT)


# -- notifications, rpc, ping -----------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    id: str = wire(TEXT)
    subject: str = wire(TEXT)
    content: dict[str, Any] = wire(JSON_TEXT)
    code: int = wire(INT32)
    sender_id: str = wire(TEXT)
    create_time: str = wire(TEXT)
    persistent: bool = wire(BOOL)


@dataclass(frozen=True)
class Notifications:
    notifications: tuple[Notification, ...] = wire(records(Notification))


@dataclass(frozen=True)
class Rpc:
    id: str = wire(TEXT)
    payload: str = wire(TEXT)
    http_key: str = wire(TEXT)


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class Pong:
    pass


# -- the envelope -----------------------------------------------------------------------------

MESSAGES: dict[str, type[Any]] = {
    "channel": Channel,
    "channel_join": ChannelJoin,
    "channel_leave": ChannelLeave,
    "channel_message": ChannelMessage,
    "channel_message_ack": ChannelMessageAck,
    "channel_message_send": ChannelMessageSend,
    "channel_message_update": ChannelMessageUpdate,
    "channel_message_remove": ChannelMessageRemove,
    "channel_presence_event": ChannelPresenceEvent,
    "error": RealtimeErrorMessage,
    "match": Match,
    "match_create": MatchCreate,
    "match_data": MatchData,
    "match_data_send": MatchDataSend,
    "match_join": MatchJoin,
    "match_leave": MatchLeave,
    "match_presence_event": MatchPresenceEvent,
    "matchmaker_add": MatchmakerAdd,
    "matchmaker_matched": MatchmakerMatched,
    "matchmaker_remove": MatchmakerRemove,
    "matchmaker_ticket": MatchmakerTicket,
    "notifications": Notifications,
    "party": Party,
    "party_accept": PartyAccept,
    "party_close": PartyClose,
    "party_create": PartyCreate,
    "party_data": PartyData,
    "party_data_send": PartyDataSend,
    "party_join": PartyJoin,
    "party_join_request": PartyJoinRequest,
    "party_join_request_list": PartyJoinRequestList,
    "party_leader": PartyLeader,
    "party_leave": PartyLeave,
    "party_matchmaker_add": PartyMatchmakerAdd,
    "party_matchmaker_remove": PartyMatchmakerRemove,
    "party_matchmaker_ticket": PartyMatchmakerTicket,
    "party_presence_event": PartyPresenceEvent,
    "party_promote": PartyPromote,
    "party_remove": PartyRemove,
    "party_update": PartyUpdate,
    "ping": Ping,
    "pong": Pong,
    "rpc": Rpc,
    "status": Status,
    "status_follow": StatusFollow,
    "status_presence_event": StatusPresenceEvent,
    "status_unfollow": StatusUnfollow,
    "status_update": StatusUpdate,
}
_NAMES = {cls: name for name, cls in MESSAGES.items()}


def message_name(message: object) -> str:
    """Nakama's envelope key for ``message`` (``ChannelJoin`` -> ``channel_join``)."""
    return _NAMES[type(message)]


@dataclass(frozen=True)
class Envelope:
    """One frame: ``cid`` ("" for a push), Nakama's message ``name`` ("" for a bare reply),
    and the message, or None when the name is one this side does not know (a newer server's
    message: streams), which a reader skips."""

    cid: str
    name: str
    message: Any


def encode(message: object, cid: str = "") -> str:
    """The frame text for ``message`` (``cid`` "" for none)."""
    body = {message_name(message): dump(message)}
    return dumps({"cid": cid, **body} if cid else body)


def decode(frame: str | bytes) -> Envelope:
    """Parse one frame (Rule 3)."""
    if isinstance(frame, bytes):
        frame = frame.decode("utf-8")  # UnicodeDecodeError is a ValueError
    obj = loads(frame)
    if not isinstance(obj, dict):
        raise ValueError("an envelope must be a JSON object")
    cid = obj.get("cid", "")
    if cid is None:
        cid = ""
    if not isinstance(cid, str):
        raise ValueError("cid must be a string")
    names = [k for k in obj if k != "cid" and obj[k] is not None]
    if len(names) > 1:
        raise ValueError(f"an envelope carries one message, not {len(names)}")
    if not names:
        return Envelope(cid, "", None)
    name = names[0]
    cls = MESSAGES.get(name)
    return Envelope(cid, name, None if cls is None else load(cls, obj[name], name))
