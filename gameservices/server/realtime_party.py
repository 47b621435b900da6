"""Parties over the reference server's socket: the requests, checked as Nakama's pipeline checks
them, handed to ``parties``.

Rule 1: a party id must be ``{uuid}.{node}`` ("Invalid party ID" otherwise); a presence, where
        the request names one, must have a user id, session id and username ("Invalid
        presence", checked first).
Rule 2: every refusal is code 3 with Nakama's text: its operation's prefix ("Error joining
        party: ", "Error closing party: "...) and the party's reason (``PartyError``).
Rule 3: ``party_leave`` never fails for a well-formed id (leaving what you are not in is done);
        ``party_create`` answers the ``party``, ``party_join_request_list`` the requests, the
        others a bare reply.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from .._protocol import realtime as rt
from .._protocol.fields import loads
from .._protocol.realtime import ErrorCode
from .parties import MAX_LABEL_BYTES, MAX_PARTY_SIZE, PartyError, PartyRoom
from .realtime_context import Realtime, Refusal, handler
from .realtime_hub import Peer
from .realtime_matchmaker import MAX_TICKETS
from .realtime_play import check_counts, ticket_query

__all__: list[str] = []

_BAD = ErrorCode.BAD_INPUT
_GO_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "bool"}
_INTO_MAP = "into Go value of type map[string]interface {}"


def _party_id(raw: str) -> str:
    """Rule 1: the id as the registry keys it (the uuid canonical)."""
    head, dot, node = raw.partition(".")
    try:
        return f"{uuid.UUID(head)}.{node}" if dot else ""
    except ValueError:
        return ""


def _checked(raw: str) -> str:
    party_id = _party_id(raw)
    if not party_id:
        raise Refusal(_BAD, "Invalid party ID")
    return party_id


def _doing(prefix: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except PartyError as exc:
        raise Refusal(_BAD, f"{prefix}: {exc}") from None


def _room(realtime: Realtime, raw: str, prefix: str) -> PartyRoom:
    party_id = _checked(raw)
    return _doing(prefix, lambda: realtime.parties.find(party_id))  # type: ignore[no-any-return]


def _presence(message: Any) -> rt.Presence:
    found: rt.Presence | None = message.presence
    if found is None or not (found.user_id and found.session_id and found.username):
        raise Refusal(_BAD, "Invalid presence")
    return found


def _label(label: str, hidden: bool) -> str | None:
    """Why a label is refused (Nakama's registry), or None."""
    if hidden and label not in ("", "{}"):
        return "party is hidden and label is not empty, invalid operation"
    if len(label.encode()) > MAX_LABEL_BYTES:
        return "party label too long"
    try:
        value = loads(label or "{}")
    except ValueError:  # Go's parser says where and why; only its prefix is kept here
        return "failed to unmarshal party label: the label must be a JSON object"
    kind = _GO_KINDS.get(type(value))
    if kind is not None:  # null is an empty map to Go
        return f"failed to unmarshal party label: json: cannot unmarshal {kind} {_INTO_MAP}"
    return None


@handler(rt.PartyCreate)
async def party_create(realtime: Realtime, peer: Peer, create: rt.PartyCreate) -> rt.Party:
    if not 0 <= create.max_size <= MAX_PARTY_SIZE:
        raise Refusal(_BAD, "Invalid party max size, must be 1-256")
    reason = _label(create.label, False)
    if reason is not None:
        raise Refusal(_BAD, f"Error creating party: {reason}")
    return realtime.parties.create(peer, create)


@handler(rt.PartyJoin)
async def party_join(realtime: Realtime, peer: Peer, join: rt.PartyJoin) -> None:
    prefix = "Error joining party"
    room = _room(realtime, join.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.join(peer, room))


@handler(rt.PartyLeave)
async def party_leave(realtime: Realtime, peer: Peer, leave: rt.PartyLeave) -> None:
    realtime.parties.leave(peer, _checked(leave.party_id))


@handler(rt.PartyClose)
async def party_close(realtime: Realtime, peer: Peer, close: rt.PartyClose) -> None:
    prefix = "Error closing party"
    room = _room(realtime, close.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.close(peer, room))


@handler(rt.PartyPromote)
async def party_promote(realtime: Realtime, peer: Peer, promote: rt.PartyPromote) -> None:
    presence, prefix = _presence(promote), "Error promoting new party leader"
    room = _room(realtime, promote.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.promote(peer, room, presence))


@handler(rt.PartyAccept)
async def party_accept(realtime: Realtime, peer: Peer, accept: rt.PartyAccept) -> None:
    presence, prefix = _presence(accept), "Error accepting party join request"
    room = _room(realtime, accept.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.accept(peer, room, presence))


@handler(rt.PartyRemove)
async def party_remove(realtime: Realtime, peer: Peer, remove: rt.PartyRemove) -> None:
    presence, prefix = _presence(remove), "Error removing party member or join request"
    room = _room(realtime, remove.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.remove(peer, room, presence))


@handler(rt.PartyJoinRequestList)
async def party_join_requests(realtime: Realtime, peer: Peer, listing: rt.PartyJoinRequestList
                              ) -> rt.PartyJoinRequest:  # fmt: skip
    prefix = "Error listing party join requests"
    room = _room(realtime, listing.party_id, prefix)
    found: rt.PartyJoinRequest = _doing(prefix, lambda: realtime.parties.requests(peer, room))
    return found


@handler(rt.PartyUpdate)
async def party_update(realtime: Realtime, peer: Peer, update: rt.PartyUpdate) -> None:
    prefix = "Error updating party"
    room = _room(realtime, update.party_id, prefix)
    if room.leader is not peer:
        raise Refusal(_BAD, f"{prefix}: party leader only")
    reason = _label(update.label, update.hidden)
    if reason is not None:
        raise Refusal(_BAD, f"{prefix}: {reason}")
    realtime.parties.update(peer, room, update)


@handler(rt.PartyDataSend)
async def party_data_send(realtime: Realtime, peer: Peer, send: rt.PartyDataSend) -> None:
    prefix = "Error sending party data"
    room = _room(realtime, send.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.data(peer, room, send))


@handler(rt.PartyMatchmakerAdd)
async def party_matchmaker_add(realtime: Realtime, peer: Peer, add: rt.PartyMatchmakerAdd
                               ) -> rt.PartyMatchmakerTicket:  # fmt: skip
    check_counts(add)
    prefix = "Error adding party to matchmaker"
    room = _room(realtime, add.party_id, prefix)
    members: tuple[Peer, ...] = _doing(prefix, lambda: realtime.parties.leading(peer, room))
    query = ticket_query(add.query, prefix)
    if len(realtime.matchmaker.by_party.get(room.id, ())) >= MAX_TICKETS:
        raise Refusal(_BAD, f"{prefix}: too many matchmaker tickets")
    solo = rt.MatchmakerAdd(add.min_count, add.max_count, add.query, add.string_properties,
                            add.numeric_properties, add.count_multiple)  # fmt: skip
    ticket = realtime.matchmaker.add_party(peer, room.id, members, solo, query)
    reply = rt.PartyMatchmakerTicket(add.party_id, ticket.id)
    room.send(reply, skip=peer)  # the other members are told too
    asyncio.get_running_loop().call_soon(realtime.matchmaker.try_full, ticket)
    return reply


@handler(rt.PartyMatchmakerRemove)
async def party_matchmaker_remove(realtime: Realtime, peer: Peer,
                                  remove: rt.PartyMatchmakerRemove) -> None:  # fmt: skip
    if not remove.ticket:
        raise Refusal(_BAD, "Invalid matchmaker ticket")
    prefix = "Error closing party"  # sic: Nakama's text for this request
    room = _room(realtime, remove.party_id, prefix)
    _doing(prefix, lambda: realtime.parties.leading(peer, room))
    if remove.ticket not in realtime.matchmaker.by_party.get(room.id, ()):
        raise Refusal(_BAD, f"{prefix}: matchmaker ticket not found")
    realtime.matchmaker.remove(remove.ticket)
