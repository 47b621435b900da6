"""Write a download to its ``.part`` file and hash it, on a writer thread, with backpressure.

The loop thread only enqueues: ``write()`` puts the chunk on a queue and awaits only when more
than ``max_pending`` bytes are waiting, so memory stays bounded whatever the file size. The
writer thread opens the file, re-hashes an existing prefix (a resume), then writes and hashes
each chunk in order.

Invariants:
- The loop thread never blocks: no file call, no lock, no join. The thread reports back with
  ``call_soon_threadsafe`` and loop-side counters are compared without locks (one writer each).
- At most one writer per path at a time, across sinks: a new sink's thread waits for the
  previous one to close, so a resume never races a cancelled writer that is still flushing.
- The file only ever holds a prefix of what was received; ``abandon()`` (cancel, transient
  failure) keeps it for a resume, ``discard()`` removes it, ``finish()`` fsyncs and returns
  (size, sha256). A failed write (ENOSPC...) keeps the ``.part`` and surfaces as StorageError.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import errno
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .._exceptions import StorageError

__all__ = ["DEFAULT_MAX_PENDING", "FileSink", "OpenPart", "open_part"]

DEFAULT_MAX_PENDING = 8 << 20
_HASH_BLOCK = 1 << 20
_WRITEBACK_EVERY = 8 << 20

OpenPart = Callable[[Path], BinaryIO]


def open_part(path: Path) -> BinaryIO:
    """Open (creating if needed) a ``.part`` file for reading and writing, keeping its bytes."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    return os.fdopen(fd, "r+b")


class _Cmd(enum.Enum):
    RESET = "reset"  # truncate to zero and restart the hash (the host sent the whole file)
    FINISH = "finish"  # flush, fsync, close; report size and digest
    ABANDON = "abandon"  # flush and close, keep the .part
    DISCARD = "discard"  # close and delete the .part


_registry_lock = threading.Lock()  # taken only on writer threads
_writers: dict[str, threading.Event] = {}


class FileSink:
    """A ``.part`` file and its writer thread; create it on the loop thread, then ``opened()``."""

    def __init__(
        self,
        path: Path,
        *,
        label: str,
        expected_size: int,
        opener: OpenPart = open_part,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.path = path
        self._label = label
        self._expected = expected_size
        self._opener = opener
        self._max_pending = max_pending
        self._loop = asyncio.get_running_loop()
        self._queue: queue.SimpleQueue[bytes | _Cmd] = queue.SimpleQueue()
        self._queued = 0  # written by the loop thread only
        self._consumed = 0  # written by the writer thread only
        self._position = 0  # bytes in the file, writer thread only
        self._flushed = 0  # bytes handed to the kernel's writeback, writer thread only
        self._space: asyncio.Future[None] | None = None
        self._opened: asyncio.Future[None] = self._loop.create_future()
        self._finished: asyncio.Future[None] = self._loop.create_future()
        self._closed: asyncio.Future[None] = self._loop.create_future()
        self._reset_requested = False
        self._ended = False  # a terminal command was sent
        self.offset = 0  # the .part's size when opened (set before ``opened`` resolves)
        self.digest = ""  # sha256 hex after FINISH
        self.size = 0  # file size after FINISH
        self.error: StorageError | None = None
        self._thread = threading.Thread(target=self._run, name=f"gs-write:{label}", daemon=True)
        self._starting: asyncio.Future[None] | None = None

    # -- loop side --------------------------------------------------------------------------

    async def opened(self) -> int:
        """Start the writer thread, wait until the file is open; return the bytes it holds."""
        if self._starting is None:
            # Thread.start() waits for the new thread to run: under load that is a frame's
            # worth of blocking, so it happens on an executor thread instead.
            self._starting = self._loop.run_in_executor(None, self._thread.start)
        await asyncio.shield(self._starting)
        await asyncio.shield(self._opened)
        self._raise_if_failed()
        return self.offset

    def reset(self) -> None:
        """Drop the existing bytes: the host is sending the whole file."""
        self._reset_requested = True
        self._queue.put(_Cmd.RESET)

    async def write(self, chunk: bytes) -> None:
        self._raise_if_failed()
        self._queue.put(chunk)
        self._queued += len(chunk)
        if self._queued - self._consumed > self._max_pending:
            self._space = self._loop.create_future()
            # Re-check after publishing the waiter: the thread may have caught up meanwhile.
            if self._queued - self._consumed > self._max_pending // 2 and self.error is None:
                await self._space
            self._space = None
        self._raise_if_failed()

    async def finish(self) -> tuple[int, str]:
        """Flush, fsync and close; return (file size, sha256 hex of the whole file)."""
        self._end(_Cmd.FINISH)
        await asyncio.shield(self._finished)
        self._raise_if_failed()
        return self.size, self.digest

    def abandon(self) -> None:
        """Keep the ``.part`` for a resume. Never blocks: the thread closes it."""
        self._end(_Cmd.ABANDON)

    def discard(self) -> None:
        """Delete the ``.part`` (bad bytes). Never blocks: the thread removes it."""
        self._end(_Cmd.DISCARD)

    async def closed(self) -> None:
        """Wait until the writer thread has released the file (at once if it never started)."""
        if self._starting is not None:
            await asyncio.shield(self._closed)

    def _end(self, cmd: _Cmd) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put(cmd)

    def _raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error

    # -- writer thread ----------------------------------------------------------------------

    def _run(self) -> None:
        key = os.path.abspath(self.path)
        mine = threading.Event()
        with _registry_lock:
            previous = _writers.get(key)
            _writers[key] = mine
        f: BinaryIO | None = None
        try:
            if previous is not None:
                previous.wait()
            f = self._opener(self.path)
            self.offset = self._position = self._flushed = f.seek(0, os.SEEK_END)
            self._signal(self._opened)
            self._serve(f)
        except OSError as exc:
            self.error = self._storage_error(exc)
        finally:
            if f is not None and not f.closed:
                try:
                    f.close()
                except OSError as exc:
                    self.error = self.error or self._storage_error(exc)
            with _registry_lock:
                if _writers.get(key) is mine:
                    del _writers[key]
            mine.set()
            for fut in (self._opened, self._finished, self._closed):
                self._signal(fut)
            self._wake_writer(force=True)

    def _serve(self, f: BinaryIO) -> None:
        hasher = self._hash_prefix(f)
        while True:
            item = self._queue.get()
            if isinstance(item, bytes):
                f.write(item)
                hasher.update(item)
                self._position += len(item)
                self._consumed += len(item)
                self._wake_writer()
                if self._position - self._flushed >= _WRITEBACK_EVERY:
                    self._start_writeback(f)
            elif item is _Cmd.RESET:
                f.seek(0)
                f.truncate()
                self._position = self._flushed = 0
                hasher = hashlib.sha256()
            elif item is _Cmd.FINISH:
                f.flush()
                os.fsync(f.fileno())
                f.close()
                self.size, self.digest = self._position, hasher.hexdigest()
                return
            elif item is _Cmd.ABANDON:
                f.close()
                return
            else:
                f.close()
                os.unlink(self.path)
                return

    def _start_writeback(self, f: BinaryIO) -> None:
        """Have the kernel write finished pages out now, not all at the final fsync.

        On Linux, FADV_DONTNEED starts asynchronous writeback of dirty pages and drops clean
        ones, so the closing fsync has little left to do and the page cache does not fill up
        with a file we will not read back.
        """
        f.flush()
        start = max(0, self._flushed - _WRITEBACK_EVERY)  # drop pages written back since
        with contextlib.suppress(OSError, AttributeError):  # advisory; absent on some systems
            os.posix_fadvise(f.fileno(), start, self._position - start, os.POSIX_FADV_DONTNEED)
        self._flushed = self._position

    def _hash_prefix(self, f: BinaryIO) -> hashlib._Hash:
        hasher = hashlib.sha256()
        f.seek(0)
        left = self.offset
        while left > 0 and not self._reset_requested:
            block = f.read(min(_HASH_BLOCK, left))
            if not block:
                raise OSError(errno.EIO, f"{self.path} shrank while it was being read")
            hasher.update(block)
            left -= len(block)
        f.seek(self.offset)
        return hasher

    def _storage_error(self, exc: OSError) -> StorageError:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            need = max(self._expected - self._position, 0)
            msg = (
                f"disk full writing {self.path}: {need} more bytes needed for {self._label} "
                f"({self._expected} bytes); the .part is kept, so the download resumes later"
            )
        else:
            msg = f"could not write {self.path} for {self._label}: {exc.strerror or exc}"
        err = StorageError(msg)
        err.errno = exc.errno
        return err

    def _signal(self, fut: asyncio.Future[None]) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            self._loop.call_soon_threadsafe(_resolve, fut)

    def _wake_writer(self, *, force: bool = False) -> None:
        space = self._space
        if space is None:
            return
        if force or self._queued - self._consumed <= self._max_pending // 2:
            self._signal(space)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
