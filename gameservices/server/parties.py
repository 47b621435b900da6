"""The reference server's parties: in memory, on the event loop, as Nakama 3.40's party handler
keeps them (checked against a real one).

Rule 1: a party id is ``{uuid}.{NODE}``; a party lives until its leader closes it or its last
        member leaves. Members are kept in join order; the leader is one of them, and when the
        leader leaves the oldest member left leads (a ``party_leader`` push to the others).
Rule 2: ``max_size`` (0-256) bounds the members and, separately, the pending join requests (0
        lets nobody else in, as on Nakama). An open party takes whoever joins; a closed one
        makes a join request, pushed to the leader, which the leader accepts or removes; one
        per user ("duplicate"), and a member's too (Nakama 3.40 checks no membership: a
        reconnecting player whose old socket the server has not yet dropped asks to join as
        anyone would), whose accept changes nothing. Only the leader promotes, accepts,
        removes, lists requests, updates and closes.
Rule 3: who joins gets the ``party`` (with every member) and then every member, the joiner
        included, a ``party_presence_event``; a leaver's leave goes to the others; a closed
        party tells every member ``party_close`` (and nothing more); a removed member gets
        ``party_close``, the others its leave. These pushes follow the reply of the request
        that caused them, except ``party_close``, ``party_leader`` and ``party_update`` to the
        requester, which come before its reply, as Nakama orders them.
Rule 4: a refusal raises ``PartyError`` with Nakama's text (``party full``, ``party leader
        only``...); the handler adds the operation's prefix.
Rule 5: any change of a party's members (a join, a leave, an accept, a removal, a close) calls
        ``on_change(party_id)``: the matchmaker drops the party's tickets, as Nakama's does.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from .._protocol import realtime as rt
from .realtime_hub import Peer

__all__ = ["MAX_LABEL_BYTES", "MAX_PARTY_SIZE", "NODE", "Parties", "PartyError", "PartyRoom"]

NODE = "gameservices"  # Nakama's is its node name ("nakama1" by default)
MAX_PARTY_SIZE = 256
MAX_LABEL_BYTES = 2048


class PartyError(Exception):
    """Rule 4."""


@dataclass
class PartyRoom:
    id: str
    open: bool
    hidden: bool
    max_size: int
    label: str
    leader: Peer
    members: dict[str, Peer] = field(default_factory=dict)  # by session id, join order
    requests: dict[str, Peer] = field(default_factory=dict)  # by session id, request order

    def view(self, peer: Peer) -> rt.Party:
        """The party as ``peer`` sees it."""
        return rt.Party(
            self.id, self.open, False, self.max_size, peer.presence(), self.leader.presence(),
            tuple(m.presence() for m in self.members.values()),
        )  # fmt: skip

    def send(self, message: object, skip: Peer | None = None) -> None:
        text = rt.encode(message)
        for member in self.members.values():
            if member is not skip:
                member.send_text(text)

    def has_user(self, user_id: str, among: Iterable[Peer]) -> bool:
        return any(p.user_id == user_id for p in among)


def _later(fn: object, *args: object) -> None:
    """After the reply now being queued (Rule 3)."""
    asyncio.get_running_loop().call_soon(fn, *args)  # type: ignore[arg-type]  # a callable


def _same(peer: Peer, presence: rt.Presence) -> bool:
    """Nakama names a presence by session, user and username, all three."""
    return (peer.session_id, peer.user_id, peer.username) == (
        presence.session_id, presence.user_id, presence.username
    )  # fmt: skip


class Parties:
    def __init__(self, on_change: Callable[[str], None] = lambda party_id: None) -> None:
        self._changed = on_change  # Rule 5
        self.rooms: dict[str, PartyRoom] = {}
        self.of_peer: dict[str, set[str]] = {}  # session id -> ids of the parties it is in

    def find(self, party_id: str) -> PartyRoom:
        """``party_id`` is checked (``party_uuid``) by the handler; this finds the party."""
        room = self.rooms.get(party_id)
        if room is None:
            raise PartyError("party not found")
        return room

    def create(self, peer: Peer, create: rt.PartyCreate) -> rt.Party:
        room = PartyRoom(f"{uuid.uuid4()}.{NODE}", create.open, create.hidden, create.max_size,
                         create.label, peer)  # fmt: skip
        self.rooms[room.id] = room
        self._add(room, peer)
        _later(self._joined, room, peer)  # Nakama 3.40 sends the creator its party once more
        return replace(room.view(peer), hidden=create.hidden, label=create.label)

    def _add(self, room: PartyRoom, peer: Peer) -> None:
        room.members[peer.session_id] = peer
        self.of_peer.setdefault(peer.session_id, set()).add(room.id)
        self._changed(room.id)

    def _joined(self, room: PartyRoom, peer: Peer) -> None:
        if self.rooms.get(room.id) is not room or peer.session_id not in room.members:
            return  # closed, or left, before this ran
        peer.send(room.view(peer))
        room.send(rt.PartyPresenceEvent(room.id, (peer.presence(),)))

    def join(self, peer: Peer, room: PartyRoom) -> None:
        if len(room.members) >= room.max_size:
            raise PartyError("party full")
        if room.open:
            if peer.session_id not in room.members:
                self._add(room, peer)
                _later(self._joined, room, peer)
            return
        if len(room.requests) >= room.max_size:
            raise PartyError("party join requests full")
        if room.has_user(peer.user_id, room.requests.values()):
            raise PartyError("party join request duplicate")
        room.requests[peer.session_id] = peer
        room.leader.send(rt.PartyJoinRequest(room.id, (peer.presence(),)))

    def _leader_only(self, room: PartyRoom, peer: Peer) -> None:
        if room.leader is not peer:
            raise PartyError("party leader only")

    def leave(self, peer: Peer, party_id: str) -> None:
        room = self.rooms.get(party_id)
        if room is None or room.members.pop(peer.session_id, None) is None:
            return
        self._forget(peer, room.id)
        if not room.members:
            self._drop(room)
            return
        if room.leader is peer:
            room.leader = next(iter(room.members.values()))  # the oldest member left
            room.send(rt.PartyLeader(room.id, room.leader.presence()))
        room.send(rt.PartyPresenceEvent(room.id, leaves=(peer.presence(),)))

    def _forget(self, peer: Peer, party_id: str) -> None:
        self._changed(party_id)
        held = self.of_peer.get(peer.session_id)
        if held is not None:
            held.discard(party_id)
            if not held:
                del self.of_peer[peer.session_id]

    def _drop(self, room: PartyRoom) -> None:
        del self.rooms[room.id]
        for member in room.members.values():
            self._forget(member, room.id)

    def close(self, peer: Peer, room: PartyRoom) -> None:
        self._leader_only(room, peer)
        room.send(rt.PartyClose(room.id))
        self._drop(room)

    def promote(self, peer: Peer, room: PartyRoom, presence: rt.Presence) -> None:
        self._leader_only(room, peer)
        found = next((m for m in room.members.values() if _same(m, presence)), None)
        if found is None:
            raise PartyError("party member not found")
        room.leader = found
        room.send(rt.PartyLeader(room.id, found.presence()))

    def accept(self, peer: Peer, room: PartyRoom, presence: rt.Presence) -> None:
        self._leader_only(room, peer)
        if len(room.members) >= room.max_size:
            raise PartyError("party full")
        found = next((r for r in room.requests.values() if _same(r, presence)), None)
        if found is None:
            raise PartyError("party join request not found")
        del room.requests[found.session_id]
        if found.closed:
            raise PartyError("party could not accept request")  # its socket is gone
        if found.session_id in room.members:
            return  # a member's own request (Rule 2): it stays as it is, nobody is told
        self._add(room, found)
        _later(self._joined, room, found)

    def remove(self, peer: Peer, room: PartyRoom, presence: rt.Presence) -> None:
        self._leader_only(room, peer)
        if _same(peer, presence):
            raise PartyError("party cannot remove self")
        found = next((m for m in room.members.values() if _same(m, presence)), None)
        if found is None:
            request = next((r for r in room.requests.values() if _same(r, presence)), None)
            if request is None:
                raise PartyError("party member not found")
            del room.requests[request.session_id]  # a request rejected: nobody is told
            return
        del room.members[found.session_id]
        self._forget(found, room.id)
        _later(self._removed, room, found)

    def _removed(self, room: PartyRoom, peer: Peer) -> None:
        room.send(rt.PartyPresenceEvent(room.id, leaves=(peer.presence(),)))
        peer.send(rt.PartyClose(room.id))

    def requests(self, peer: Peer, room: PartyRoom) -> rt.PartyJoinRequest:
        self._leader_only(room, peer)
        return rt.PartyJoinRequest(room.id, tuple(r.presence() for r in room.requests.values()))

    def update(self, peer: Peer, room: PartyRoom, update: rt.PartyUpdate) -> None:
        self._leader_only(room, peer)
        room.label, room.open, room.hidden = update.label, update.open, update.hidden
        room.send(rt.PartyUpdate(room.id, update.label, update.open, update.hidden))

    def leading(self, peer: Peer, room: PartyRoom) -> tuple[Peer, ...]:
        """The members, for a party ticket its leader adds (leader only)."""
        self._leader_only(room, peer)
        return tuple(room.members.values())

    def data(self, peer: Peer, room: PartyRoom, send: rt.PartyDataSend) -> None:
        if peer.session_id not in room.members:
            raise PartyError("party member not found")
        room.send(rt.PartyData(room.id, peer.presence(), send.op_code, send.data), skip=peer)

    def drop_peer(self, peer: Peer) -> None:
        """A socket closed: it leaves every party it was in (Rule 1)."""
        for party_id in sorted(self.of_peer.get(peer.session_id, ())):
            self.leave(peer, party_id)

    def listed(self) -> list[PartyRoom]:
        """The parties ``GET /v2/party`` may list (not hidden), oldest first."""
        return [room for room in self.rooms.values() if not room.hidden]
