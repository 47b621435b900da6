"""How work reaches the loop and results reach the game, at the least cost to the game thread:
inline job admission, the thread loop's inbox, and the lock-free wait."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from gameservices import TickRunner
from gameservices._runner.handles import DeliveryQueue, Handle, Outcome
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
    queue.push_outcome(handle, Outcome.DONE, 1)
    assert queue.wait(0) is True
    queue.clear()
    pusher = threading.Timer(0.0, lambda: queue.push_progress(handle, 1, 2))
    pusher.start()
    assert queue.wait(WAIT) is True
    pusher.join(WAIT)
