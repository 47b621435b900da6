"""Matches and the matchmaker over the reference server's socket.

Rule 1: matches are relayed (the server keeps no match state but who is in it): a created
        match has a random id ``{uuid}.`` (or, with a ``name``, the same id for the same name,
        as Nakama's); it lives while it has members. A matchmaker token joins (creating) the
        match it names.
Rule 2: ``match_data_send`` from a member goes to every other member (or to the listed
        presences); from anyone else it is dropped; a bad match id is refused with an error
        that carries no ``cid`` (as Nakama's).
Rule 3: matchmaker tickets are judged by ``_protocol.matchmaker_query``; counts as Nakama's
        (2 <= min_count <= max_count, a ``count_multiple`` dividing both; at most
        ``MAX_TICKETS`` a session).
"""

from __future__ import annotations

import asyncio
import uuid

from .._protocol import realtime as rt
from .._protocol.matchmaker_query import Query, parse
from .._protocol.realtime import ErrorCode
from .._protocol.uuids import canonical_uuid
from .realtime_context import Realtime, Refusal, handler
from .realtime_hub import Peer
from .realtime_matchmaker import MAX_TICKETS, count_error

__all__ = ["check_counts", "ticket_query"]

_BAD = ErrorCode.BAD_INPUT
_NAMED = uuid.UUID("5b9c3f1e-8f2a-4d0e-9a63-7f1c2d4b6e80")  # namespace of named matches


def _match_id(raw: str) -> str:
    head, dot, node = raw.partition(".")
    found = canonical_uuid(head, nil=True)
    return f"{found}{dot}{node}" if dot and found else ""


@handler(rt.MatchCreate)
async def match_create(realtime: Realtime, peer: Peer, create: rt.MatchCreate) -> rt.Match:
    key = uuid.uuid5(_NAMED, create.name) if create.name else uuid.uuid4()
    match = realtime.hub.join_match(peer, f"{key}.", create=True)
    assert match is not None
    return match


@handler(rt.MatchJoin)
async def match_join(realtime: Realtime, peer: Peer, join: rt.MatchJoin) -> rt.Match:
    if join.token:
        match_id = realtime.matchmaker.match_of(join.token)
        if match_id is None:
            raise Refusal(_BAD, "Invalid match token")
        match = realtime.hub.join_match(peer, match_id, create=True)
    elif not join.match_id:
        raise Refusal(_BAD, "No match ID or token found")
    else:
        match_id = _match_id(join.match_id)
        if not match_id:
            raise Refusal(_BAD, "Invalid match ID")
        match = realtime.hub.join_match(peer, match_id, create=False)
    if match is None:
        raise Refusal(ErrorCode.MATCH_NOT_FOUND, "Match not found")
    return match


@handler(rt.MatchLeave)
async def match_leave(realtime: Realtime, peer: Peer, leave: rt.MatchLeave) -> None:
    match_id = _match_id(leave.match_id)
    if not match_id:
        raise Refusal(_BAD, "Invalid match ID")
    realtime.hub.leave_match(peer, match_id)


@handler(rt.MatchDataSend)
async def match_data_send(realtime: Realtime, peer: Peer, send: rt.MatchDataSend) -> None:
    match_id = _match_id(send.match_id)
    if not match_id:
        raise Refusal(_BAD, "Invalid match ID")
    match = realtime.hub.matches.get(match_id)
    if match is None or peer.session_id not in match.members:
        return  # Rule 2: dropped, as Nakama drops it
    data = rt.MatchData(match_id, peer.presence(), send.op_code, send.data, send.reliable)
    only = {p.session_id for p in send.presences} if send.presences else None
    realtime.hub.to_match(match, data, skip=peer, only=only)


def check_counts(add: rt.MatchmakerAdd | rt.PartyMatchmakerAdd) -> None:
    """Refuse a ticket's counts as Nakama does (code 3: its checks, order and messages)."""
    problem = count_error(add.min_count, add.max_count, add.count_multiple)
    if problem is not None:
        raise Refusal(_BAD, problem)


def ticket_query(text: str, prefix: str = "") -> Query:
    """A ticket's query ("" is "*"), or a refusal with the parser's reason after ``prefix``."""
    try:
        return parse(text or "*")
    except ValueError as exc:
        raise Refusal(_BAD, f"{prefix}: {exc}" if prefix else str(exc)) from None


@handler(rt.MatchmakerAdd)
async def matchmaker_add(realtime: Realtime, peer: Peer, add: rt.MatchmakerAdd
                         ) -> rt.MatchmakerTicket:  # fmt: skip
    check_counts(add)
    query = ticket_query(add.query)
    if len(peer.tickets) >= MAX_TICKETS:
        raise Refusal(_BAD, "Too many matchmaker tickets")
    ticket = realtime.matchmaker.add(peer, add, query)
    # after this reply is queued: the ticket comes before its matched event, as on Nakama
    asyncio.get_running_loop().call_soon(realtime.matchmaker.try_full, ticket)
    return rt.MatchmakerTicket(ticket.id)


@handler(rt.MatchmakerRemove)
async def matchmaker_remove(realtime: Realtime, peer: Peer, remove: rt.MatchmakerRemove) -> None:
    if not remove.ticket:
        raise Refusal(_BAD, "Invalid matchmaker ticket")
    if remove.ticket not in peer.tickets:
        raise Refusal(_BAD, "Matchmaker ticket not found")
    realtime.matchmaker.remove(remove.ticket)
