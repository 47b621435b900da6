"""Restoring parties (``realtime_held`` Rule 3) where no server can be made to do it on cue: an
open party whose ``party`` never comes after the join (it was closed while the socket was
away: the join became a request) is left once ``wait`` is over, and a link that drops while
waiting raises ``Disconnected`` rather than reporting the party left."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gameservices import Disconnected, RealtimeError
from gameservices._client.realtime_held import Held
from gameservices._protocol import realtime as rt

OPEN, CLOSED, GONE, SILENT = (f"{n}0000000-0000-0000-0000-000000000000.node" for n in "1234")


class _Link:
    """A link whose party_join replies at once, and pushes ``party`` for OPEN only."""

    def __init__(self, held: Held, *, end_when_silent: bool = False) -> None:
        self.held, self.end_when_silent = held, end_when_silent
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.joined: list[str] = []

    async def call(self, message: Any) -> rt.Envelope:
        assert isinstance(message, rt.PartyJoin)
        self.joined.append(message.party_id)
        if message.party_id == GONE:
            raise RealtimeError("Error joining party: party not found", code=3)
        loop = asyncio.get_running_loop()
        if message.party_id == OPEN:  # after the reply, as both servers push it
            loop.call_soon(self.held.party_came, rt.Party(OPEN, True, False, 2, None, None, ()))
        elif message.party_id == SILENT and self.end_when_silent:
            loop.call_soon(self.ended.set_result, "closed by the server")
        return rt.Envelope("1", "", None)


async def test_open_parties_are_waited_for_and_closed_ones_never() -> None:
    held = Held(parties={GONE: True, OPEN: True, CLOSED: False, SILENT: True})
    link = _Link(held)
    back = await held.restore(link, 1, 0)  # type: ignore[arg-type]  # only call and ended
    assert link.joined == [GONE, OPEN, CLOSED, SILENT]  # every party asked again, in order
    assert [p.party_id for p in back.parties] == [OPEN]
    assert back.parties_left == (GONE, CLOSED, SILENT)
    assert held.parties == {OPEN: True}


async def test_a_link_that_drops_while_waiting_raises() -> None:
    held = Held(parties={SILENT: True})
    link = _Link(held, end_when_silent=True)
    with pytest.raises(Disconnected, match="closed by the server"):
        await held.restore(link, 1, 3600)  # type: ignore[arg-type]  # only call and ended
    assert held.parties == {SILENT: True}  # still held: the next link tries again
