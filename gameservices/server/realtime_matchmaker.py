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
        ``MAX_TICKETS`` (Nakama's ``max_tickets`` default, 3), and so does a party.
Rule 6: a party's ticket (its leader adds it) holds every member at that moment and counts
        them all toward the counts; each member receives ``matchmaker_matched`` (the party's
        ticket, ``party_id`` on its users). Any change of the party's members removes its
        tickets (``remove_party``), as Nakama's.
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

__all__ = ["INTERVAL", "MAX_TICKETS", "Matchmaker", "Ticket", "count_error"]

INTERVAL = 1.0
MAX_TICKETS = 3


def count_error(min_count: int, max_count: int, multiple: int | None) -> str | None:
    """What is wrong with a ticket's counts, by Nakama's checks in its order and its
    messages; None when nothing is."""
    if min_count < 2:
        return "Invalid minimum count, must be >= 2"
    if max_count < min_count:
        return "Invalid maximum count, must be >= minimum count"
    if multiple is None:
        return None
    if multiple < 1:
        return "Invalid count multiple, must be >= 1"
    if min_count % multiple:
        return "Invalid count multiple for minimum count, must divide"
    if max_count % multiple:
        return "Invalid count multiple for maximum count, must divide"
    return None


@dataclass
class Ticket:
    id: str
    peer: Peer  # who added it: the player, or the party's leader
    add: rt.MatchmakerAdd
    query: Query
    created: float  # the server's clock, epoch seconds
    party_id: str = ""
    members: tuple[Peer, ...] = ()  # a party's members when it was added (Rule 6)

    @property
    def peers(self) -> tuple[Peer, ...]:
        return self.members or (self.peer,)

    def accepts(self, other: Ticket) -> bool:
        props = other.add
        return self.query.matches(props.string_properties, props.numeric_properties)

    def user(self, peer: Peer) -> rt.MatchmakerUser:
        add = self.add
        return rt.MatchmakerUser(
            peer.presence(), self.party_id, add.string_properties, add.numeric_properties
        )


class Matchmaker:
    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key, self._clock = key, clock
        self.tickets: dict[str, Ticket] = {}  # insertion order: oldest first
        self.by_party: dict[str, set[str]] = {}  # party id -> its ticket ids
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

    def add_party(self, leader: Peer, party_id: str, members: tuple[Peer, ...],
                  add: rt.MatchmakerAdd, query: Query) -> Ticket:  # fmt: skip
        """Rule 6."""
        ticket = Ticket(str(uuid.uuid4()), leader, add, query, self._clock(), party_id, members)
        self.tickets[ticket.id] = ticket
        self.by_party.setdefault(party_id, set()).add(ticket.id)
        return ticket

    def remove(self, ticket_id: str) -> None:
        ticket = self.tickets.pop(ticket_id, None)
        if ticket is None:
            return
        if not ticket.party_id:
            ticket.peer.tickets.discard(ticket_id)
            return
        held = self.by_party.get(ticket.party_id, set())
        held.discard(ticket_id)
        if not held:
            self.by_party.pop(ticket.party_id, None)

    def remove_party(self, party_id: str) -> None:
        """Rule 6: the party's members changed (or it closed)."""
        for ticket_id in list(self.by_party.get(party_id, ())):
            self.remove(ticket_id)

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
        """Tickets in age order that fit with ``seed``; the longest prefix whose player count
        every ticket's counts (and multiples) allow."""
        group, taken = [seed], {p.session_id for p in seed.peers}
        for other in self.tickets.values():
            if other is seed or taken & {p.session_id for p in other.peers}:
                continue
            players = sum(len(t.peers) for t in group) + len(other.peers)
            fits = players <= min(t.add.max_count for t in [*group, other])
            if fits and all(t.accepts(other) and other.accepts(t) for t in group):
                group.append(other)
                taken.update(p.session_id for p in other.peers)
        for size in range(len(group), 0, -1):
            chosen = group[:size]
            players = sum(len(t.peers) for t in chosen)
            high = min(t.add.max_count for t in chosen)
            low = max(t.add.min_count for t in chosen)
            if low <= players <= high and _multiple(chosen, players):
                return None if full_only and players < high else chosen
        return None

    def _matched(self, group: list[Ticket]) -> None:
        """Rules 3 and 6."""
        match_id = f"{uuid.uuid4()}."
        token = self.token_for(match_id)
        users = tuple(t.user(peer) for t in group for peer in t.peers)
        now = self._clock()
        for ticket in group:
            self.remove(ticket.id)
            self._completions.append((ticket.created, now))
        for ticket in group:
            for peer in ticket.peers:
                matched = rt.MatchmakerMatched(ticket.id, "", token, users, ticket.user(peer))
                peer.send(matched)

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
