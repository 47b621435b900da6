"""The reference server's matchmaker: tickets with a query, counts and properties.

Rule 1: tickets match in groups of ``min_count``..``max_count`` (every ticket's counts must
        allow the size, and a size a multiple of every ``count_multiple``), where each
        ticket's query matches every other ticket's properties (both ways: stricter than
        Nakama's default one-way check, so a group never holds a player whose query refuses
        another).
Rule 2: a group is formed at once when it reaches the largest size all its tickets allow;
        a smaller one (at least ``min_count``) when ``sweep`` runs (every ``INTERVAL``
        seconds), oldest tickets first, as Nakama's interval does.
Rule 3: a matched group gets one relayed match: each member receives ``matchmaker_matched``
        with its own ticket, the same ``token`` (the match id, signed) and every user.
Rule 4: a session's tickets go when it disconnects; a session holds at most
        ``MAX_TICKETS`` (Nakama's ``max_tickets`` default, 3).
Rule 5: ``stats`` counts the waiting tickets and keeps the latest matched ones (creation and
        match times, by the server's clock), live, where Nakama answers its last interval's
        snapshot.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._protocol import realtime as rt
from .._protocol.matchmaker_query import Query
from .._protocol.matchmaker_stats import COMPLETIONS_KEPT, matchmaker_stats_json
from .realtime_hub import Peer

__all__ = ["INTERVAL", "MAX_TICKETS", "Matchmaker", "Ticket"]

INTERVAL = 1.0
MAX_TICKETS = 3


@dataclass
class Ticket:
    id: str
    peer: Peer
    add: rt.MatchmakerAdd
    query: Query
    created: float  # the server's clock, epoch seconds

    def accepts(self, other: Ticket) -> bool:
        props = other.add
        return self.query.matches(props.string_properties, props.numeric_properties)

    def user(self) -> rt.MatchmakerUser:
        return rt.MatchmakerUser(
            self.peer.presence(), "", self.add.string_properties, self.add.numeric_properties
        )


class Matchmaker:
    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key, self._clock = key, clock
        self.tickets: dict[str, Ticket] = {}  # insertion order: oldest first
        self._completions: deque[tuple[float, float]] = deque(maxlen=COMPLETIONS_KEPT)

    def stats(self) -> dict[str, Any]:
        """Rule 5: the body of ``GET /v2/matchmaker/stats``."""
        created = (t.created for t in self.tickets.values())
        return matchmaker_stats_json(created, self._completions)

    def add(self, peer: Peer, add: rt.MatchmakerAdd, query: Query) -> Ticket:
        ticket = Ticket(str(uuid.uuid4()), peer, add, query, self._clock())
        self.tickets[ticket.id] = ticket
        peer.tickets.add(ticket.id)
        return ticket

    def remove(self, ticket_id: str) -> None:
        ticket = self.tickets.pop(ticket_id, None)
        if ticket is not None:
            ticket.peer.tickets.discard(ticket_id)

    def drop_peer(self, peer: Peer) -> None:
        for ticket_id in list(peer.tickets):
            self.remove(ticket_id)

    # -- forming groups (Rules 1, 2) ------------------------------------------------------------

    def try_full(self, newest: Ticket) -> None:
        """Rule 2: a group of the largest allowed size, including ``newest``, forms at once."""
        group = self._group(newest, full_only=True)
        if group is not None:
            self._matched(group)

    def sweep(self) -> None:
        for ticket in list(self.tickets.values()):
            if ticket.id in self.tickets:
                group = self._group(ticket, full_only=False)
                if group is not None:
                    self._matched(group)

    def _group(self, seed: Ticket, *, full_only: bool) -> list[Ticket] | None:
        group = [seed]
        for other in self.tickets.values():
            if other is seed or any(t.peer is other.peer for t in group):
                continue
            fits = len(group) + 1 <= min(t.add.max_count for t in [*group, other])
            if fits and all(t.accepts(other) and other.accepts(t) for t in group):
                group.append(other)
        high = min(t.add.max_count for t in group)
        low = max(t.add.min_count for t in group)
        size = len(group)
        while size >= low and not _multiple(group, size):
            size -= 1
        if size < low or (full_only and size < high):
            return None
        return group[:size]

    def _matched(self, group: list[Ticket]) -> None:
        """Rule 3."""
        match_id = f"{uuid.uuid4()}."
        token = self.token_for(match_id)
        users = tuple(t.user() for t in group)
        now = self._clock()
        for ticket in group:
            self.remove(ticket.id)
            self._completions.append((ticket.created, now))
        for ticket in group:
            ticket.peer.send(rt.MatchmakerMatched(ticket.id, "", token, users, ticket.user()))

    # -- tokens ---------------------------------------------------------------------------------

    def token_for(self, match_id: str) -> str:
        mac = hmac.new(self._key, match_id.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{match_id}{mac}"

    def match_of(self, token: str) -> str | None:
        """The match id a token names, or None for a forged or garbled one."""
        match_id, mac = token[:-32], token[-32:]
        good = len(token) > 32 and hmac.compare_digest(self.token_for(match_id)[-32:], mac)
        return match_id if good else None


def _multiple(group: list[Ticket], size: int) -> bool:
    return all(size % (t.add.count_multiple or 1) == 0 for t in group)
