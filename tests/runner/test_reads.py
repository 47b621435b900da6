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
from gameservices._runner.slowticks import TickDetail
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


FD = -1  # the 'socket' the meter's own tests read: no fd, so the kernel is never asked


def _read(
    meter: ReadMeter, time: FakeTime, nbytes: int, cpu: float, wall: float = 0.0, fd: int = FD
) -> None:
    meter.read_began(fd)
    time.cpu += cpu
    time.wall += max(wall, cpu)
    meter.read_done(nbytes)


def next_read(meter: ReadMeter, fd: int = FD) -> float:
    """CPU seconds the tick's next read of ``fd`` should cost, as the stepper reckons it."""
    return meter.expected(fd) * meter.per_byte(meter.reads)


def test_meter_keeps_a_ticks_cold_first_read_apart_from_the_later_ones() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    for i in range(3):
        meter.begin()
        # The tick's first read: at a first read's cost (before any: the cautious initial one).
        first = read_meter.INITIAL_COST if i == 0 else 1.0e-3 / MIB
        assert next_read(meter) == pytest.approx(MIB * first)
        _read(meter, time, MIB, cpu=1.0e-3)
        _read(meter, time, MIB, cpu=0.25e-3)
        meter.end()
    assert next_read(meter) == pytest.approx(0.25e-3)  # the later reads' cost, not the first's
    meter.begin()
    _read(meter, time, MIB, cpu=1.0e-3)
    assert next_read(meter) == pytest.approx(0.25e-3)


def test_until_a_later_read_was_measured_the_next_is_expected_to_cost_like_a_first() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    meter.begin()
    _read(meter, time, MIB, cpu=0.7e-3)
    assert next_read(meter) == pytest.approx(0.7e-3)


def test_a_first_read_that_faulted_memory_in_is_not_the_price_of_the_next() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    meter.begin()
    _read(meter, time, MIB, cpu=5e-3)  # a download's first read: its buffers' pages faulted in
    # No later read measured yet: expected at the first read's cost, capped at the initial one.
    assert next_read(meter) == pytest.approx(MIB * read_meter.INITIAL_COST)
    _read(meter, time, MIB, cpu=0.3e-3)
    assert next_read(meter) == pytest.approx(0.3e-3)  # measured: the later reads' own cost


def test_a_read_the_os_preempted_teaches_its_cpu_cost_not_its_wall_time() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock)
    meter.begin()
    _read(meter, time, MIB, cpu=0.5e-3)
    _read(meter, time, MIB, cpu=0.2e-3, wall=9e-3)  # descheduled for most of 9 ms
    assert next_read(meter) == pytest.approx(0.2e-3)
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
    assert next_read(meter) == pytest.approx((MIN_SAMPLE - 1) * read_meter.INITIAL_COST)


def test_each_socket_is_expected_to_bring_what_its_last_read_brought() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock, read_size=MIB)
    assert meter.expected(-3) == MIB  # never read, and no kernel to ask: a full read
    meter.begin()
    _read(meter, time, 900, cpu=1e-5, fd=-3)  # an answer
    _read(meter, time, MIB, cpu=1e-3, fd=-4)  # a download that filled its read
    meter.end()
    _read(meter, time, 512, cpu=1e-5, fd=-5)  # between ticks (closing) still tells the size
    assert (meter.expected(-3), meter.expected(-4), meter.expected(-5)) == (900, MIB, 512)


def test_a_socket_not_read_yet_is_expected_to_bring_what_the_kernel_holds() -> None:
    time = FakeTime()
    meter = ReadMeter(time.clock, time.cpu_clock, read_size=4096)
    ours, theirs = socket.socketpair()
    try:
        theirs.sendall(b"x" * 900)
        assert meter.expected(ours.fileno()) == 900
        theirs.sendall(b"x" * 9000)
        assert meter.expected(ours.fileno()) == 4096  # never more than one read takes
    finally:
        ours.close()
        theirs.close()


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


def _simulated_reads(
    stepper: InlineStepper, time: FakeTime, first: float, later: float, fd: int
) -> Any:
    """A reader that 'reads' 1 MiB of ``fd`` per call at these CPU costs, and counts its calls."""
    meter = stepper.selector.reads
    calls = [0]

    def read() -> None:
        _read(meter, time, MIB, cpu=first if meter.reads == 0 else later, fd=fd)
        calls[0] += 1

    return read, calls


def test_a_tick_keeps_reading_while_the_next_read_fits_the_budget(
    readable: socket.socket,
) -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    read, calls = _simulated_reads(stepper, time, 0.9e-3, 0.2e-3, readable.fileno())
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
        _read(meter, time, MIB, cpu=0.3e-3, fd=readable.fileno())
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


def test_a_small_answer_runs_in_a_tick_whose_budget_no_longer_fits_the_downloads_read(
    readable: socket.socket,
) -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    meter, loop = stepper.selector.reads, stepper.loop
    ours, theirs = socket.socketpair()
    theirs.send(b"x")  # the answer's socket: readable once its reader is added
    answered: list[float] = []
    bulk = [0]

    def answer() -> None:
        _read(meter, time, 900, cpu=1e-5, fd=ours.fileno())
        answered.append(time.clock())
        loop.remove_reader(ours)

    def download() -> None:
        _read(meter, time, MIB, cpu=0.9e-3 if meter.reads == 0 else 0.4e-3, fd=readable.fileno())
        bulk[0] += 1
        if bulk[0] == 3:
            loop.add_reader(ours, answer)  # the answer arrives during the tick's third read

    _read(meter, time, 900, cpu=0.0, fd=ours.fileno())  # a kept-alive connection's last answer
    loop.add_reader(readable, download)
    try:
        stepper.step(2e-3, time.clock())
        # Reads end at 0.9, 1.3 and 1.7 ms; a fourth would end at 2.1. The answer, which costs
        # a few microseconds, still ran in this tick (it used to wait for the next).
        assert bulk[0] == 3
        assert answered
        assert answered[0] <= 2e-3
        assert time.clock() <= 2e-3
    finally:
        loop.remove_reader(readable)
        stepper.close(1.0)
        ours.close()
        theirs.close()


def test_a_read_that_does_not_fit_keeps_its_sockets_write_side() -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    selector = stepper.selector
    try:
        for fd, nbytes in ((9, MIB), (10, 100)):  # socket 9 filled its last read, 10 did not
            selector.reads.read_began(fd)
            selector.reads.read_done(nbytes)
        selector.begin(2e-3, 0.0, TickDetail())
        both = selectors.EVENT_READ | selectors.EVENT_WRITE
        big = selectors.SelectorKey(None, 9, both, None)
        small = selectors.SelectorKey(None, 10, selectors.EVENT_READ, None)
        time.spend(1.5e-3)  # 0.5 ms left: 1 MiB does not fit at the cautious initial cost
        kept = selector._affordable([(big, both), (small, selectors.EVENT_READ)], time.clock())
        assert kept == [(small, selectors.EVENT_READ), (big, selectors.EVENT_WRITE)]
        time.spend(-1.5e-3)  # all of the budget left: everything, in the poll's order
        events = [(big, both), (small, selectors.EVENT_READ)]
        assert selector._affordable(events, time.clock()) == events
    finally:
        selector.end()
        stepper.close(1.0)


def test_a_read_that_alone_fills_the_budget_ends_the_tick(readable: socket.socket) -> None:
    time = FakeTime()
    stepper = InlineStepper(Counters(), time.clock, time.cpu_clock)
    read, calls = _simulated_reads(stepper, time, 1.5e-3, 1.5e-3, readable.fileno())
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
        self.fds: set[int] = set()

    def read_began(self, fd: int) -> None:
        self.events.append("began")
        self.fds.add(fd)

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
    fd: list[int] = []

    async def main() -> bytes:
        ours, theirs = socket.socketpair()
        transport, protocol = await loop.create_connection(Collect, sock=ours)
        assert isinstance(transport, tuned_loop.MeteredTransport)
        fd.append(ours.fileno())
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
    assert observer.fds == set(fd)  # each read names its socket


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
