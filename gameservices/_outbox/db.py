"""The outbox's SQLite file, driven synchronously from ONE worker thread (never the loop).

Why SQLite rather than an fsync'd append log: a commit in WAL mode with ``synchronous=FULL`` is
fsync'd before it returns, survives a kill -9 or a power cut at any byte, detects torn writes with
its WAL checksums, and gives in-place updates (attempts, dead letters) and deletes without a
compaction scheme of our own. It is in the standard library and is what the server uses too.

Invariants:
- Rule 1: one ``OutboxDB`` per file, and one process: the file is opened with
  ``locking_mode=EXCLUSIVE``, so a second process (or a second client) gets a StorageError
  instead of delivering the same entries twice in parallel. The OS drops the lock on a kill -9.
- Rule 2: every write is one transaction; it has committed (and been fsync'd) when the method
  returns. ``seq`` comes from AUTOINCREMENT, so it only grows and is never reused: the highest
  ``seq`` ever handed out is the number of entries that ever reached the disk.
- Rule 3: an entry is *active* (``dead = 0``) until it is removed after a 2xx, or *dead*
  (``dead = 1``, a permanent failure), where it stays visible until pruned past ``max_dead``.
- Rule 4: every sqlite3/OSError leaves this module as StorageError (OutboxFull when at the cap).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._exceptions import OutboxFull, StorageError

__all__ = ["FILE_NAME", "SCHEMA_VERSION", "NewEntry", "OutboxDB", "OutboxEntry"]

FILE_NAME = "outbox.sqlite3"
SCHEMA_VERSION = 2  # 2: the kind column (leaderboard or tournament writes)
KINDS = ("leaderboard", "tournament", "event")  # event: ``board`` is its name (client.events)
_WHERE = {"leaderboard": "board", "tournament": "tournament"}
_COLUMNS = (
    "seq, board, score, subscore, metadata, operator, idempotency_key, created_at, attempts, "
    "last_error, dead, owner, kind"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    board TEXT NOT NULL,
    score INTEGER NOT NULL,
    subscore INTEGER NOT NULL,
    metadata TEXT,
    operator TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    dead INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    kind TEXT NOT NULL DEFAULT 'leaderboard'
)
"""
_ADD_KIND = "ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'leaderboard'"
logger = logging.getLogger("gameservices.outbox")


@dataclass(frozen=True)
class OutboxEntry:
    """One queued write (a leaderboard or tournament score, or an event), as stored.

    ``idempotency_key`` never changes once stored."""

    seq: int
    board: str
    score: int
    subscore: int
    metadata: dict[str, Any] | None
    operator: str | None  # an Operator name, or None for the board's default
    idempotency_key: str
    created_at: float
    attempts: int = 0
    last_error: str | None = None
    dead: bool = False
    owner: str | None = None  # the user logged in at submit time (None: whoever delivers it)
    kind: str = "leaderboard"  # what ``board`` names: a leaderboard, a tournament or an event

    def describe(self) -> str:
        """How messages name it: ``score #3 for board 'weekly'``, ``event #4 'level_end'``."""
        if self.kind == "event":
            return f"event #{self.seq} {self.board!r}"
        return f"score #{self.seq} for {_WHERE.get(self.kind, 'board')} {self.board!r}"


@dataclass(frozen=True)
class NewEntry:
    """A validated write about to be appended (everything but its seq)."""

    board: str
    score: int
    subscore: int
    metadata: dict[str, Any] | None
    operator: str | None
    key: str
    created: float
    owner: str | None = None
    kind: str = "leaderboard"

    def entry(self, seq: int) -> OutboxEntry:
        return OutboxEntry(
            seq,
            self.board,
            self.score,
            self.subscore,
            self.metadata,
            self.operator,
            self.key,
            self.created,
            owner=self.owner,
            kind=self.kind,
        )


class OutboxDB:
    """The outbox table. Not thread-safe by design: only the outbox's worker thread calls it."""

    def __init__(self, data_dir: Path, *, max_entries: int, max_dead: int) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self.max_entries = max_entries
        self.max_dead = max_dead
        self._conn: sqlite3.Connection | None = None
        self._active = 0  # authoritative: this connection is the only writer (Rule 1)

    @contextmanager
    def _storage(self, action: str) -> Iterator[None]:
        try:
            yield
        except StorageError:  # ours already (it is an OSError too): pass it through untouched
            raise
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StorageError(
                    f"the outbox {self.path} is in use by another process or client: "
                    "only one client may use a data_dir at a time"
                ) from exc
            raise StorageError(f"could not {action} the outbox {self.path}: {exc}") from exc
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"could not {action} the outbox {self.path}: {exc}") from exc

    def open(self) -> None:
        with self._storage("open"):
            if self.path.parent.exists() and not self.path.parent.is_dir():
                raise StorageError(f"data_dir {self.path.parent} exists and is not a directory")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=0.2)
            try:
                self._prepare(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(f"the outbox {self.path} cannot use WAL mode ({mode})")
        conn.execute("PRAGMA synchronous=FULL")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StorageError(
                f"the outbox {self.path} is corrupt ({check}); move it aside to start "
                "over (its undelivered scores and events are then lost)"
            )
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"the outbox {self.path} was written by a newer gameservices "
                f"(schema {version}, this one knows {SCHEMA_VERSION})"
            )
        conn.execute("BEGIN IMMEDIATE")  # takes the exclusive lock now (Rule 1)
        conn.execute(_SCHEMA)
        if version == 1:  # a file of a version before tournaments: its entries are leaderboards'
            conn.execute(_ADD_KIND)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
        self._active = conn.execute("SELECT COUNT(*) FROM outbox WHERE dead = 0").fetchone()[0]

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"the outbox {self.path} is not open")
        return self._conn

    @property
    def active_count(self) -> int:
        return self._active

    def append(self, new: NewEntry) -> OutboxEntry:
        with self._storage("append to"):
            if self._active >= self.max_entries:
                raise OutboxFull(
                    f"the outbox {self.path} holds {self._active} undelivered entries, its "
                    f"cap (max_entries={self.max_entries}); the server has been unreachable or "
                    "is rejecting writes: check client.outbox.pending() and the log"
                )
            meta = None if new.metadata is None else json.dumps(new.metadata, sort_keys=True)
            cur = self.conn.execute(
                "INSERT INTO outbox (board, score, subscore, metadata, operator, "
                "idempotency_key, created_at, owner, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.board,
                    new.score,
                    new.subscore,
                    meta,
                    new.operator,
                    new.key,
                    new.created,
                    new.owner,
                    new.kind,
                ),
            )  # autocommit mode: the INSERT is its own committed, fsync'd transaction
            self._active += 1
            seq = cur.lastrowid
            assert seq is not None  # an INSERT into a rowid table always sets it
            return new.entry(seq)

    def peek(self) -> OutboxEntry | None:
        """The oldest active entry, or None."""
        with self._storage("read"):
            row = self.conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE dead = 0 ORDER BY seq LIMIT 1"
            ).fetchone()
            return None if row is None else _entry(row)

    def remove(self, seq: int) -> None:
        """Forget an entry the server acknowledged with a 2xx."""
        with self._storage("update"):
            cur = self.conn.execute("DELETE FROM outbox WHERE seq = ? AND dead = 0", (seq,))
            self._active -= cur.rowcount

    def record_failure(self, seq: int, error: str) -> None:
        """Count a failed attempt on an entry that stays active."""
        with self._storage("update"):
            self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                (error, seq),
            )

    def bury(self, seq: int, error: str) -> None:
        """Move an entry to the dead letters (a permanent failure); prune the oldest of those."""
        with self._storage("update"):
            self.conn.execute("BEGIN IMMEDIATE")
            cur = self.conn.execute(
                "UPDATE outbox SET dead = 1, attempts = attempts + 1, last_error = ? "
                "WHERE seq = ? AND dead = 0",
                (error, seq),
            )
            pruned = self.conn.execute(
                "DELETE FROM outbox WHERE dead = 1 AND seq NOT IN "
                "(SELECT seq FROM outbox WHERE dead = 1 ORDER BY seq DESC LIMIT ?)",
                (self.max_dead,),
            ).rowcount
            self.conn.execute("COMMIT")
            self._active -= cur.rowcount
        if pruned:
            logger.warning(
                "outbox: dropped %d oldest dead letters (max_dead=%d)", pruned, self.max_dead
            )

    def entries(self, *, dead: bool) -> list[OutboxEntry]:
        with self._storage("read"):
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE dead = ? ORDER BY seq", (int(dead),)
            ).fetchall()
            return [_entry(row) for row in rows]

    def purge_dead(self) -> int:
        with self._storage("update"):
            return self.conn.execute("DELETE FROM outbox WHERE dead = 1").rowcount

    def last_seq(self) -> int:
        """The highest seq ever handed out (0 when none): the count of entries ever appended."""
        with self._storage("read"):
            row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
            found = row.fetchone()
            return 0 if found is None else int(found[0])

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with self._storage("close"):
                conn.close()


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    seq, board, score, subscore, meta, operator, key, created, attempts, error, dead, *rest = row
    owner, kind = rest
    return OutboxEntry(
        seq=seq,
        board=board,
        score=score,
        subscore=subscore,
        metadata=None if meta is None else json.loads(meta),
        operator=operator,
        idempotency_key=key,
        created_at=created,
        attempts=attempts,
        last_error=error,
        dead=bool(dead),
        owner=owner,
        kind=kind,
    )
