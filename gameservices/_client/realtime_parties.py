"""Parties on the realtime socket (``rt.create_party(...)``, ``rt.join_party(...)``...): a group of
players that stays together between matches, with a leader, its own data channel and presence
events. Mixed into ``Realtime``.

Rule 1: every call is one request and its reply; refusals are ``RealtimeError`` code 3 with
        Nakama's text ("Error joining party: party full"). What others do arrives as events:
        ``party`` (you are in: the party with every member), ``party_presence_event``,
        ``party_data``, ``party_leader``, ``party_join_request`` (to the leader of a closed
        party), ``party_update``, ``party_close`` (closed, or you were removed).
Rule 2: ``parties`` are the ids of the parties this socket is in (created, joined once its
        ``party`` came, until it leaves, closes or gets ``party_close``), each with whether it
        was open when last seen (its ``party``, its ``party_update``s). A reconnect joins them
        again (``realtime_held`` Rule 3), as Nakama 3.40 lets it, which a real one showed: the
        old socket's presence leaves each party as soon as the server sees it close (the
        others get its leave; if it led, the oldest member left leads, a ``party_leader``
        first, and keeps leading: the rejoined presence is a plain member, the newest). A new
        ``party_join`` then puts it back into an open party (the bare reply, then its
        ``party`` with every member, and a join event to all); a party it was the last member
        of is gone ("party not found"), a full one refuses ("party full"), and a closed one
        takes a join request to its leader (a bare reply, nothing more until the leader
        accepts: then the ``party``). ``Reconnected.parties`` are those back,
        ``parties_left`` the others. A server that has not yet seen the old socket close (a
        network that dropped silently) still counts the old presence: an open party holds
        both until it drops the old one, a full one refuses, and a closed one takes the
        request as from anyone (Nakama checks no membership).
Rule 3: arguments are checked before sending: ``max_size`` 1-256, a label a JSON object of at
        most 2048 bytes (Nakama's limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._checks import int_between
from .._protocol import realtime as rt
from .._protocol.wire import dumps
from .realtime_held import Held
from .realtime_link import reply_of

__all__ = ["PartyCalls"]

_MAX_LABEL = 2048


def _label(label: Mapping[str, Any] | None) -> str:
    if label is None:
        return ""
    if not isinstance(label, Mapping):
        raise TypeError("a party label must be a mapping (a JSON object)")
    text = dumps(dict(label))
    if len(text.encode()) > _MAX_LABEL:
        raise ValueError(f"a party label is at most {_MAX_LABEL} bytes of JSON")
    return text


def _id(party_id: str) -> str:
    if not isinstance(party_id, str) or "." not in party_id:
        raise ValueError(f"not a party id: {party_id!r}")
    return party_id


class PartyCalls:
    """The party calls of ``Realtime`` (which supplies ``_call`` and ``_held``)."""

    _held: Held

    async def _call(self, message: object) -> rt.Envelope:
        raise NotImplementedError  # Realtime's

    @property
    def parties(self) -> frozenset[str]:
        """The ids of the parties this socket is in (Rule 2)."""
        return frozenset(self._held.parties)

    def _party_push(self, name: str, message: Any) -> None:
        """Rule 2, for each push: what the socket is in."""
        parties = self._held.parties
        if name == "party":
            self._held.party_came(message)
        elif name == "party_update" and message.party_id in parties:
            parties[message.party_id] = message.open
        elif name == "party_close":
            parties.pop(message.party_id, None)

    async def create_party(self, open: bool, max_size: int, *,
                           label: Mapping[str, Any] | None = None, hidden: bool = False
                           ) -> rt.Party:  # fmt: skip
        """Create a party you lead: ``open`` takes whoever joins, else each join is a request
        you accept or remove; ``label`` (a JSON object) and ``hidden`` say how
        ``client.parties.list`` shows it."""
        size = int_between("max_size", max_size, 1, 256)
        create = rt.PartyCreate(bool(open), size, _label(label), bool(hidden))
        party: rt.Party = reply_of(await self._call(create), rt.Party)
        self._held.parties[party.party_id] = party.open
        return party

    async def join_party(self, party_id: str) -> None:
        """Join an open party (a ``party`` event follows), or ask to join a closed one (its
        leader gets a ``party_join_request``; a ``party`` event when accepted)."""
        await self._call(rt.PartyJoin(_id(party_id)))

    async def leave_party(self, party_id: str) -> None:
        await self._call(rt.PartyLeave(_id(party_id)))
        self._held.parties.pop(party_id, None)

    async def close_party(self, party_id: str) -> None:
        """Close a party you lead: every member gets ``party_close``."""
        await self._call(rt.PartyClose(_id(party_id)))
        self._held.parties.pop(party_id, None)

    async def send_party_data(self, party_id: str, op_code: int, data: bytes | str) -> None:
        """Send ``data`` to the party's other members (``party_data`` events); unlike match
        data, the server answers, so a refusal raises."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        await self._call(rt.PartyDataSend(_id(party_id), int(op_code), raw))

    async def promote_party_member(self, party_id: str, presence: rt.Presence) -> None:
        """Make a member the leader (you lead): every member gets ``party_leader``."""
        await self._call(rt.PartyPromote(_id(party_id), presence))

    async def accept_party_member(self, party_id: str, presence: rt.Presence) -> None:
        """Accept a join request (a ``party_join_request`` presence) to a party you lead."""
        await self._call(rt.PartyAccept(_id(party_id), presence))

    async def remove_party_member(self, party_id: str, presence: rt.Presence) -> None:
        """Remove a member (it gets ``party_close``) or reject a join request."""
        await self._call(rt.PartyRemove(_id(party_id), presence))

    async def list_party_join_requests(self, party_id: str) -> tuple[rt.Presence, ...]:
        """The pending join requests of a party you lead."""
        reply = await self._call(rt.PartyJoinRequestList(_id(party_id)))
        return reply_of(reply, rt.PartyJoinRequest).presences  # type: ignore[no-any-return]

    async def update_party(self, party_id: str, *, open: bool, hidden: bool = False,
                           label: Mapping[str, Any] | None = None) -> None:  # fmt: skip
        """Change a party you lead (every member gets ``party_update``); a hidden party
        takes no label."""
        update = rt.PartyUpdate(_id(party_id), _label(label), bool(open), bool(hidden))
        await self._call(update)

    async def add_party_matchmaker(
        self,
        party_id: str,
        query: str = "*",
        min_count: int = 2,
        max_count: int = 8,
        *,
        string_properties: Mapping[str, str] | None = None,
        numeric_properties: Mapping[str, float] | None = None,
        count_multiple: int | None = None,
    ) -> str:
        """Put the party you lead in the matchmaker, all its members in one ticket (the counts
        are of players); the ticket, which the other members get as a
        ``party_matchmaker_ticket`` event. Every member receives ``matchmaker_matched``. A
        change of the party's members cancels its tickets."""
        add = rt.PartyMatchmakerAdd(
            _id(party_id), min_count, max_count, query, dict(string_properties or {}),
            dict(numeric_properties or {}), count_multiple,
        )  # fmt: skip
        reply = await self._call(add)
        return str(reply_of(reply, rt.PartyMatchmakerTicket).ticket)

    async def remove_party_matchmaker(self, party_id: str, ticket: str) -> None:
        await self._call(rt.PartyMatchmakerRemove(_id(party_id), ticket))
