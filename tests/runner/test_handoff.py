"""How work reaches the loop and results reach the game, at the least cost to the game thread:
inline job admission, the thread loop's inbox, the lock-free wait, and the tuned socket reads."""

from __future__ import annotations

import asyncio
import selectors
import socket
import threading
from typing import Any

import pytest

from gameservices import TickRunner
from gameservices._runner import tuned_loop
from gameservices._runner.handles import DeliveryQueue, Handle, TaskEnd
from gameservices._runner.stats import Counters
from gameservices.testing import tick_until

from .conftest import WAIT


def test_inline_starts_a_burst_of_submits_over_several_iterations_within_the_budget() -> None:
    now = [0.0]
    started: list[int] = []

    async def costly_first_step(i: int) -> int:
        started.append(i)
        now[0] += 0.003  # like a connect() on a loaded machine: over the 2 ms budget
        return i

    with TickRunner(mode="inline", clock=lambda: now[0]) as runner:
        handles = [runner.submit(costly_first_step(i)) for i in range(5)]
        runner.tick()
        assert 0 < len(started) < 5  # the budget ended the tick between two first steps
        tick_until(runner, lambda: all(h.done() for h in handles))
        assert started == [0, 1, 2, 3, 4]  # in submission order
        assert [h.result() for h in handles] == [0, 1, 2, 3, 4]


def test_inline_submit_from_another_thread_runs_in_the_next_tick() -> None:
    with TickRunner(mode="inline") as runner:
        box: list[Handle[int]] = []

        async def seven() -> int:
            return 7

        worker = threading.Thread(target=lambda: box.append(runner.submit(seven())))
        worker.start()
        worker.join(WAIT)
        [handle] = box
        tick_until(runner, handle.done)
        assert handle.result() == 7


def test_thread_submits_to_a_busy_loop_need_no_wake_up(monkeypatch: pytest.MonkeyPatch) -> None:
    with TickRunner(mode="thread") as runner:
        inside, release = threading.Event(), threading.Event()
        wakes: list[object] = []
        loop = runner.loop
        real = loop.call_soon_threadsafe

        def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
            wakes.append(fn)
            return real(fn, *args, **kwargs)

        async def hog() -> None:
            inside.set()
            release.wait(WAIT)  # the loop thread is busy: not in select()

        async def value(i: int) -> int:
            return i

        runner.submit(hog())
        assert inside.wait(WAIT)
        monkeypatch.setattr(loop, "call_soon_threadsafe", counting)
        handles = [runner.submit(value(i)) for i in range(10)]
        assert wakes == []  # queued in the inbox: no self-pipe write, no GIL hand-off
        release.set()
        tick_until(runner, lambda: all(h.done() for h in handles))
        assert [h.result() for h in handles] == list(range(10))


def test_wait_returns_at_once_when_something_is_queued_and_wakes_on_a_push() -> None:
    queue = DeliveryQueue(Counters(), forget=lambda h: None)
    assert queue.wait(0) is False
    handle: Handle[int] = Handle("x")
    queue.push_outcome(handle, TaskEnd.DONE, 1)
    assert queue.wait(0) is True
    queue.clear()
    pusher = threading.Timer(0.0, lambda: queue.push_progress(handle, 1, 2))
    pusher.start()
    assert queue.wait(WAIT) is True
    pusher.join(WAIT)


@pytest.fixture
def big_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tuned_loop, "rmem_max", lambda: 64 << 20)


async def _connected_transport(loop: asyncio.AbstractEventLoop) -> tuple[Any, socket.socket]:
    ours, theirs = socket.socketpair()
    transport, _ = await loop.create_connection(asyncio.Protocol, sock=ours)
    return transport, theirs


def _with_transport(tuning: tuned_loop.ReadTuning) -> tuple[int, int]:
    """(recv size, SO_RCVBUF) of a socket transport made by a TunedLoop."""
    loop = tuned_loop.TunedLoop(selectors.DefaultSelector(), tuning)
    try:
        transport, theirs = loop.run_until_complete(_connected_transport(loop))
        sock = transport.get_extra_info("socket")
        got = transport.max_size, sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        transport.close()
        theirs.close()
        loop.run_until_complete(asyncio.sleep(0))
        return got
    finally:
        loop.close()


def test_tuned_loop_reads_in_big_chunks_and_asks_for_a_big_receive_buffer(big_cap: None) -> None:
    _, default_rcvbuf = _with_transport(tuned_loop.ReadTuning())
    wanted = 4 * default_rcvbuf
    size, rcvbuf = _with_transport(tuned_loop.ReadTuning(read_size=1 << 20, receive_buffer=wanted))
    assert size == 1 << 20
    assert rcvbuf > default_rcvbuf  # the kernel may cap or double it, but it grew


def test_tuned_loop_leaves_the_buffer_to_autotuning_under_a_small_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, default_rcvbuf = _with_transport(tuned_loop.ReadTuning())
    monkeypatch.setattr(tuned_loop, "rmem_max", lambda: tuned_loop.MIN_USEFUL_RCVBUF - 1)
    size, rcvbuf = _with_transport(tuned_loop.ReadTuning(read_size=None, receive_buffer=8 << 20))
    assert size == 256 * 1024  # asyncio's own
    assert rcvbuf == default_rcvbuf


def test_a_sleeping_thread_loop_is_woken_without_asyncios_self_pipe_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with TickRunner(mode="thread") as runner:
        loop = runner.loop
        assert isinstance(loop, tuned_loop.TunedLoop)
        wakes: list[object] = []
        monkeypatch.setattr(loop, "call_soon_threadsafe", lambda *a, **k: wakes.append(a))
        if tuned_loop.gil_holding_write() is not None:  # POSIX: the GIL-holding write
            monkeypatch.setattr(loop, "_write_to_self", lambda: wakes.append("self-pipe"))

        async def seven() -> int:
            return 7

        handle = runner.submit(seven())  # the loop thread sleeps in select() with nothing to do
        tick_until(runner, handle.done)
        assert handle.result() == 7
        assert wakes == []  # woken by TunedLoop.wake's own write, which keeps the GIL
        monkeypatch.undo()  # close() stops the loop through call_soon_threadsafe


def test_wake_makes_a_blocked_select_return() -> None:
    loop = tuned_loop.TunedLoop(selectors.DefaultSelector(), tuned_loop.ReadTuning())
    try:
        # Only the self-pipe is registered: select() returns only if wake() wrote its byte.
        selector = loop._selector  # type: ignore[attr-defined]  # the loop's own, for this check
        loop.wake()
        assert selector.select(WAIT), "the self-pipe byte was not written"
    finally:
        loop.close()
