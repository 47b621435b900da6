"""The slow-tick recorder: ticks over twice the budget, with their CPU, GC and what ran in them.

Every test drives the runner with fake clocks (wall and CPU), so no test depends on how fast or
loaded the machine is.
"""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from gameservices import SlowTick, TickRunner
from gameservices.testing import tick_until

BUDGET = 0.001


class Clocks:
    """A wall clock and a CPU clock that only the test's code advances."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def spend(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu

    def runner(self, mode: str = "inline") -> TickRunner:
        return TickRunner(
            mode=mode,  # type: ignore[arg-type]  # the test passes both literals
            budget=BUDGET,
            clock=lambda: self.wall,
            cpu_clock=lambda: self.cpu,
        )


def _record(**changes: object) -> SlowTick:
    fields: dict[str, object] = {
        "tick": 0, "wall": 0.01, "cpu": 0.01, "gc": 0.0, "gc_generations": (), "iterations": 1,
        "poll": 0.0, "io_events": 0, "slowest_iteration": 0.0, "ran": (), "drain": 0.0,
        "slowest_callback": "",
    }  # fmt: skip
    fields.update(changes)
    return SlowTick(**fields)  # type: ignore[arg-type]  # the test builds valid fields


def test_cause_tells_gc_from_the_os_from_code() -> None:
    assert _record(cpu=0.01).cause == "code"
    assert _record(cpu=0.001).cause == "os"
    assert _record(cpu=0.01, gc=0.006).cause == "gc"


def test_a_tick_that_blocks_is_recorded_with_what_ran_and_its_cpu_time() -> None:
    clocks = Clocks()

    async def crunch() -> str:
        clocks.spend(wall=0.005, cpu=0.005)  # 5x the budget, all of it on the CPU
        return "done"

    with clocks.runner() as runner:
        handle = runner.submit(crunch())
        tick_until(runner, handle.done)
        assert runner.stats.slow_ticks == 1
        [rec] = runner.slow_ticks
        assert rec.wall == pytest.approx(0.005)
        assert rec.cpu == pytest.approx(0.005)
        assert rec.cause == "code"
        assert rec.ran == ("test_a_tick_that_blocks_is_recorded_with_what_ran_and_its_cpu_time."
                           "<locals>.crunch",)  # fmt: skip
        assert rec.slowest_iteration == pytest.approx(0.005)
        assert rec.iterations >= 1


def test_a_tick_the_os_took_is_recorded_with_little_cpu() -> None:
    clocks = Clocks()

    async def preempted() -> None:
        clocks.spend(wall=0.004, cpu=0.0001)  # the thread did not run for most of the tick

    with clocks.runner() as runner:
        handle = runner.submit(preempted())
        tick_until(runner, handle.done)
        [rec] = runner.slow_ticks
        assert rec.cause == "os"
        assert rec.cpu == pytest.approx(0.0001)


def test_fast_ticks_are_not_recorded() -> None:
    clocks = Clocks()

    async def quick() -> None:
        clocks.spend(wall=BUDGET, cpu=BUDGET)  # within twice the budget

    with clocks.runner() as runner:
        handle = runner.submit(quick())
        tick_until(runner, handle.done)
        for _ in range(3):
            runner.tick()
        assert runner.stats.slow_ticks == 0
        assert runner.slow_ticks == ()


def test_a_collection_during_a_tick_is_recorded_with_its_generation() -> None:
    clocks = Clocks()

    async def collects() -> None:
        clocks.spend(wall=0.005, cpu=0.005)
        gc.collect()  # stands for a collection our allocations triggered

    with clocks.runner() as runner:
        handle = runner.submit(collects())
        tick_until(runner, handle.done)
        [rec] = runner.slow_ticks
        assert 2 in rec.gc_generations
        assert rec.gc > 0


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_the_slowest_game_callback_is_named(mode: str) -> None:
    clocks = Clocks()

    def show(_: object) -> None:
        clocks.spend(wall=0.003, cpu=0.003)  # a game callback that takes 3 budgets

    with clocks.runner(mode) as runner:
        handle = runner.submit(asyncio.sleep(0), on_done=show)
        tick_until(runner, handle.done)
        [rec] = runner.slow_ticks
        assert rec.slowest_callback.endswith("show")
        assert rec.drain == pytest.approx(0.003)


def test_slow_ticks_are_logged_at_debug_level(caplog: pytest.LogCaptureFixture) -> None:
    clocks = Clocks()

    async def crunch() -> None:
        clocks.spend(wall=0.005, cpu=0.001)

    with clocks.runner() as runner, caplog.at_level(logging.DEBUG, "gameservices"):
        handle = runner.submit(crunch())
        tick_until(runner, handle.done)
    [line] = [r for r in caplog.records if r.getMessage().startswith("slow tick")]
    assert line.levelno == logging.DEBUG
    assert "cause: os" in line.getMessage()
    assert "crunch" in line.getMessage()


def test_close_removes_the_gc_hook() -> None:
    before = len(gc.callbacks)
    runner = TickRunner(mode="inline")
    assert len(gc.callbacks) == before + 1
    runner.close()
    assert len(gc.callbacks) == before


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_an_idle_tick_never_reads_the_cpu_clock(mode: str) -> None:
    # time.thread_time() is a syscall, as dear at tick time as the rest of an idle tick.
    reads: list[None] = []

    def cpu_clock() -> float:
        reads.append(None)
        return 0.0

    with TickRunner(mode=mode, cpu_clock=cpu_clock) as runner:  # type: ignore[arg-type]  # both
        handle = runner.submit(asyncio.sleep(0))
        tick_until(runner, handle.done)
        assert reads, "a tick that worked read the CPU clock"
        reads.clear()
        for _ in range(5):
            runner.tick()
        assert reads == []


def test_a_slow_idle_tick_is_recorded_as_the_os() -> None:
    now = [0.0]

    def clock() -> float:  # each read 5 ms later: the poll of an idle tick was held up
        now[0] += 0.005
        return now[0]

    with TickRunner(mode="inline", budget=BUDGET, clock=clock, cpu_clock=lambda: 1.0) as runner:
        runner.tick()
        [rec] = runner.slow_ticks
    assert rec.iterations == 1
    assert rec.cpu == 0.0
    assert rec.cause == "os"
