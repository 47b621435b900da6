"""Inline mode: zero-timeout polling, idle ticks, the budget and overrun reports."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from gameservices import TickRunner
from gameservices._runner import inline
from gameservices._runner.runner import DEFAULT_BUDGET
from gameservices._runner.stats import Counters

from .conftest import SpySelector, frozen_clock


def test_idle_tick_is_one_zero_timeout_poll(spy: SpySelector) -> None:
    with TickRunner(mode="inline", clock=frozen_clock) as runner:  # setup ticks run until idle

        async def far_future() -> None:
            await asyncio.sleep(3600)  # a pending timer: asyncio alone would select(3600)

        runner.submit(far_future())
        for _ in range(3):
            runner.tick()  # start the task and drain the wake-up byte
        spy.timeouts.clear()
        before = runner.stats.iterations
        runner.tick()
        assert spy.timeouts == [0]
        assert runner.stats.iterations == before + 1


def test_busy_loop_gets_many_iterations_per_tick(spy: SpySelector) -> None:
    readings = itertools.count()

    def clock() -> float:  # 10 us per reading: however loaded the machine, 50 steps fit the budget
        return next(readings) * 10e-6

    with TickRunner(mode="inline", budget=DEFAULT_BUDGET, clock=clock) as runner:

        async def spin() -> int:
            for _ in range(50):
                await asyncio.sleep(0)
            return 50

        handle = runner.submit(spin())
        runner.tick()
        assert handle.done()
        assert handle.result() == 50
        assert set(spy.timeouts) == {0}
        assert runner.stats.iterations >= 50


def test_tick_ends_when_the_budget_is_spent() -> None:
    ticks = itertools.count()
    stepper = inline.InlineStepper(Counters(), clock=lambda: next(ticks) * 0.001)
    steps: list[int] = []

    async def spin() -> None:
        for i in range(1000):
            steps.append(i)
            await asyncio.sleep(0)

    task = stepper.loop.create_task(spin())
    stepper.step(0.004, stepper.selector.clock())  # the fake clock: +1 ms per reading
    first = len(steps)
    assert 0 < first < 10
    stepper.step(0.004, stepper.selector.clock())
    assert first < len(steps) < 2 * first + 2
    task.cancel()
    stepper.step(1.0, stepper.selector.clock())
    assert task.cancelled()
    stepper.close(1.0)


def test_overrun_is_counted_each_time_and_logged_once_per_culprit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]  # a fake clock that only the blocker advances: no other iteration can overrun

    async def blocker() -> None:
        now[0] += 0.005  # a step that blocks for 5x the budget

    with (
        TickRunner(mode="inline", budget=0.001, clock=lambda: now[0]) as runner,
        caplog.at_level(logging.WARNING, "gameservices"),
    ):
        for _ in range(2):
            handle = runner.submit(blocker())
            while not handle.done():
                runner.tick()
        assert runner.stats.overruns == 2
        logged = [r.getMessage() for r in caplog.records if "over the" in r.getMessage()]
        assert len([m for m in logged if "blocker" in m]) == 1


def test_an_overrunning_plain_callback_is_logged_once_whatever_its_arguments(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]

    def block(ms: int) -> None:
        now[0] += ms / 1000  # a callback that blocks; its repr differs with its argument

    with (
        TickRunner(mode="inline", budget=0.001, clock=lambda: now[0]) as runner,
        caplog.at_level(logging.WARNING, "gameservices"),
    ):
        for ms in (5, 6):
            runner.loop.call_soon(block, ms)
            runner.tick()
        assert runner.stats.overruns == 2
        logged = [r.getMessage() for r in caplog.records if "over the" in r.getMessage()]
        assert len(logged) == 1
        assert "block" in logged[0]


def test_tick_from_inside_a_coroutine_is_a_usage_error() -> None:
    with TickRunner(mode="inline") as runner:
        errors: list[BaseException] = []

        async def reenter() -> None:
            try:
                runner.tick()
            except Exception as exc:
                errors.append(exc)

        handle = runner.submit(reenter())
        while not handle.done():
            runner.tick()
        assert len(errors) == 1
        assert "inside a coroutine" in str(errors[0])


def test_idle_fast_path_still_sees_ready_callbacks_and_due_timers() -> None:
    loop = asyncio.new_event_loop()
    try:
        assert not inline._has_work(loop)
        later = loop.call_at(loop.time() + 3600, lambda: None)
        assert not inline._has_work(loop)  # a timer that is not due yet is no work
        due = loop.call_at(loop.time() - 1, lambda: None)
        assert inline._has_work(loop)
        due.cancel()
        later.cancel()
        loop.call_soon(lambda: None)
        assert inline._has_work(loop)
    finally:
        loop.close()


def test_a_due_timer_runs_on_the_next_tick(spy: SpySelector) -> None:
    with TickRunner(mode="inline") as runner:
        fired: list[bool] = []
        runner.submit(asyncio.sleep(0))  # a started loop, then only a timer is pending
        runner.tick()
        runner.loop.call_at(runner.loop.time() - 1, lambda: fired.append(True))
        runner.tick()
        assert fired == [True]


def test_a_result_is_delivered_in_the_tick_whose_budget_ran_out_as_it_finished() -> None:
    now = [0.0]
    got: list[int] = []

    async def work() -> int:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[int] = loop.create_future()

        def arrive() -> None:  # stands for the read that brought the answer: it spent the budget
            now[0] += 0.003
            answer.set_result(42)

        loop.call_soon(arrive)
        return await answer

    with TickRunner(mode="inline", budget=0.002, clock=lambda: now[0]) as runner:
        runner.submit(work(), on_done=got.append)
        runner.tick()
        # The budget ended with the task's last step still to run; that step ran (the ready
        # callbacks of a spent tick do) and queued the result itself, for this tick's delivery.
        assert got == [42]
