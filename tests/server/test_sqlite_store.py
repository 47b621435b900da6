"""The store: group commit with per-job savepoints, rollback hooks, reads off the loop."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from gameservices.server.sqlite_store import PartialJobError, Store, Txn


@pytest.fixture(params=[":memory:", "file"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    path = ":memory:" if request.param == ":memory:" else str(tmp_path / "s.db")
    s = Store(path)
    await s.open()
    await s.write(lambda txn: txn.conn.execute("CREATE TABLE t(v INTEGER UNIQUE)"))
    yield s
    await s.close()


def insert(value: int, undone: list[int] | None = None) -> Callable[[Txn], int]:
    def job(txn: Txn) -> int:
        if undone is not None:
            txn.on_rollback(lambda: undone.append(value))
        txn.conn.execute("INSERT INTO t(v) VALUES (?)", (value,))
        return value

    return job


async def test_a_failing_job_rolls_back_alone(store: Store) -> None:
    undone: list[int] = []
    results = await asyncio.gather(
        store.write(insert(1)),
        store.write(insert(1, undone)),  # violates UNIQUE inside the same batch
        store.write(insert(2)),
        return_exceptions=True,
    )
    assert results[0] == 1
    assert results[2] == 2
    assert "UNIQUE" in str(results[1])
    assert undone == [1]
    rows = await store.read(lambda conn: conn.execute("SELECT v FROM t ORDER BY v").fetchall())
    assert rows == [(1,), (2,)]


async def test_unopenable_database_fails_open_with_the_reason(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "missing-dir" / "x.db"))
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        await store.open()
    await store.close()  # closing after a failed open is harmless


def _deny_commit(action: int, arg1: str | None, *_: object) -> int:
    if action == sqlite3.SQLITE_TRANSACTION and arg1 == "COMMIT":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


async def test_a_failed_commit_runs_every_rollback_hook_even_if_one_raises(store: Store) -> None:
    undone: list[str] = []

    def broken_hook() -> None:
        raise RuntimeError("a broken rollback hook")

    def job(txn: Txn) -> None:
        # Setting an authorizer expires cached statements: this batch's COMMIT is refused.
        txn.conn.set_authorizer(_deny_commit)
        txn.on_rollback(lambda: undone.append("first"))
        txn.on_rollback(broken_hook)
        txn.conn.execute("INSERT INTO t(v) VALUES (7)")

    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        await asyncio.wait_for(store.write(job), timeout=60)  # no hang if a hook raises
    # set_authorizer(None) exists only from Python 3.11; an allow-all one lifts the denial.
    await store.write(lambda txn: txn.conn.set_authorizer(lambda *_: sqlite3.SQLITE_OK))
    assert undone == ["first"]
    assert await store.read(lambda conn: conn.execute("SELECT v FROM t").fetchall()) == []


def file_modes(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mode & 0o777 for p in directory.iterdir()}


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
async def test_database_files_are_private(tmp_path: Path) -> None:
    # They hold scrypt hashes and refresh-token digests: 0600 whatever the umask.
    old_umask = os.umask(0o022)
    try:
        store = Store(str(tmp_path / "p.db"))
        await store.open()
    finally:
        os.umask(old_umask)
    try:
        await store.write(lambda txn: txn.conn.execute("CREATE TABLE t(v)"))
        modes = await asyncio.to_thread(file_modes, tmp_path)
    finally:
        await store.close()
    assert modes == {"p.db": 0o600, "p.db-wal": 0o600, "p.db-shm": 0o600}


async def test_a_job_without_savepoint_that_fails_before_changing_rolls_back_alone(
    store: Store,
) -> None:
    undone: list[int] = []
    results = await asyncio.gather(
        store.write(insert(1)),
        store.write(insert(1, undone), savepoint=False),  # UNIQUE: the statement changes nothing
        store.write(insert(2), savepoint=False),
        return_exceptions=True,
    )
    assert results[0] == 1
    assert results[2] == 2
    assert "UNIQUE" in str(results[1])
    assert undone == [1]
    rows = await store.read(lambda conn: conn.execute("SELECT v FROM t ORDER BY v").fetchall())
    assert rows == [(1,), (2,)]


async def test_a_job_without_savepoint_that_fails_after_a_change_fails_its_batch(
    store: Store,
) -> None:
    undone: list[int] = []

    await store.write(insert(1))

    def two_statements(txn: Txn) -> None:
        insert(3, undone)(txn)
        insert(1)(txn)  # UNIQUE, after a change that cannot be undone alone

    with pytest.raises(PartialJobError) as caught:
        await store.write(two_statements, savepoint=False)
    assert "UNIQUE" in str(caught.value.__cause__)
    assert undone == [3]
    assert await store.read(lambda conn: conn.execute("SELECT v FROM t").fetchall()) == [(1,)]
