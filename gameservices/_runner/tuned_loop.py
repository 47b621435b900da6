"""The runner's event loop: how much one socket read takes, and how much the kernel buffers.

asyncio reads a socket 256 KiB per ``recv()`` and leaves the receive buffer to the kernel's
autotuning. Both suit a loop that runs all the time. An inline runner's loop runs in bursts: a
2 ms tick per 16.7 ms frame. Autotuning sizes the buffer from what is read per round trip, so
between ticks the kernel held only 0.4-0.8 MB and then stopped the sender; and each 256 KiB read
costs a loop iteration of Python. ``TunedLoop`` therefore, for each socket transport it makes:

- sets ``max_size`` (the ``recv()`` size) to ``ReadTuning.read_size``: per MB, fewer iterations,
  callbacks, parser calls and task wake-ups;
- asks for ``ReadTuning.receive_buffer`` bytes of ``SO_RCVBUF``, so that a frame's worth of data
  waits in the kernel for the next tick. Setting it turns autotuning off, and Linux caps it at
  ``net.core.rmem_max``; so it is set only where that cap allows at least ``MIN_USEFUL_RCVBUF``
  (read once, when a runner is made), and left to autotuning elsewhere.

Invariants: only transports this loop makes are touched, never asyncio's classes; a failed
``setsockopt`` leaves the kernel's choice. ``max_size`` and ``_make_socket_transport`` are
private asyncio names (same meaning in CPython 3.10-3.13), used here and nowhere else; TLS
transports keep asyncio's read size (their SSL buffer is fixed) but get the receive buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import selectors
import socket
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BURST_READS",
    "MIN_USEFUL_RCVBUF",
    "STEADY_READS",
    "ReadTuning",
    "TunedLoop",
    "rmem_max",
]

MIN_USEFUL_RCVBUF = 1 << 20  # below this, autotuning does as well: leave it on


@dataclass(frozen=True)
class ReadTuning:
    read_size: int | None = None  # None: asyncio's 256 KiB
    receive_buffer: int | None = None  # None: the kernel's autotuning


# Inline mode (benchmarks/frame_hitch.py, docs/runner.md): 1 MiB per read took a third less CPU
# per MB than 256 KiB; 4 MiB of buffer (the kernel doubles it) holds more than one tick reads.
BURST_READS = ReadTuning(read_size=1 << 20, receive_buffer=4 << 20)
# Thread mode: the same reads (less Python per byte holding the GIL the game thread wants); the
# loop reads all the time, so the kernel's autotuning sizes the buffer well.
STEADY_READS = ReadTuning(read_size=1 << 20)


@functools.lru_cache(maxsize=1)
def rmem_max() -> int | None:
    """Linux's cap on SO_RCVBUF (``net.core.rmem_max``), or None where it cannot be read."""
    try:
        with open("/proc/sys/net/core/rmem_max", encoding="ascii") as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def _receive_buffer(wanted: int | None) -> int | None:
    """What to ask SO_RCVBUF for: ``wanted`` within the kernel's cap, or None (autotuning)."""
    if wanted is None:
        return None
    cap = rmem_max()
    if cap is None or cap < MIN_USEFUL_RCVBUF:
        return None
    return min(wanted, cap)


class TunedLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose socket transports read and buffer as ``tuning`` says."""

    def __init__(self, selector: selectors.BaseSelector, tuning: ReadTuning) -> None:
        super().__init__(selector)
        self._read_size = tuning.read_size
        self._rcvbuf = _receive_buffer(tuning.receive_buffer)

    def _set_rcvbuf(self, sock: socket.socket) -> None:
        if self._rcvbuf is not None and sock.type == socket.SOCK_STREAM:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)

    def _make_socket_transport(  # asyncio's private factory (typeshed has it)
        self, sock: socket.socket, protocol: Any, waiter: Any = None, *, extra: Any = None,
        server: Any = None,
    ) -> Any:  # fmt: skip
        self._set_rcvbuf(sock)
        transport = super()._make_socket_transport(  # type: ignore[misc]
            sock, protocol, waiter, extra=extra, server=server
        )
        if self._read_size is not None:
            transport.max_size = self._read_size
        return transport

    def _make_ssl_transport(self, rawsock: socket.socket, *args: Any, **kwargs: Any) -> Any:
        self._set_rcvbuf(rawsock)
        return super()._make_ssl_transport(rawsock, *args, **kwargs)  # type: ignore[misc]
