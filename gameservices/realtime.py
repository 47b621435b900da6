"""The realtime socket's records and event kinds, for type hints and ``isinstance`` in game code.

``client.realtime()`` gives the socket (``gameservices.Realtime``); its calls return these
records and its events carry them (``rt.on("match_data", fn)`` calls ``fn(MatchData)``).
"""

from ._client.realtime_events import KINDS, ConnectionLost, Reconnected
from ._protocol.chat_history import ChannelMessageList
from ._protocol.realtime import (
    Channel,
    ChannelMessage,
    ChannelMessageAck,
    ChannelPresenceEvent,
    ChannelType,
    ErrorCode,
    Match,
    MatchData,
    MatchmakerMatched,
    MatchmakerUser,
    MatchPresenceEvent,
    MessageCode,
    Party,
    PartyClose,
    PartyData,
    PartyJoinRequest,
    PartyLeader,
    PartyMatchmakerTicket,
    PartyPresenceEvent,
    PartyUpdate,
    Presence,
    RealtimeErrorMessage,
    StatusPresenceEvent,
)

__all__ = [
    "KINDS",
    "Channel",
    "ChannelMessage",
    "ChannelMessageAck",
    "ChannelMessageList",
    "ChannelPresenceEvent",
    "ChannelType",
    "ConnectionLost",
    "ErrorCode",
    "Match",
    "MatchData",
    "MatchPresenceEvent",
    "MatchmakerMatched",
    "MatchmakerUser",
    "MessageCode",
    "Party",
    "PartyClose",
    "PartyData",
    "PartyJoinRequest",
    "PartyLeader",
    "PartyMatchmakerTicket",
    "PartyPresenceEvent",
    "PartyUpdate",
    "Presence",
    "RealtimeErrorMessage",
    "Reconnected",
    "StatusPresenceEvent",
]
