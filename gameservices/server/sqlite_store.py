"""SQLite storage behind two threads: one writer with group commit, one reader.

Invariants:
- No SQLite call runs on the event loop; coroutines hand jobs to a thread and await a future.
- Write jobs queued together share one transaction (group commit): each job runs inside its own
  SAVEPOINT, so a failing job rolls back alone; futures resolve only after COMMIT returned, so a
  success means the write is durable (WAL + ``synchronous`` FULL or NORMAL).
- A job submitted with ``savepoint=False`` promises to change the database in at most one
  statement (SQLite undoes a failed statement by itself), which spares two statements per job,
  each of them a GIL release the loop thread contends for. If such a job fails after all having
  changed something (``total_changes`` moved), its change cannot be undone alone: the whole
  batch fails and rolls back.
- If COMMIT fails, every job of the batch fails and its rollback hooks run (newest first), so
  in-memory state mirrors what is on disk.
- Every statement is parameterised. A ``:memory:`` database has a single connection: reads run
  on the writer thread.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .schema import prepare

__all__ = ["PartialJobError", "Store", "Txn"]

T = TypeVar("T")
log = logging.getLogger("gameservices.server")

MAX_BATCH = 256
CACHE_KIB = 64 * 1024
MMAP_BYTES = 1 << 30


@dataclass
class Txn:
    """What a write job sees: the connection and a place to register rollback hooks."""

    conn: sqlite3.Connection
    _undo: list[Callable[[], None]] = field(default_factory=list)

    def on_rollback(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` if this transaction does not commit (used to undo in-memory changes)."""
        self._undo.append(hook)


_Job = tuple[Callable[[Any], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop, bool]


def _create_private(path: str) -> None:
    """Create the database file 0600 if it is missing: it holds password hashes and refresh-token
    digests. SQLite gives its -wal and -shm files the database file's mode, so they follow."""
    if path in (":memory:", ""):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (
        OSError
    ):  # it exists (its mode is the owner's choice) or cannot be made: sqlite3 says why
        return
    os.close(fd)


def connect(path: str, synchronous: str) -> sqlite3.Connection:
    _create_private(path)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    conn.execute("PRAGMA busy_timeout = 10000")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")  # validated in ServerConfig
    # A large board is ~100 bytes a record: keep hot B-tree pages in memory, and map the file so
    # page reads are memory reads rather than pread() calls.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


def _deliver(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _Worker:
    """One thread owning one connection; runs queued jobs (in group-committed batches if
    ``transactional``)."""

    def __init__(self, name: str, path: str, synchronous: str, transactional: bool) -> None:
        self._path = path
        self._synchronous = synchronous
        self._transactional = transactional
        # Jobs go into a deque (append and popleft are atomic); the thread is woken through the
        # queue only when it sleeps, so a busy thread costs submitters no wake-up at all.
        self._pending: collections.deque[_Job] = collections.deque()
        self._wake: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._sleeping = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Callable[[Any], T], savepoint: bool = True) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((job, future, loop, savepoint))
        self._wake_up()
        return future

    def _wake_up(self) -> None:
        # Ordering matters: the job is visible before the flag is read; the thread sets the
        # flag before its last look at the deque, so no wake-up is lost.
        if self._sleeping:
            self._sleeping = False
            self._wake.put(None)

    def stop(self) -> None:
        """Blocking: run what is queued, then close the connection and join the thread."""
        if not self._thread.is_alive():
            return
        self._stopping = True
        self._sleeping = False
        self._wake.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = connect(self._path, self._synchronous)
            if self._transactional:
                prepare(conn)  # the schema exists (and is current) before any batch
        except Exception as exc:  # the database cannot be opened: fail every job with why
            self._fail_all(exc)
            return
        try:
            while True:
                batch, stop = self._take_batch()
                if batch:
                    self._run_batch(conn, batch)
                if stop:
                    return
        finally:
            conn.close()

    def _fail_all(self, error: BaseException) -> None:
        while True:
            batch, stop = self._take_batch()
            for _job, future, loop, _sp in batch:
                _resolve(loop, future, None, error)
            if stop:
                return

    def _drain(self) -> list[_Job]:
        batch: list[_Job] = []
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._pending.popleft())
            except IndexError:
                break
        return batch

    def _take_batch(self) -> tuple[list[_Job], bool]:
        """The next batch (blocking until there is one), and whether to stop after it."""
        while True:
            batch = self._drain()
            if batch:
                return batch, False
            if self._stopping:
                return [], True
            self._sleeping = True
            batch = self._drain()
            if batch:
                self._sleeping = False
                return batch, False
            self._wake.get()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        if not self._transactional:
            _resolve_all([(loop, future, *_call(job, conn)) for job, future, loop, _sp in batch])
            return
        txn = Txn(conn)
        outcomes: list[tuple[Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job, _future, _loop, savepoint in batch:
                run = _run_in_savepoint if savepoint else _run_bare
                outcomes.append(run(txn, job))
            conn.execute("COMMIT")
        except BaseException as exc:  # anything: the batch did not commit, report it to all
            log.exception("group commit failed")
            _rollback(txn)
            for _job, future, loop, _sp in batch:
                _resolve(loop, future, None, exc)
            return
        _resolve_all(
            [
                (loop, future, result, error)
                for (_job, future, loop, _sp), (result, error) in zip(batch, outcomes, strict=True)
            ]
        )


def _call(job: Callable[[Any], Any], arg: Any) -> tuple[Any, BaseException | None]:
    try:
        return job(arg), None
    except Exception as exc:  # delivered to the awaiting coroutine
        return None, exc


def _run_in_savepoint(txn: Txn, job: Callable[[Any], Any]) -> tuple[Any, BaseException | None]:
    conn = txn.conn
    conn.execute("SAVEPOINT job")
    mark = len(txn._undo)
    result, error = _call(job, txn)
    if error is None:
        conn.execute("RELEASE job")
        return result, None
    conn.execute("ROLLBACK TO job")
    conn.execute("RELEASE job")
    _undo(txn, mark)
    return None, error


class PartialJobError(RuntimeError):
    """A job without a savepoint failed after changing the database: its batch is rolled back."""


def _run_bare(txn: Txn, job: Callable[[Any], Any]) -> tuple[Any, BaseException | None]:
    changes = txn.conn.total_changes
    mark = len(txn._undo)
    result, error = _call(job, txn)
    if error is None:
        return result, None
    # Some errors (disk full, I/O) make SQLite roll the whole transaction back by itself.
    if txn.conn.total_changes != changes or not txn.conn.in_transaction:
        raise PartialJobError("a job failed after changing the database") from error
    _undo(txn, mark)
    return None, error


def _rollback(txn: Txn) -> None:
    try:
        if txn.conn.in_transaction:
            txn.conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.exception("rollback failed")
    _undo(txn, 0)


def _undo(txn: Txn, mark: int) -> None:
    """Run the hooks registered since ``mark``, newest first. One failing hook must not stop
    the others (memory would then disagree with disk) nor the batch's futures from resolving."""
    hooks, txn._undo[mark:] = txn._undo[mark:], []
    for hook in reversed(hooks):
        try:
            hook()
        except Exception:
            log.exception("rollback hook failed")


def _deliver_all(results: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in results:
        _deliver(future, result, error)


def _resolve_all(
    results: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Any, BaseException | None]],
) -> None:
    """One wake-up per loop for a whole batch, rather than one per job."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Any]] = {}
    for loop, future, result, error in results:
        by_loop.setdefault(loop, []).append((future, result, error))
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_deliver_all, items)


def _resolve(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    # RuntimeError: the loop is closed, so nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_deliver, future, result, error)


class Store:
    """The database: ``await write(job)`` (job gets a Txn) and ``await read(job)`` (job gets a
    connection)."""

    def __init__(self, path: str, synchronous: str = "FULL") -> None:
        self.path = path
        self._writer = _Worker("gameservices-writer", path, synchronous, transactional=True)
        self._reader: _Worker | None = None
        if path != ":memory:":
            self._reader = _Worker("gameservices-reader", path, synchronous, transactional=False)

    async def open(self) -> None:
        self._writer.start()
        try:
            await self.write(lambda txn: None)  # the schema exists once the first batch ran
        except BaseException:
            await self.close()
            raise
        if self._reader is not None:
            self._reader.start()

    async def write(self, job: Callable[[Txn], T], *, savepoint: bool = True) -> T:
        """Run ``job`` in the next group commit; ``savepoint=False`` only for a job that changes
        the database in at most one statement (see the module's invariants)."""
        return await self._writer.submit(job, savepoint)

    async def read(self, job: Callable[[sqlite3.Connection], T]) -> T:
        if self._reader is None:
            return await self._writer.submit(lambda txn: job(txn.conn))
        return await self._reader.submit(job)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        if self._reader is not None:
            await loop.run_in_executor(None, self._reader.stop)
        await loop.run_in_executor(None, self._writer.stop)
