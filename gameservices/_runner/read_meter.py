"""What inline mode's socket reads cost, so that a tick knows whether one more fits its budget.

A socket read (``recv()``, then the protocol's parser copying the body out) of the runner's fixed
1 MiB costs the CPU time of its bytes, but the first read of a tick costs two to three times what
the following ones do: the game's frame left the caches cold (docs/runner.md: 0.5-1 ms of CPU
for the first MB, 0.2-0.6 ms for the next ones on the loaded benchmark VM). The stepper used to
stop a tick once another iteration as costly as its costliest so far would pass the budget;
that costliest was the cold first read, so a tick stopped after one or two reads, with half its
budget left. ``ReadMeter`` keeps the two costs apart, so the stepper predicts the next read by
what the next read will cost.

Reads stay one size. Sizing each read to the budget left (a smaller last read) was tried and
measured: with read buffers of mixed sizes glibc's heap trimmed and faulted its pages in again,
5 to 10 times the page faults of fixed 1 MiB reads and 40-90 % more CPU per MB.

Costs per byte are CPU time (``cpu_clock``, the thread's): a read that the OS preempted took far
longer than its bytes cost, and on a loaded machine that is a third of them; counted in wall
time they would end later ticks early for nothing. The time reads took is also summed, in CPU
and in wall time (``clock``), for the stepper to tell an iteration's reads from the rest of it.

Until a tick has measured a later read, the next is expected at a first read's cost, but never
above ``INITIAL_COST``: a download's first reads fault in the heap its buffers grow into (2-10
times a later read's cost on the benchmark VM), a price later reads do not pay again.

Invariants: ``read_began()`` and ``read_done()`` come in pairs from transports on the loop's
thread (an interrupted ``recv()`` only leaves a stale start for the next pair to overwrite);
only reads inside a tick (``begin()`` .. ``end()``) are timed, and only those of at least
``MIN_SAMPLE`` bytes teach a cost. The estimate is a high quantile of the last ``WINDOW`` reads
of its kind: above most reads, below the rare one that a page-fault storm or the hypervisor
inflated.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable

try:  # POSIX only; elsewhere a socket not read yet is expected to fill a read
    import fcntl
    import termios

    _fionread: int | None = termios.FIONREAD
except ImportError:  # pragma: no cover - Windows
    _fionread = None

__all__ = [
    "DEFAULT_READ_SIZE",
    "FIRST",
    "INITIAL_COST",
    "LATER",
    "MIN_SAMPLE",
    "WINDOW",
    "CostWindow",
    "ReadMeter",
    "buffered",
]

MIN_SAMPLE = 64 << 10  # a shorter read is mostly fixed cost: it says little per byte
INITIAL_COST = 1e-9  # CPU seconds per byte (1 ms per MB) until reads are measured: cautious
WINDOW = 8  # reads remembered per kind
FIRST, LATER = 0, 1  # the kinds: the first read of a tick (cold caches), and the others
DEFAULT_READ_SIZE = 1 << 20  # the runner loops' recv() size (tuned_loop.BURST_READS)


def buffered(fd: int, unknown: int) -> int:
    """The bytes socket ``fd``'s receive buffer holds (``FIONREAD``: one ioctl), or ``unknown``
    where that cannot be asked (no ``fcntl``, as on Windows, or not a socket)."""
    if _fionread is None:
        return unknown
    try:
        answer = fcntl.ioctl(fd, _fionread, b"\0\0\0\0")
    except (OSError, ValueError):  # closed, not a socket, or no fd at all
        return unknown
    return int.from_bytes(answer, sys.byteorder, signed=True)


class CostWindow:
    """CPU seconds per byte of the last ``WINDOW`` reads of one kind; ``estimate`` is the 6th
    smallest of 8 (with fewer, the same quantile of those there are)."""

    __slots__ = ("_samples", "estimate")

    def __init__(self, initial: float = INITIAL_COST) -> None:
        self._samples: deque[float] = deque(maxlen=WINDOW)
        self.estimate = initial

    def __bool__(self) -> bool:
        return bool(self._samples)

    def add(self, per_byte: float) -> None:
        samples = self._samples
        samples.append(per_byte)
        ordered = sorted(samples)
        self.estimate = ordered[(len(ordered) * 3) // 4]


class ReadMeter:
    """Times the socket reads of inline ticks (loop thread only)."""

    def __init__(
        self, clock: Callable[[], float], cpu_clock: Callable[[], float],
        read_size: int = DEFAULT_READ_SIZE,
    ) -> None:  # fmt: skip
        self.clock = clock
        self.cpu_clock = cpu_clock
        self.read_size = read_size  # what a socket not read yet is expected to bring
        self.costs = (CostWindow(), CostWindow())  # by kind: FIRST, LATER
        self.in_tick = False
        self.reads = 0  # reads of at least MIN_SAMPLE bytes in the current tick
        # Each socket's latest read, by fd: level-triggered, a socket that filled its last
        # read has more, and one that brought a small answer brings small ones. (A closed fd's
        # number, reused, inherits its guess until its first read: a guess, never a rule.)
        self.last_bytes: dict[int, int] = {}
        self.read_time = 0.0  # wall seconds in reads since the stepper last took it
        self.read_cpu = 0.0  # and CPU seconds
        self._fd = -1
        self._began = self._began_cpu = 0.0

    def begin(self) -> None:
        self.in_tick, self.reads = True, 0
        self.read_time = self.read_cpu = 0.0

    def end(self) -> None:
        self.in_tick = False

    def take_read_time(self) -> float:
        """Wall seconds spent in reads since the last call (the stepper's per-iteration split)."""
        spent, self.read_time = self.read_time, 0.0
        return spent

    def take_read_cpu(self) -> float:
        """CPU seconds spent in reads since the last call (the same split, in CPU time)."""
        spent, self.read_cpu = self.read_cpu, 0.0
        return spent

    def expected(self, fd: int) -> int:
        """The bytes the next read of socket ``fd`` should bring: as many as its last read, or
        for a socket not read yet (a new connection's answer), what the kernel holds for it."""
        known = self.last_bytes.get(fd)
        return known if known is not None else min(buffered(fd, self.read_size), self.read_size)

    def per_byte(self, nth: int) -> float:
        """CPU seconds per byte of the tick's read number ``nth`` (0: its first), at its kind's
        cost. Until a later read was measured, at a first read's: never less cautious than
        that, but never more than ``INITIAL_COST`` either. A first read dearer than that paid
        for memory the process had not touched yet (a download's first reads fault in the heap
        its buffers grow into), which later reads do not pay again; taken as the price of the
        next read, it ended each tick after one read until it left the window, eight ticks
        later."""
        first, later = self.costs
        if nth and later:
            return later.estimate
        return min(first.estimate, INITIAL_COST)

    def read_began(self, fd: int) -> None:
        self._fd = fd
        if self.in_tick:
            self._began, self._began_cpu = self.clock(), self.cpu_clock()

    def read_done(self, nbytes: int) -> None:
        """The read that ``read_began()`` opened brought ``nbytes``; the protocol took them."""
        self.last_bytes[self._fd] = nbytes
        if not self.in_tick:
            return
        self.read_time += self.clock() - self._began
        spent = self.cpu_clock() - self._began_cpu
        self.read_cpu += spent
        if nbytes >= MIN_SAMPLE:
            self.costs[FIRST if self.reads == 0 else LATER].add(spent / nbytes)
            self.reads += 1
