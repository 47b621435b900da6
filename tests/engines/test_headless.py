"""run_headless: a fixed-step loop with an injectable clock, so nothing waits."""

from __future__ import annotations

import pytest

from gameservices import TickRunner
from gameservices.engines.headless import run_headless


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_runs_frames_at_the_fixed_step_and_ticks_each() -> None:
    t = FakeTime()
    frames: list[int] = []

    def work(n: int) -> None:
        frames.append(n)
        t.now += 0.004  # 4 ms of game work

    with TickRunner() as runner:
        result = run_headless(runner, 50, frames=5, on_frame=work, clock=t.clock, sleep=t.sleep)
        assert runner.stats.ticks == 5
    assert frames == [0, 1, 2, 3, 4]
    assert result.frames == 5
    assert result.missed == 0
    assert t.slept == pytest.approx([0.016] * 4)


def test_counts_missed_frames_and_stops_on_until() -> None:
    t = FakeTime()

    def slow(n: int) -> None:
        t.now += 0.05 if n == 1 else 0.001  # frame 1 hitches for 50 ms

    with TickRunner() as runner:
        result = run_headless(
            runner, 100, until=lambda: t.now >= 0.1, on_frame=slow, clock=t.clock, sleep=t.sleep
        )
    assert result.missed >= 1
    assert result.elapsed >= 0.1


def test_needs_an_end() -> None:
    with TickRunner() as runner, pytest.raises(ValueError, match="frames"):
        run_headless(runner, 60)
