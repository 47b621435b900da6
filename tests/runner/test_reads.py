"""Inline mode's socket reads: what they cost (``ReadMeter``), how the stepper uses that to fit
reads in a tick, the transport that reports them, and the poll a busy tick no longer repeats.
Every clock here is a fake one that only the simulated reads advance."""

from __future__ import annotations

import asyncio
import selectors
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from gameservices import TickRunner
from gameservices._runner import read_meter, tuned_loop
from gameservices._runner.inline import InlineStepper
from gameservices._runner.read_meter import MIN_SAMPLE, ReadMeter
from gameservices._runner.stats import Counters

from .conftest import SpySelector, frozen_clock

MIB = 1 << 20


class FakeTime:
    """One fake clock, for wall and CPU time alike; ``cpu_only`` advances the CPU clock alone
    (and ``wall_only`` the wall clock alone: the OS took the CPU)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def clock(self) -> float:
        return self.wall

    def cpu_clock(self) -> float:
        return self.cpu

    def spend(self, seconds: float) -> None:
        self.wall += seconds
        self.cpu += seconds

    def wall_only(self, seconds: float) -> None:
        self.wall += seconds


def _read(meter: ReadMeter, time: FakeTime, nbytes: int, cpu: float, wall: float = 0.0) -> None:
    meter.read_began()
    time.cpu += cpu
    time.wall += max(wall, cpu)
    meter.read_done(nbytes)


def test_meter_keeps_a_ticks_cold_first_read_apart_from_the_later_ones() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    for _ in range(3):
        meter.begin()
        assert meter.next_read() == 0.0  # nothing read yet this tick: no read to expect
        _read(meter, time, MIB, cpu=1.0e-3)
        _read(meter, time, MIB, cpu=0.25e-3)
        meter.end()
    assert meter.next_read() == pytest.approx(0.25e-3)  # the later reads' cost, not the first's
    meter.begin()
    _read(meter, time, MIB, cpu=1.0e-3)
    assert meter.next_read() == pytest.approx(0.25e-3)


def test_until_a_later_read_was_measured_the_next_is_expected_to_cost_like_a_first() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    meter.begin()
    _read(meter, time, MIB, cpu=0.7e-3)
    assert meter.next_read() == pytest.approx(0.7e-3)


def test_a_first_read_that_faulted_memory_in_is_not_the_price_of_the_next() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    meter.begin()
    _read(meter, time, MIB, cpu=5e-3)  # a download's first read: its buffers' pages faulted in
    # No later read measured yet: expected at the first read's cost, capped at the initial one.
    assert meter.next_read() == pytest.approx(MIB * read_meter.INITIAL_COST)
    _read(meter, time, MIB, cpu=0.3e-3)
    assert meter.next_read() == pytest.approx(0.3e-3)  # measured: the later reads' own cost


def test_a_read_the_os_preempted_teaches_its_cpu_cost_not_its_wall_time() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    meter.begin()
    _read(meter, time, MIB, cpu=0.5e-3)
    _read(meter, time, MIB, cpu=0.2e-3, wall=9e-3)  # descheduled for most of 9 ms
    assert meter.next_read() == pytest.approx(0.2e-3)
    assert meter.take_read_time() == pytest.approx(9.5e-3)  # the stepper's split is wall time
    assert meter.take_read_time() == 0.0


def test_short_reads_and_reads_between_ticks_teach_no_cost() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    _read(meter, time, MIB, cpu=50e-3)  # closing: the loop runs outside any tick
    meter.begin()
    assert meter.take_read_time() == 0.0
    _read(meter, time, MIN_SAMPLE - 1, cpu=1e-3)  # a JSON answer: fixed cost, few bytes
    assert meter.reads == 0
    assert meter.next_read() == pytest.approx((MIN_SAMPLE - 1) * read_meter.INITIAL_COST)


def test_the_estimate_is_a_high_quantile_robust_to_one_outlier() -> None:
    window = read_meter.CostWindow()
    for _ in range(read_meter.WINDOW - 1):
        window.add(1.0)
    window.add(100.0)  # one page-fault storm
    assert window.estimate == 1.0
    window.add(2.0)
    window.add(2.0)
    assert window.estimate == 2.0  # a quarter of the window cost more: it is the estimate


@pytest.fixture
def readable() -> Iterator[socket.socket]:
    """A socket that stays readable (one unread byte): each loop iteration runs its reader."""
    ours, theirs = socket.socketpair()
    theirs.send(b"x")
    yield ours
    ours.close()
    theirs.close()


def _simulated_reads(stepper: InlineStepper, time: FakeTime, first: float, later: float) -> Any:
    """A reader that 'reads' 1 MiB per call at these CPU costs, and counts its calls."""
    meter = stepper.selector.reads
    calls = [0]

    def read() -> None:
        _read(meter, time, MIB, cpu=first if meter.reads == 0 else later)
        calls[0] += 1

    return read, calls


def test_a_tick_keeps_reading_while_the_next_read_fits_the_budget(
    readable: socket.socket,
) -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    read, calls = _simulated_reads(stepper, time, first=0.9e-3, later=0.2e-3)
    stepper.loop.add_reader(readable, read)
    budget = 2e-3
    try:
        for _ in range(3):
            calls[0] = 0
            start = time.clock()
            stepper.step(budget, start)
            # 0.9 ms, then 0.2 ms reads up to 1.9 ms. Predicting each iteration as costly as the
            # tick's costliest (the cold first read) stopped after three.
            assert calls[0] == 6
            assert time.clock() - start <= budget
            time.spend(14e-3)  # the rest of the frame
    finally:
        stepper.loop.remove_reader(readable)
        stepper.close(1.0)


def test_an_iteration_the_os_preempted_does_not_make_the_tick_expect_dear_iterations(
    readable: socket.socket,
) -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    meter = stepper.selector.reads
    calls = [0]

    def read() -> None:
        if meter.reads == 0:
            time.wall_only(0.6e-3)  # the OS takes the CPU outside the read, once a tick
        _read(meter, time, MIB, cpu=0.3e-3)
        calls[0] += 1

    stepper.loop.add_reader(readable, read)
    try:
        for _ in range(3):
            calls[0] = 0
            start = time.clock()
            stepper.step(2e-3, start)
            # Reads at 0.9, 1.2, 1.5 and 1.8 ms; the next would end at 2.1. Counting the
            # preemption as the iteration's own cost (wall time) stopped after two.
            assert calls[0] == 4
            assert time.clock() - start <= 2e-3
            time.spend(14e-3)
    finally:
        stepper.loop.remove_reader(readable)
        stepper.close(1.0)


def test_a_read_that_alone_fills_the_budget_ends_the_tick(readable: socket.socket) -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    read, calls = _simulated_reads(stepper, time, first=1.5e-3, later=1.5e-3)
    stepper.loop.add_reader(readable, read)
    try:
        for _ in range(3):
            calls[0] = 0
            stepper.step(2e-3, time.clock())
            assert calls[0] == 1
    finally:
        stepper.loop.remove_reader(readable)
        stepper.close(1.0)


class Recorder:
    """A ReadObserver that records what it hears."""

    def __init__(self) -> None:
        self.events: list[object] = []

    def read_began(self) -> None:
        self.events.append("began")

    def read_done(self, nbytes: int) -> None:
        self.events.append(nbytes)


class Collect(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = bytearray()
        self.eof = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.data += data

    def eof_received(self) -> None:
        self.eof.set_result(None)


def test_metered_transport_reports_each_read_and_hands_the_bytes_on_unchanged() -> None:
    observer = Recorder()
    tuning = tuned_loop.ReadTuning(read_size=4096)
    loop = tuned_loop.TunedLoop(selectors.DefaultSelector(), tuning, observer)
    payload = bytes(range(256)) * 40  # 10 KiB: three reads of at most 4 KiB

    async def main() -> bytes:
        ours, theirs = socket.socketpair()
        transport, protocol = await loop.create_connection(Collect, sock=ours)
        assert isinstance(transport, tuned_loop.MeteredTransport)
        theirs.sendall(payload)
        theirs.shutdown(socket.SHUT_WR)
        await protocol.eof
        transport.close()
        theirs.close()
        return bytes(protocol.data)

    try:
        assert loop.run_until_complete(main()) == payload
    finally:
        loop.close()
    sizes = [e for e in observer.events if isinstance(e, int)]
    assert sum(sizes) == len(payload)
    assert max(sizes) <= 4096  # the loop's read size holds
    assert observer.events.count("began") >= len(sizes)  # a began before each read (and EOF)


def test_a_busy_tick_reuses_the_idle_checks_poll(spy: SpySelector, readable: socket.socket) -> None:
    with TickRunner(mode="inline", clock=frozen_clock) as runner:
        runner.tick()  # the runner's own setup
        got: list[bytes] = []

        def drain() -> None:
            got.append(readable.recv(16))
            runner.loop.remove_reader(readable)

        runner.loop.add_reader(readable, drain)
        spy.timeouts.clear()
        before = runner.stats.iterations
        runner.tick()
        assert got == [b"x"]
        # One poll per iteration: the idle check's, then one that finds the loop idle.
        assert len(spy.timeouts) == runner.stats.iterations - before == 2
