"""A dropped connection and the parties it was in, on both servers, as Nakama 3.40 runs them:
the server drops the old presence at once (the others see its leave, and a new leader if it
led), and the reconnect joins each party again. An open one takes it back (the leader stays
who it passed to); one it was the last member of is gone, a full one refuses, a closed one
takes a join request its leader answers later: those are ``parties_left``. Each drop waits
for the others to see the leave before letting the socket back, so the server has dropped
the old presence first (no race with the rejoin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gameservices import RealtimeError
from gameservices.realtime import Presence

from . import sockets
from .support import Target
from .test_realtime_parties import Member


def _ids(presences: tuple[Presence, ...]) -> list[str]:
    return [p.user_id for p in presences]


def _leaves(user_id: str) -> Callable[[Any], bool]:
    return lambda event: _ids(event.leaves) == [user_id]


async def test_a_dropped_member_is_back_in_its_open_party(target: Target) -> None:
    async with (
        sockets.members(target, 1, Member) as (ada,),
        sockets.proxied(target, Member) as (proxy, bo),
    ):
        party = await ada.rt.create_party(True, 2)
        pid = party.party_id
        await bo.rt.join_party(pid)
        before = await bo.joined(pid)
        proxy.pause()
        proxy.cut()
        assert (await bo.next("disconnected")).reconnecting
        await ada.next("party_presence_event", _leaves(bo.id))  # dropped at once
        proxy.resume()
        back = await bo.next("reconnected")
        assert (len(back.parties), back.parties_left) == (1, ())
        [again] = back.parties
        assert again.party_id == pid
        assert again.self.user_id == bo.id
        assert again.self.session_id != before.self.session_id  # a new presence
        assert (_ids(again.presences), again.leader.user_id) == ([ada.id, bo.id], ada.id)
        assert bo.rt.parties == {pid}
        joined = await ada.next("party_presence_event", lambda e: bool(e.joins))
        assert joined.joins == (again.self,)
        await bo.rt.send_party_data(pid, 4, b"back")
        data = await ada.next("party_data")
        assert (data.op_code, data.data, data.presence) == (4, b"back", again.self)


async def test_a_dropped_leader_is_back_as_a_member(target: Target) -> None:
    async with (
        sockets.members(target, 1, Member) as (ada,),
        sockets.proxied(target, Member) as (proxy, bo),
    ):
        party = await bo.rt.create_party(True, 3)
        pid = party.party_id
        await ada.rt.join_party(pid)
        await ada.joined(pid)
        proxy.pause()
        proxy.cut()
        await bo.next("disconnected")
        leader = await ada.next("party_leader")
        assert leader.presence.user_id == ada.id  # the oldest member left leads
        await ada.next("party_presence_event", _leaves(bo.id))
        proxy.resume()
        back = await bo.next("reconnected")
        [again] = back.parties
        assert (again.leader.user_id, _ids(again.presences)) == (ada.id, [ada.id, bo.id])
        with pytest.raises(RealtimeError, match="Error closing party: party leader only"):
            await bo.rt.close_party(pid)  # the role is not given back
        assert bo.rt.parties == {pid}


async def test_gone_full_and_closed_parties_are_left(target: Target) -> None:
    async with (
        sockets.members(target, 2, Member) as (ada, cy),
        sockets.proxied(target, Member) as (proxy, bo),
    ):
        alone = (await bo.rt.create_party(True, 2)).party_id  # bo its only member: gone
        full = (await ada.rt.create_party(True, 2)).party_id
        await bo.rt.join_party(full)
        await bo.joined(full)
        closed = (await ada.rt.create_party(False, 3)).party_id
        await bo.rt.join_party(closed)
        request = await ada.next("party_join_request")
        await ada.rt.accept_party_member(closed, request.presences[0])
        await bo.joined(closed)
        assert bo.rt.parties == {alone, full, closed}
        proxy.pause()
        proxy.cut()
        await bo.next("disconnected")
        seen = set()
        while seen != {full, closed}:  # in any order
            left = await ada.next("party_presence_event", _leaves(bo.id))
            seen.add(left.party_id)
        await cy.rt.join_party(full)  # takes bo's place
        await cy.joined(full)
        proxy.resume()
        back = await bo.next("reconnected")
        assert (back.parties, back.parties_left) == ((), (alone, full, closed))
        assert bo.rt.parties == frozenset()
        with pytest.raises(RealtimeError, match="Error joining party: party not found"):
            await bo.rt.join_party(alone)
        asked = await ada.next("party_join_request")  # the reconnect's, still pending
        assert (asked.party_id, _ids(asked.presences)) == (closed, [bo.id])
        await ada.rt.accept_party_member(closed, asked.presences[0])
        accepted = await bo.joined(closed)
        assert _ids(accepted.presences) == [ada.id, bo.id]
        assert bo.rt.parties == {closed}
