"""The reference server's matchmaker stats are live: a ticket counts the moment it is made, a
match moves its tickets to the completions (by the server's clock, here a fake one), and a
ticket removed stops counting. (Nakama answers a snapshot taken at its last matchmaker interval,
15 s by default, so the both-server suite checks only the shape.)"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from gameservices import Client, MatchmakerStats
from gameservices.testing import ReferenceServer

from .realtime_support import FAST_RETRY, FakeClock, next_event

START = 1_800_000_000


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


async def test_stats_follow_tickets_and_matches() -> None:
    clock = FakeClock(START)
    async with (
        ReferenceServer(clock=clock) as server,
        Client(server.url, retry=FAST_RETRY) as a,
        Client(server.url, retry=FAST_RETRY) as b,
    ):
        for client in (a, b):
            await client.auth.device(f"gs-mm-{uuid.uuid4()}")
        assert await a.matches.matchmaker_stats() == MatchmakerStats()  # no socket yet
        async with a.realtime() as ra, b.realtime() as rb:
            matched = ra.events("matchmaker_matched")
            duel = {"string_properties": {"mode": "duel"}}
            lone = await ra.add_matchmaker("+properties.mode:solo", 2, 2)
            clock.now += 5
            await ra.add_matchmaker("+properties.mode:duel", 2, 2, **duel)
            stats = await b.matches.matchmaker_stats()
            assert stats.ticket_count == 2
            assert stats.oldest_ticket_create_time == _at(START)
            assert stats.completions == ()
            clock.now += 7
            await rb.add_matchmaker("+properties.mode:duel", 2, 2, **duel)
            await next_event(matched, "matchmaker_matched")
            stats = await b.matches.matchmaker_stats()
            assert stats.ticket_count == 1  # the lone one waits on
            assert sorted((c.create_time, c.complete_time) for c in stats.completions) == [
                (_at(START + 5), _at(START + 12)),
                (_at(START + 12), _at(START + 12)),
            ]
            await ra.remove_matchmaker(lone)
            stats = await a.matches.matchmaker_stats()
            assert (stats.ticket_count, stats.oldest_ticket_create_time) == (0, None)
            assert len(stats.completions) == 2
