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

- given a ``ReadObserver`` (inline mode's ``ReadMeter``), makes ``MeteredTransport``s, which
  tell it when each read starts and what it brought, so that an inline tick knows what its next
  read will cost (``read_meter``).

- ``wake()`` wakes the loop out of ``select()`` from another thread without releasing the GIL
  (thread mode; see ``loop_thread`` for why that matters to the game thread).

Invariants: only transports this loop makes are touched, never asyncio's classes; a failed
``setsockopt`` leaves the kernel's choice. ``max_size``, ``_make_socket_transport``,
``_SelectorSocketTransport`` and its ``_read_ready__data_received`` are private asyncio names
(same meaning, and the same method body, in CPython 3.10-3.13), used here and nowhere else; TLS
transports keep asyncio's read size (their SSL buffer is fixed) but get the receive buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import selectors
import socket
from asyncio import selector_events
from dataclasses import dataclass
from typing import Any, Protocol

from .read_meter import DEFAULT_READ_SIZE

__all__ = [
    "BURST_READS",
    "MIN_USEFUL_RCVBUF",
    "STEADY_READS",
    "MeteredTransport",
    "ReadObserver",
    "ReadTuning",
    "TunedLoop",
    "gil_holding_write",
    "rmem_max",
]

MIN_USEFUL_RCVBUF = 1 << 20  # below this, autotuning does as well: leave it on


@dataclass(frozen=True)
class ReadTuning:
    read_size: int | None = None  # None: asyncio's 256 KiB
    receive_buffer: int | None = None  # None: the kernel's autotuning


# Inline mode (benchmarks/frame_hitch.py, docs/runner.md): 1 MiB per read took a third less CPU
# per MB than 256 KiB; 4 MiB of buffer (the kernel doubles it) holds more than one tick reads.
BURST_READS = ReadTuning(read_size=DEFAULT_READ_SIZE, receive_buffer=4 << 20)
# Thread mode: the same reads (less Python per byte holding the GIL the game thread wants); the
# loop reads all the time, so the kernel's autotuning sizes the buffer well.
STEADY_READS = ReadTuning(read_size=DEFAULT_READ_SIZE)


@functools.lru_cache(maxsize=1)
def gil_holding_write() -> Any:
    """libc's ``write(fd, buf, n)`` called without releasing the GIL (``ctypes.PyDLL``), or None
    where there is none to call (Windows).

    Any syscall made the Python way releases the GIL. A thread that waits for it, such as a loop
    thread that the write has just woken, then takes it and keeps it for its whole burst of
    Python: the writer waits for all of it. One byte to a non-blocking socket never blocks, so
    holding the GIL through it costs the writer about a microsecond and no hand-off.
    """
    try:
        write = ctypes.PyDLL(None).write
    except (OSError, TypeError, AttributeError):  # no C library to load by name
        return None
    write.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
    write.restype = ctypes.c_ssize_t
    return write


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


class ReadObserver(Protocol):
    """Hears about each socket read (inline: ``ReadMeter``)."""

    def read_began(self, fd: int) -> None:
        """A ``recv()`` of socket ``fd`` is about to start."""

    def read_done(self, nbytes: int) -> None:
        """It brought ``nbytes``, and the protocol has taken them."""


# Not in typeshed: the class of every plain socket transport a selector loop makes.
_SocketTransport: Any = selector_events._SelectorSocketTransport  # type: ignore[attr-defined]


class MeteredTransport(_SocketTransport):  # type: ignore[misc]  # asyncio's private class, Any here
    """A socket transport whose reads are reported to a ``ReadObserver``."""

    def __init__(self, observer: ReadObserver, *args: Any) -> None:
        self._observer = observer  # before the base's __init__, which schedules the first read
        super().__init__(*args)

    def _read_ready__data_received(self) -> None:
        # asyncio's method (the same in CPython 3.10-3.13), with the read, parser included,
        # reported to the observer.
        if self._conn_lost:
            return
        observer = self._observer
        observer.read_began(self._sock_fd)
        try:
            data = self._sock.recv(self.max_size)
        except (BlockingIOError, InterruptedError):
            return
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal read error on socket transport")
            return
        if not data:
            self._read_ready__on_eof()
            return
        try:
            self._protocol.data_received(data)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.data_received() call failed.")
        observer.read_done(len(data))


class TunedLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose socket transports read and buffer as ``tuning`` says, and
    report their reads to ``observer`` when one is given."""

    def __init__(
        self, selector: selectors.BaseSelector, tuning: ReadTuning,
        observer: ReadObserver | None = None,
    ) -> None:  # fmt: skip
        super().__init__(selector)
        self._read_size = tuning.read_size
        self._rcvbuf = _receive_buffer(tuning.receive_buffer)
        self._observer = observer

    def wake(self) -> None:
        """Make the loop's ``select()`` return, from any thread, without releasing the GIL."""
        write, csock = gil_holding_write(), getattr(self, "_csock", None)  # the self-pipe's end
        # Read and used under the GIL: socket.close() sets the fd to -1 before it lets go of it.
        fd = csock.fileno() if csock is not None else -1
        if write is None or fd < 0:
            self._write_to_self()  # type: ignore[attr-defined]  # asyncio's own wake-up
        else:
            write(fd, b"\0", 1)  # a full pipe (-1, EAGAIN) wakes the loop as well

    def _set_rcvbuf(self, sock: socket.socket) -> None:
        if self._rcvbuf is not None and sock.type == socket.SOCK_STREAM:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)

    def _make_socket_transport(  # asyncio's private factory (typeshed has it)
        self, sock: socket.socket, protocol: Any, waiter: Any = None, *, extra: Any = None,
        server: Any = None,
    ) -> Any:  # fmt: skip
        self._set_rcvbuf(sock)
        if self._observer is not None:
            ensure = getattr(self, "_ensure_fd_no_transport", None)  # what 3.12+ checks first
            if ensure is not None:
                ensure(sock)
            args = (self, sock, protocol, waiter, extra, server)
            transport = MeteredTransport(self._observer, *args)
        else:
            transport = super()._make_socket_transport(  # type: ignore[misc]
                sock, protocol, waiter, extra=extra, server=server
            )
        if self._read_size is not None:
            transport.max_size = self._read_size
        return transport

    def _make_ssl_transport(self, rawsock: socket.socket, *args: Any, **kwargs: Any) -> Any:
        self._set_rcvbuf(rawsock)
        return super()._make_ssl_transport(rawsock, *args, **kwargs)  # type: ignore[misc]
