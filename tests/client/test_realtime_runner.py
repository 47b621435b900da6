"""Realtime events reach the game through the TickRunner: inside ``tick()``, on the game
thread, in arrival order, once each, only while their owner lives; in both runner modes.
Also ``poll()`` and the match data bound (the oldest undelivered is dropped)."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from gameservices import Client, RealtimeError, RealtimeOptions, TickRunner
from gameservices.realtime import MatchData
from gameservices.testing import tick_until
from gameservices.testing.threaded import ServerThread

N = 200


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread() as srv:
        yield srv


class Owner:
    def __init__(self) -> None:
        self.got: list[MatchData] = []
        self.threads: set[int] = set()

    def on_data(self, data: MatchData) -> None:
        self.got.append(data)
        self.threads.add(threading.get_ident())


async def _pair(url: str, options: RealtimeOptions) -> tuple[Any, Any, str]:
    a, b = Client(url), Client(url)
    await a.auth.device(f"gs-rt-{uuid.uuid4()}")
    await b.auth.device(f"gs-rt-{uuid.uuid4()}")
    ra, rb = await a.realtime(options).connect(), await b.realtime(options).connect()
    match = await ra.create_match()
    await rb.join_match(match.match_id)
    return ra, rb, match.match_id


async def _send(rt: Any, match_id: str, count: int) -> None:
    for i in range(count):
        await rt.send_match_data(match_id, 1, i.to_bytes(4, "big"))


async def _round_trip(rt: Any) -> None:
    """A reply on this socket comes after everything the server relayed from it before."""
    with contextlib.suppress(RealtimeError):
        await rt.rpc("gs_none")


@pytest.mark.parametrize("mode", ["thread", "inline"])
def test_events_arrive_in_tick_in_order_once_each(server: ServerThread, mode: str) -> None:
    with TickRunner(mode=mode) as runner:  # type: ignore[arg-type]  # the two literals
        pair = runner.submit(_pair(server.url, RealtimeOptions(heartbeat=None)))
        tick_until(runner, pair.done)
        ra, rb, match_id = pair.result()
        owner = Owner()
        ra.on("match_data", owner.on_data, owner=owner)
        runner.submit(_send(rb, match_id, N))
        tick_until(runner, lambda: len(owner.got) >= N)
        assert [int.from_bytes(d.data, "big") for d in owner.got] == list(range(N))
        assert owner.threads == {threading.get_ident()}  # the game thread, in tick()


def test_nothing_reaches_an_owner_that_is_gone(server: ServerThread) -> None:
    with TickRunner() as runner:
        pair = runner.submit(_pair(server.url, RealtimeOptions(heartbeat=None)))
        tick_until(runner, pair.done)
        ra, rb, match_id = pair.result()
        owner, keeper = Owner(), Owner()
        got = owner.got
        ra.on("match_data", owner.on_data, owner=owner)
        ra.on("match_data", keeper.on_data, owner=keeper)
        del owner  # the game object is destroyed: its bound method is held weakly
        runner.submit(_send(rb, match_id, 10))
        tick_until(runner, lambda: len(keeper.got) >= 10)
        assert got == []
        assert runner.stats.dropped >= 1


def test_poll_drains_in_order_and_bounds_match_data(server: ServerThread) -> None:
    options = RealtimeOptions(heartbeat=None, poll=True, max_match_data=5)
    with TickRunner() as runner:
        pair = runner.submit(_pair(server.url, options))
        tick_until(runner, pair.done)
        ra, rb, match_id = pair.result()
        ra.poll()  # what arrived while joining
        sent = runner.submit(_send(rb, match_id, 20))
        tick_until(runner, sent.done)
        for rt in (rb, ra):  # rb's frames were relayed, then ra's queue holds them all
            trip = runner.submit(_round_trip(rt))
            tick_until(runner, trip.done)
        data = [e.data for e in ra.poll() if e.kind == "match_data"]
        assert [int.from_bytes(d.data, "big") for d in data] == list(range(15, 20))
        assert ra.match_data_dropped == 15
        assert ra.poll() == []
