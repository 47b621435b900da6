"""Parties on both servers, as Nakama 3.40 runs them: open and closed parties, join requests,
the leader's calls, party data, presence events and who is told what."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AbstractAsyncContextManager
from json import loads
from typing import Any

import pytest

from gameservices import PartyList, RealtimeError
from gameservices.realtime import Party, Presence

from . import sockets
from .support import Target

WAIT = 15.0
MATCHED_WAIT = 40.0  # Nakama's matchmaker runs every 15 s


class Member(sockets.Member):
    async def joined(self, party_id: str) -> Party:
        """The ``party`` a join (or an accept) sends, and the join event that follows it."""
        party: Party = await self.next("party", lambda p: p.party_id == party_id)
        await self.next("party_presence_event", lambda e: _ids(e.joins) == [self.id])
        return party


def members(target: Target, count: int) -> AbstractAsyncContextManager[list[Member]]:
    return sockets.members(target, count, Member)


def _ids(presences: tuple[Presence, ...]) -> list[str]:
    return [p.user_id for p in presences]


async def test_an_open_party_from_create_to_close(target: Target) -> None:
    async with members(target, 4) as (ada, bo, cy, dee):
        party = await ada.rt.create_party(True, 3, label={"mode": "duo"})
        assert party.party_id.count(".") == 1
        assert (party.open, party.max_size, party.label) == (True, 3, '{"mode":"duo"}')
        assert party.self == party.leader
        assert party.self is not None
        assert (party.self.user_id, _ids(party.presences)) == (ada.id, [ada.id])
        assert ada.rt.parties == {party.party_id}
        await bo.rt.join_party(party.party_id)
        seen = await bo.joined(party.party_id)
        assert (_ids(seen.presences), seen.leader.user_id, seen.self.user_id) == (
            [ada.id, bo.id], ada.id, bo.id
        )  # fmt: skip
        assert bo.rt.parties == {party.party_id}
        await ada.next("party_presence_event", lambda e: _ids(e.joins) == [bo.id])
        await cy.rt.join_party(party.party_id)
        await cy.joined(party.party_id)
        with pytest.raises(RealtimeError) as full:
            await dee.rt.join_party(party.party_id)
        assert (full.value.code, full.value.message) == (3, "Error joining party: party full")
        await bo.rt.send_party_data(party.party_id, 5, b"hey")
        for other in (ada, cy):
            data = await other.next("party_data")
            assert (data.op_code, data.data, data.presence.user_id) == (5, b"hey", bo.id)
        with pytest.raises(RealtimeError, match="party member not found"):
            await dee.rt.send_party_data(party.party_id, 5, b"not in it")
        await cy.rt.leave_party(party.party_id)
        assert cy.rt.parties == frozenset()
        left = await ada.next("party_presence_event", lambda e: bool(e.leaves))
        assert _ids(left.leaves) == [cy.id]
        with pytest.raises(RealtimeError, match="Error closing party: party leader only"):
            await bo.rt.close_party(party.party_id)
        await ada.rt.leave_party(party.party_id)  # the oldest member left leads
        leader = await bo.next("party_leader")
        assert leader.presence.user_id == bo.id
        left = await bo.next("party_presence_event", lambda e: bool(e.leaves))
        assert _ids(left.leaves) == [ada.id]
        await bo.rt.close_party(party.party_id)
        closed = await bo.next("party_close")
        assert closed.party_id == party.party_id
        with pytest.raises(RealtimeError, match="Error joining party: party not found"):
            await ada.rt.join_party(party.party_id)


async def test_a_closed_party_takes_join_requests(target: Target) -> None:
    async with members(target, 3) as (ada, bo, cy):
        party = await ada.rt.create_party(False, 4)
        assert not party.open
        pid = party.party_id
        await bo.rt.join_party(pid)
        request = await ada.next("party_join_request")
        assert (request.party_id, _ids(request.presences)) == (pid, [bo.id])
        with pytest.raises(RealtimeError, match="party join request duplicate"):
            await bo.rt.join_party(pid)
        await cy.rt.join_party(pid)
        await ada.next("party_join_request")
        pending = await ada.rt.list_party_join_requests(pid)
        assert _ids(pending) == [bo.id, cy.id]
        with pytest.raises(RealtimeError, match="Error listing party join requests: party leader"):
            await bo.rt.list_party_join_requests(pid)
        b_presence, c_presence = pending
        with pytest.raises(RealtimeError, match="Error accepting party join request: party leader"):
            await cy.rt.accept_party_member(pid, b_presence)
        await ada.rt.accept_party_member(pid, b_presence)
        seen = await bo.joined(pid)
        assert _ids(seen.presences) == [ada.id, bo.id]
        await ada.next("party_presence_event", lambda e: _ids(e.joins) == [bo.id])
        with pytest.raises(RealtimeError, match="party join request not found"):
            await ada.rt.accept_party_member(pid, b_presence)
        await ada.rt.remove_party_member(pid, c_presence)  # a request rejected: nobody is told
        assert await ada.rt.list_party_join_requests(pid) == ()
        with pytest.raises(RealtimeError, match="party cannot remove self"):
            await ada.rt.remove_party_member(pid, seen.leader)
        with pytest.raises(RealtimeError, match="party member not found"):
            await ada.rt.remove_party_member(pid, c_presence)
        await ada.rt.promote_party_member(pid, seen.self)
        for member in (ada, bo):
            leader = await member.next("party_leader")
            assert leader.presence.user_id == bo.id
        with pytest.raises(RealtimeError, match="Error promoting new party leader: party leader"):
            await ada.rt.promote_party_member(pid, seen.self)
        await bo.rt.remove_party_member(pid, seen.leader)  # ada, no longer the leader, goes
        removed = await ada.next("party_close")
        assert removed.party_id == pid
        left = await bo.next("party_presence_event", lambda e: bool(e.leaves))
        assert _ids(left.leaves) == [ada.id]
        assert ada.rt.parties == frozenset()


async def test_a_member_asks_to_join_its_closed_party_as_anyone(target: Target) -> None:
    """No membership check (what a reconnect meets before the server dropped its old socket):
    a member's other socket, the leader even, makes a request; a member's accept is a no-op."""
    async with members(target, 2) as (ada, bo):
        party = await ada.rt.create_party(False, 3)
        pid = party.party_id
        await ada.rt.join_party(pid)  # the leader, asking to join its own party
        request = await ada.next("party_join_request")
        assert request.presences == (party.self,)
        await ada.rt.accept_party_member(pid, party.self)
        assert await ada.rt.list_party_join_requests(pid) == ()
        await bo.rt.join_party(pid)
        await ada.next("party_join_request")
        [asked] = await ada.rt.list_party_join_requests(pid)
        await ada.rt.accept_party_member(pid, asked)  # the accept took no place
        seen = await bo.joined(pid)
        assert _ids(seen.presences) == [ada.id, bo.id]
        async with bo.player.client.realtime() as other:  # bo's second socket
            await other.join_party(pid)
            again = await ada.next("party_join_request")
            assert _ids(again.presences) == [bo.id]
            assert again.presences[0].session_id != seen.self.session_id
            with pytest.raises(RealtimeError, match="party join request duplicate"):
                await other.join_party(pid)


async def test_the_leader_updates_the_party(target: Target) -> None:
    async with members(target, 2) as (ada, bo):
        party = await ada.rt.create_party(False, 2)
        await ada.rt.update_party(party.party_id, open=True, label={"mode": "trio"})
        update = await ada.next("party_update")
        assert (update.open, update.label, update.hidden) == (True, '{"mode":"trio"}', False)
        await bo.rt.join_party(party.party_id)  # open now: no request
        seen = await bo.joined(party.party_id)
        assert seen.open
        with pytest.raises(RealtimeError, match="Error updating party: party leader only"):
            await bo.rt.update_party(party.party_id, open=False)
        with pytest.raises(RealtimeError, match="party is hidden and label is not empty"):
            await ada.rt.update_party(party.party_id, open=True, hidden=True, label={"a": 1})


async def test_a_leader_that_disconnects_hands_the_party_on(target: Target) -> None:
    async with members(target, 3) as (ada, bo, cy):
        party = await ada.rt.create_party(True, 3)
        for member in (bo, cy):
            await member.rt.join_party(party.party_id)
            await member.joined(party.party_id)
        await ada.rt.close()
        for member in (bo, cy):
            leader = await member.next("party_leader")
            assert leader.presence.user_id == bo.id  # the oldest member left
            left = await member.next("party_presence_event", lambda e: bool(e.leaves))
            assert _ids(left.leaves) == [ada.id]
        await bo.rt.send_party_data(party.party_id, 0, b"")
        data = await cy.next("party_data")
        assert (data.op_code, data.data) == (0, b"")


async def test_bad_arguments_are_refused_before_sending(target: Target) -> None:
    async with members(target, 1) as (ada,):
        for size in (0, 257):
            with pytest.raises(ValueError, match="max_size"):
                await ada.rt.create_party(True, size)
        with pytest.raises(ValueError, match="at most 2048 bytes"):
            await ada.rt.create_party(True, 2, label={"x": "y" * 2048})
        with pytest.raises(ValueError, match="not a party id"):
            await ada.rt.join_party("no-dot")
        assert (await ada.rt.create_party(True, 2)).max_size == 2  # still fine


async def _listed(member: Member, want: int, **query: Any) -> PartyList:
    """``client.parties.list(...)`` once it shows ``want`` parties: Nakama indexes parties in
    batches, so a new one shows up a moment later (retried, bounded by WAIT, never slept)."""

    async def poll() -> PartyList:
        while True:
            found = await member.player.client.parties.list(**query)
            if len(found.parties) >= want:
                return found

    return await asyncio.wait_for(poll(), WAIT)


async def test_parties_are_listed_by_label_and_open(target: Target) -> None:
    async with members(target, 1) as (ada,):
        tag = f"gs{uuid.uuid4().hex[:10]}"
        made = [
            await ada.rt.create_party(True, 4, label={"tag": tag, "n": 1}),
            await ada.rt.create_party(False, 4, label={"tag": tag, "n": 2}),
            await ada.rt.create_party(True, 4, label={"tag": tag, "n": 3}),
        ]
        await ada.rt.create_party(True, 4, hidden=True)  # never listed
        query = f"+label.tag:{tag}"
        listed = await _listed(ada, 3, query=query, limit=10)
        by_id = {p.party_id: p for p in listed.parties}
        assert set(by_id) == {p.party_id for p in made}
        first = by_id[made[0].party_id]
        assert (first.open, first.max_size, first.hidden) == (True, 4, False)
        assert loads(first.label) == {"tag": tag, "n": 1}
        opened = await ada.player.client.parties.list(query=query, open=True, limit=10)
        assert {p.party_id for p in opened.parties} == {made[0].party_id, made[2].party_id}
        closed = await ada.player.client.parties.list(query=query, open=False, limit=10)
        assert [p.party_id for p in closed.parties] == [made[1].party_id]
        some = await ada.player.client.parties.list(query=f"{query} +label.n:>=2", limit=10)
        assert {p.party_id for p in some.parties} == {made[1].party_id, made[2].party_id}
        page = await ada.player.client.parties.list(query=query, limit=2)
        assert len(page.parties) == 2
        assert page.cursor
        rest = await ada.player.client.parties.list(query=query, limit=2, cursor=page.cursor)
        assert {p.party_id for p in (*page.parties, *rest.parties)} == set(by_id)


async def test_a_party_is_matched_as_one_ticket(target: Target) -> None:
    async with members(target, 4) as (ada, bo, cy, dee):
        party = await ada.rt.create_party(True, 4)
        pid = party.party_id
        await bo.rt.join_party(pid)
        await bo.joined(pid)
        mode = f"gs{uuid.uuid4().hex[:10]}"
        query, props = f"+properties.mode:{mode}", {"mode": mode}
        with pytest.raises(RealtimeError, match="Error adding party to matchmaker: party leader"):
            await bo.rt.add_party_matchmaker(pid, query, 3, 3, string_properties=props)
        with pytest.raises(RealtimeError, match="Invalid count multiple for minimum count"):
            await ada.rt.add_party_matchmaker(pid, query, 3, 4, count_multiple=2)
        stale = await ada.rt.add_party_matchmaker(pid, query, 3, 3, string_properties=props)
        told = await bo.next("party_matchmaker_ticket")
        assert (told.party_id, told.ticket) == (pid, stale)
        await cy.rt.join_party(pid)  # the members changed: the party's tickets are gone
        await cy.joined(pid)
        with pytest.raises(RealtimeError, match="Error closing party: matchmaker ticket not"):
            await ada.rt.remove_party_matchmaker(pid, stale)
        await cy.rt.leave_party(pid)
        ticket = await ada.rt.add_party_matchmaker(pid, query, 3, 3, string_properties=props)
        solo = await dee.rt.add_matchmaker(query, 3, 3, string_properties=props)
        matched = {}
        for member in (ada, bo, dee):
            matched[member.id] = await member.next("matchmaker_matched", wait=MATCHED_WAIT)
        assert matched[ada.id].ticket == matched[bo.id].ticket == ticket
        assert matched[dee.id].ticket == solo
        assert len({m.token for m in matched.values()}) == 1
        users = {u.presence.user_id: u.party_id for u in matched[dee.id].users}
        assert users == {ada.id: pid, bo.id: pid, dee.id: ""}
        assert matched[bo.id].self.party_id == pid
