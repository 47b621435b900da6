"""The outbox file: durability across reopen and abrupt exit, order, cap, dead letters, errors."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gameservices import OutboxFull, StorageError, UsageError
from gameservices._outbox.db import FILE_NAME, OutboxDB
from gameservices._outbox.store import OutboxStore, new_entry


def _db(path: Path, *, max_entries: int = 100, max_dead: int = 10) -> OutboxDB:
    db = OutboxDB(path, max_entries=max_entries, max_dead=max_dead)
    db.open()
    return db


def test_entries_survive_reopen_in_order_with_their_keys(tmp_path: Path) -> None:
    db = _db(tmp_path)
    added = [
        db.append(new_entry("weekly", n, n + 1, {"n": n}, "incr", owner=f"user-{n}"))
        for n in range(3)
    ]
    db.close()

    db = _db(tmp_path)
    assert db.entries(dead=False) == added
    assert [e.seq for e in added] == [1, 2, 3]
    assert added[0].operator == "INCREMENT"
    assert added[2].metadata == {"n": 2}
    assert added[1].owner == "user-1"
    assert len({e.idempotency_key for e in added}) == 3
    assert db.active_count == 3
    db.close()


def test_an_append_survives_an_abrupt_exit(tmp_path: Path) -> None:
    # os._exit skips every close and flush: only what the commit put on disk remains.
    code = (
        "import os, sys; from pathlib import Path\n"
        "from gameservices._outbox.store import new_entry\n"
        "from gameservices._outbox.db import OutboxDB\n"
        "db = OutboxDB(Path(sys.argv[1]), max_entries=10, max_dead=1); db.open()\n"
        "print(db.append(new_entry('kills', 7)).idempotency_key, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    db = _db(tmp_path)
    (entry,) = db.entries(dead=False)
    assert (entry.board, entry.score, entry.idempotency_key) == ("kills", 7, out.stdout.strip())
    db.close()


def test_peek_is_the_oldest_and_remove_moves_on_without_reusing_seqs(tmp_path: Path) -> None:
    db = _db(tmp_path)
    first, second = db.append(new_entry("b", 1)), db.append(new_entry("b", 2))
    assert db.peek() == first
    db.remove(first.seq)
    assert db.peek() == second
    db.remove(second.seq)
    assert db.peek() is None
    assert db.append(new_entry("b", 3)).seq == 3  # AUTOINCREMENT: a seq is never reused
    assert db.last_seq() == 3
    db.close()


def test_the_cap_refuses_with_a_clear_error_and_survives_reopen(tmp_path: Path) -> None:
    db = _db(tmp_path, max_entries=2)
    first = db.append(new_entry("b", 1))
    db.append(new_entry("b", 2))
    with pytest.raises(OutboxFull, match=r"holds 2 undelivered entries.*max_entries=2"):
        db.append(new_entry("b", 3))
    db.close()

    db = _db(tmp_path, max_entries=2)
    with pytest.raises(OutboxFull):
        db.append(new_entry("b", 3))
    db.remove(first.seq)
    assert db.append(new_entry("b", 3)).score == 3
    db.close()


def test_dead_letters_leave_the_queue_stay_visible_and_are_pruned(tmp_path: Path) -> None:
    db = _db(tmp_path, max_dead=2)
    entries = [db.append(new_entry("b", n)) for n in range(4)]
    db.record_failure(entries[0].seq, "ConnectError: down")
    for entry in entries[:3]:
        db.bury(entry.seq, "InvalidArgument: HTTP 400")
    assert db.entries(dead=False) == [entries[3]]
    assert db.active_count == 1
    dead = db.entries(dead=True)
    assert [e.seq for e in dead] == [2, 3]  # the oldest dead letter was pruned (max_dead=2)
    assert all(e.dead and e.last_error == "InvalidArgument: HTTP 400" for e in dead)
    assert db.purge_dead() == 2
    assert db.entries(dead=True) == []
    db.close()


def test_failed_attempts_are_counted_on_disk(tmp_path: Path) -> None:
    db = _db(tmp_path)
    entry = db.append(new_entry("b", 1))
    db.record_failure(entry.seq, "ConnectError: refused")
    db.record_failure(entry.seq, "ServerError: HTTP 503")
    stored = db.peek()
    assert stored is not None
    assert (stored.attempts, stored.last_error) == (2, "ServerError: HTTP 503")
    db.close()


def test_a_data_dir_that_is_a_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="not a directory"):
        _db(tmp_path / "file")


def test_a_corrupt_file_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match=FILE_NAME):
        _db(tmp_path)


def test_a_second_user_of_the_same_file_is_refused(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with pytest.raises(StorageError, match="in use by another process or client"):
        _db(tmp_path)
    db.close()
    _db(tmp_path).close()  # free again once the first one closed


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("", 1), TypeError, "board"),
        (("b", True), TypeError, "score must be an int"),
        (("b", 1.5), TypeError, "score must be an int"),
        (("b", 2**63), ValueError, "int64"),
        (("b", 1, -(2**63) - 1), ValueError, "subscore"),
        (("b", 1, 0, {"x": object()}), TypeError, "JSON"),
        (("b", 1, 0, {"x": "y" * 20_000}), ValueError, "16384 bytes"),
        (("b", 1, 0, ["x"]), TypeError, "metadata must be a dict"),
        (("b", 1, 0, None, "sideways"), ValueError, "operator"),
    ],
)
def test_bad_writes_are_refused_before_reaching_disk(
    args: tuple[object, ...], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        new_entry(*args)  # type: ignore[arg-type]  # deliberately wrong types


def test_operators_accept_names_numbers_and_short_aliases() -> None:
    assert new_entry("b", 1, operator="best").operator == "BEST"
    assert new_entry("b", 1, operator=4).operator == "DECREMENT"
    assert new_entry("b", 1, operator="decr").operator == "DECREMENT"
    assert new_entry("b", 1).operator is None


async def test_concurrent_appends_are_serialised_off_the_loop(tmp_path: Path) -> None:
    # blockbuster is active here: any sqlite call on the loop thread would fail this test.
    store = OutboxStore(tmp_path / "nested" / "dir")
    entries = await asyncio.gather(*(store.append(new_entry("b", n)) for n in range(200)))
    assert sorted(e.seq for e in entries) == list(range(1, 201))
    assert len({e.idempotency_key for e in entries}) == 200
    assert [e.seq for e in await store.pending()] == list(range(1, 201))
    assert store.active_count == 200
    await store.close()

    reopened = OutboxStore(tmp_path / "nested" / "dir")
    assert len(await reopened.pending()) == 200
    await reopened.close()


async def test_a_closed_store_is_a_usage_error(tmp_path: Path) -> None:
    store = OutboxStore(tmp_path)
    await store.append(new_entry("b", 1))
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(UsageError, match="closed"):
        await store.pending()


_SCHEMA_1 = """
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL, score INTEGER NOT NULL,
    subscore INTEGER NOT NULL, metadata TEXT, operator TEXT,
    idempotency_key TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, dead INTEGER NOT NULL DEFAULT 0,
    owner TEXT
)
"""


def test_a_file_of_schema_1_keeps_its_entries_as_leaderboard_writes(tmp_path: Path) -> None:
    """Before tournaments the outbox held leaderboard writes only: they stay those."""
    conn = sqlite3.connect(tmp_path / FILE_NAME)
    conn.execute(_SCHEMA_1)
    conn.execute(
        "INSERT INTO outbox (board, score, subscore, idempotency_key, created_at)"
        " VALUES ('weekly', 5, 0, 'key-1', 1.0)"
    )
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    db = _db(tmp_path)
    (old,) = db.entries(dead=False)
    assert (old.board, old.score, old.kind, old.idempotency_key) == (
        "weekly",
        5,
        "leaderboard",
        "key-1",
    )
    cup = db.append(new_entry("cup", 7, kind="tournament"))
    db.close()
    db = _db(tmp_path)
    assert [e.kind for e in db.entries(dead=False)] == ["leaderboard", "tournament"]
    assert db.entries(dead=False)[1] == cup
    db.close()
    with pytest.raises(ValueError, match="kind must be one of"):
        new_entry("cup", 7, kind="group")
