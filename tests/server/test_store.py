"""The store: group commit with per-job savepoints, rollback hooks, reads off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from gameservices.server.store import Store, Txn


@pytest.fixture(params=[":memory:", "file"])
async def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = ":memory:" if request.param == ":memory:" else str(tmp_path / "s.db")
    s = Store(path)
    await s.open()
    await s.write(lambda txn: txn.conn.execute("CREATE TABLE t(v INTEGER UNIQUE)"))
    yield s
    await s.close()


def insert(value: int, undone: list[int] | None = None):  # type: ignore[no-untyped-def]
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
