"""What a realtime socket holds, kept as the requests that made it, and how a reconnect makes it
again (``Realtime`` Rule 3).

Rule 1: each call that makes something (a channel joined, users followed, the status set, a
        matchmaker ticket, a match joined) records its request here once its reply came; the
        call that undoes it forgets it. A matched ticket is spent and forgotten.
Rule 2: ``restore`` makes everything again on a new link, in that order, and says what it
        made in a ``Reconnected``; parties are not made again (``realtime_parties`` Rule 2).
        What the server now refuses (a group channel after a kick,
        a match that ended, a ticket over the limit) is forgotten and reported as left, never
        raised: one refusal must not stop the rest, nor the socket's supervisor.
Rule 3: any other failure while restoring (``Disconnected``: the new link dropped too; a reply
        that never came) is raised: the socket ends that link and reconnects, restoring again
        from what is still held.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .._exceptions import RealtimeError
from .._protocol import realtime as rt
from .realtime_events import Reconnected
from .realtime_link import reply_of

__all__ = ["Call", "Held"]

log = logging.getLogger("gameservices")
Call = Callable[[object], Awaitable[rt.Envelope]]


@dataclass
class Held:
    channels: dict[str, rt.ChannelJoin] = field(default_factory=dict)  # by channel id
    follow_ids: set[str] = field(default_factory=set)
    follow_names: set[str] = field(default_factory=set)
    status: rt.StatusUpdate | None = None
    tickets: dict[str, rt.MatchmakerAdd] = field(default_factory=dict)  # by ticket
    matches: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> join metadata
    parties: set[str] = field(default_factory=set)  # ids (realtime_parties Rule 2)

    async def restore(self, call: Call, attempts: int) -> Reconnected:
        """Rule 2, on the link ``call`` sends through."""
        channels, channels_left = await self._channels(call)
        followed = await self._follows(call)
        if self.status is not None:
            await _quietly(call, self.status)
        tickets = await self._tickets(call)
        matches, matches_left = await self._matches(call)
        parties_left, self.parties = tuple(sorted(self.parties)), set()
        return Reconnected(
            attempts, channels, followed, tickets, matches_left, matches, channels_left,
            parties_left,
        )  # fmt: skip

    async def _channels(self, call: Call) -> tuple[tuple[rt.Channel, ...], tuple[str, ...]]:
        joined, left = [], []
        for channel_id, join in list(self.channels.items()):
            reply = await _quietly(call, join)
            if reply is None:
                del self.channels[channel_id]
                left.append(channel_id)
            else:
                joined.append(reply_of(reply, rt.Channel))
        return tuple(joined), tuple(left)

    async def _follows(self, call: Call) -> tuple[str, ...]:
        if not (self.follow_ids or self.follow_names):
            return ()
        follow = rt.StatusFollow(tuple(sorted(self.follow_ids)), tuple(sorted(self.follow_names)))
        await _quietly(call, follow)
        return tuple(sorted(self.follow_ids | self.follow_names))

    async def _tickets(self, call: Call) -> dict[str, str]:
        renewed = {}
        for old, add in list(self.tickets.items()):
            del self.tickets[old]
            reply = await _quietly(call, add)
            if reply is not None:
                ticket = str(reply_of(reply, rt.MatchmakerTicket).ticket)
                self.tickets[ticket] = add
                renewed[old] = ticket
        return renewed

    async def _matches(self, call: Call) -> tuple[tuple[rt.Match, ...], tuple[str, ...]]:
        joined, left = [], []
        for match_id, metadata in sorted(self.matches.items()):
            reply = await _quietly(call, rt.MatchJoin(match_id, "", metadata))
            if reply is None:
                del self.matches[match_id]
                left.append(match_id)
            else:
                joined.append(reply_of(reply, rt.Match))
        return tuple(joined), tuple(left)


async def _quietly(call: Call, message: Any) -> rt.Envelope | None:
    """The reply, or None when the server refuses it now (Rule 2)."""
    try:
        return await call(message)
    except RealtimeError as exc:
        log.debug("realtime: %s not restored (%s)", rt.message_name(message), exc)
        return None
