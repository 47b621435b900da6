"""What a realtime socket holds, kept as the requests that made it, and how a reconnect makes it
again (``Realtime`` Rule 3).

Rule 1: each call that makes something (a channel joined, users followed, the status set, a
        matchmaker ticket, a match joined, a party) records its request here once its reply
        came; the call that undoes it forgets it. A matched ticket is spent and forgotten; a
        party is held from its ``party`` (or its creation) until it is left or closed, with
        whether it was open when last seen (``realtime_parties`` Rule 2).
Rule 2: ``restore`` makes everything again on a new link, in that order, and says what it
        made in a ``Reconnected``. Channels, matches and parties are joined again by id, one
        rule for the three (``_rejoin``). What the server now refuses (a group channel after a
        kick, a match that ended, a party that is gone or full, a ticket over the limit) is
        forgotten and reported as left, never raised: one refusal must not stop the rest, nor
        the socket's supervisor.
Rule 3: a party is back when its ``party`` push came, which follows the join's reply: an open
        one is waited for (as long as a reply, ``wait``). A closed one is not: the join is a
        request its leader may answer whenever, so it is reported left; its ``party`` push, if
        the leader accepts, makes it held again.
Rule 4: any other failure while restoring (``Disconnected``: the new link dropped too; a reply
        that never came) is raised: the socket ends that link and reconnects, restoring again
        from what is still held.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .._exceptions import Disconnected, RealtimeError
from .._protocol import realtime as rt
from .realtime_events import Reconnected
from .realtime_link import Link, reply_of

__all__ = ["Call", "Held"]

log = logging.getLogger("gameservices")
Call = Callable[[object], Awaitable[rt.Envelope]]
K = TypeVar("K")
R = TypeVar("R")


@dataclass
class Held:
    channels: dict[str, rt.ChannelJoin] = field(default_factory=dict)  # by channel id
    follow_ids: set[str] = field(default_factory=set)
    follow_names: set[str] = field(default_factory=set)
    status: rt.StatusUpdate | None = None
    tickets: dict[str, rt.MatchmakerAdd] = field(default_factory=dict)  # by ticket
    matches: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> join metadata
    parties: dict[str, bool] = field(default_factory=dict)  # id -> open, when last seen
    _coming: dict[str, asyncio.Future[rt.Party]] = field(default_factory=dict)  # Rule 3

    def party_came(self, party: rt.Party) -> None:
        """A ``party`` push: the socket is in it (Rule 1), and a rejoin waiting is done."""
        self.parties[party.party_id] = party.open
        coming = self._coming.pop(party.party_id, None)
        if coming is not None and not coming.done():
            coming.set_result(party)

    async def restore(self, link: Link, attempts: int, wait: float) -> Reconnected:
        """Rule 2, on ``link``; ``wait``: how long an open party's ``party`` may take."""
        call = link.call
        channels, channels_left = await _rejoin(self.channels, lambda _, join: (
            _reply(call, join, rt.Channel)))  # fmt: skip
        followed = await self._follows(call)
        if self.status is not None:
            await _quietly(call, self.status)
        tickets = await self._tickets(call)
        matches, matches_left = await _rejoin(self.matches, lambda match_id, metadata: (
            _reply(call, rt.MatchJoin(match_id, "", metadata), rt.Match)))  # fmt: skip
        parties, parties_left = await _rejoin(self.parties, lambda party_id, was_open: (
            self._party(link, party_id, was_open, wait)))  # fmt: skip
        return Reconnected(
            attempts, channels, followed, tickets, matches_left, matches, channels_left,
            parties_left, parties,
        )  # fmt: skip

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

    async def _party(self, link: Link, party_id: str, was_open: bool, wait: float
                     ) -> rt.Party | None:  # fmt: skip
        """Rule 3: the party's ``party`` once back in it, or None (gone, full, a request)."""
        coming: asyncio.Future[rt.Party] = asyncio.get_running_loop().create_future()
        self._coming[party_id] = coming  # before the join: its push may beat the reply
        try:
            if await _quietly(link.call, rt.PartyJoin(party_id)) is None or not was_open:
                return None
            either: list[asyncio.Future[Any]] = [coming, link.ended]
            await asyncio.wait(either, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            if coming.done():
                return coming.result()
            if link.ended.done():
                raise Disconnected(f"the realtime socket closed: {link.ended.result()}")
            return None  # closed meanwhile: the join became a request to its leader
        finally:
            self._coming.pop(party_id, None)


async def _rejoin(held: dict[str, K], join: Callable[[str, K], Awaitable[R | None]]
                  ) -> tuple[tuple[R, ...], tuple[str, ...]]:  # fmt: skip
    """Rule 2 for what is joined by id: each joined again in the order held, or forgotten and
    reported left."""
    joined, left = [], []
    for key, request in list(held.items()):
        made = await join(key, request)
        if made is None:
            held.pop(key, None)
            left.append(key)
        else:
            joined.append(made)
    return tuple(joined), tuple(left)


async def _reply(call: Call, message: Any, cls: type[R]) -> R | None:
    reply = await _quietly(call, message)
    return None if reply is None else reply_of(reply, cls)


async def _quietly(call: Call, message: Any) -> rt.Envelope | None:
    """The reply, or None when the server refuses it now (Rule 2)."""
    try:
        return await call(message)
    except RealtimeError as exc:
        log.debug("realtime: %s not restored (%s)", rt.message_name(message), exc)
        return None
