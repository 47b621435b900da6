"""Leaderboard write jobs that run on the store's writer thread: write and delete.

Invariants:
- Records live per board period (``expiry``: the period's reset time, 0 on a board that never
  resets); a write or delete touches the current period (reads: ``record_reads``).
- A write applies Nakama's operator and its filter (``scoring``): a write that does not pass
  the filter changes nothing, neither the record nor ``num_score``, metadata or update time.
  One that passes is one upsert, moves the owner's key in the period's rank index (undone if the
  batch does not commit) and, with an Idempotency-Key, stores the exact response body in the
  same transaction.
- A board without ranks answers no rank. Bodies are built by ``_protocol.bodies`` (Nakama's
  field names, int64 as strings, zero values omitted), the same rules the client parses them
  with.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .._protocol.bodies import record_json
from .._protocol.request_rules import RecordWrite
from .._protocol.wire import GrpcCode, Operator, dumps
from .config import Board
from .errors import ApiFailure
from .idempotency import IdempotencyClaim, remember, replay_of
from .ranks import Ranks, uuid_number
from .scoring import apply_write
from .sqlite_store import Txn

__all__ = ["WriteRequest", "WriteResult", "delete_record", "write_record"]


@dataclass(frozen=True)
class WriteRequest:
    """A validated write (``write``, with ``operator`` resolved) by ``user_id`` on ``board`` at
    ``now`` (epoch seconds), in the period ending at ``expiry``."""

    board: Board
    user_id: str
    write: RecordWrite
    operator: Operator
    now: int
    expiry: int
    claim: IdempotencyClaim | None


@dataclass(frozen=True)
class WriteResult:
    """What a write or delete job answers: the JSON text, and whether it is a stored replay."""

    body: str
    replayed: bool = False


_USER_CACHE_SIZE = 200_000


def _user_row(conn: sqlite3.Connection, user_id: str, ranks: Ranks) -> tuple[int, str]:
    cached = ranks.users.get(user_id)
    if cached is not None:
        return cached
    row = conn.execute("SELECT id, username FROM users WHERE uuid = ?", (user_id,)).fetchone()
    if row is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "User account not found.")
    if len(ranks.users) >= _USER_CACHE_SIZE:
        ranks.users.clear()
    ranks.users[user_id] = found = (int(row[0]), str(row[1]))
    return found


def write_record(txn: Txn, req: WriteRequest, ranks: Ranks) -> WriteResult:
    conn = txn.conn
    owner, username = _user_row(conn, req.user_id, ranks)
    replay = replay_of(conn, req.claim)
    if replay is not None:
        return WriteResult(replay, replayed=True)
    board, write = req.board, req.write
    old = conn.execute(
        "SELECT score, subscore, num_score, metadata, create_time, update_time FROM records"
        " WHERE board = ? AND expiry = ? AND owner = ?",
        (board.id, req.expiry, owner),
    ).fetchone()
    descending = board.sort.value == 1
    old_pair = None if old is None else (old[0], old[1])
    result = apply_write(req.operator, descending, old_pair, (write.score, write.subscore))
    if result.changed:
        num_score = 1 if old is None else old[2] + 1
        metadata = write.metadata if write.metadata is not None else (old[3] if old else "{}")
        created, updated = (req.now if old is None else old[4]), req.now
        row = (result.pair, num_score, metadata, created, updated)
        _upsert(conn, board.id, req.expiry, owner, *row)
        with ranks.lock:
            index = ranks.index(board.id, req.expiry)
            previous = index.put(owner, index.pack(*result.pair, uuid_number(req.user_id), owner))
            rank = index.rank_of(owner)
        txn.on_rollback(lambda: _undo(ranks, board.id, req.expiry, owner, previous))
    else:  # Nakama's filter refused the write: the record stays as it was
        num_score, metadata, created, updated = old[2], old[3], old[4], old[5]
        with ranks.lock:
            rank = ranks.index(board.id, req.expiry).rank_of(owner)
    record = (req.user_id, username, *result.pair, num_score, metadata, created, updated)
    ranked = rank if board.ranks else None
    body = dumps(record_json(board.id, *record, ranked, expiry_time=req.expiry))
    remember(conn, req.claim, 200, body)
    return WriteResult(body)


def _upsert(
    conn: sqlite3.Connection,
    board_id: str,
    expiry: int,
    owner: int,
    pair: tuple[int, int],
    num_score: int,
    metadata: str,
    created: int,
    updated: int,
) -> None:
    """One statement, so a write without a savepoint stays safe (``sqlite_store``)."""
    conn.execute(
        "INSERT INTO records(board, expiry, owner, score, subscore, num_score, metadata,"
        " create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(board, expiry, owner) DO UPDATE SET score = excluded.score,"
        " subscore = excluded.subscore, num_score = excluded.num_score,"
        " metadata = excluded.metadata, update_time = excluded.update_time",
        (board_id, expiry, owner, *pair, num_score, metadata, created, updated),
    )


def _undo(ranks: Ranks, board_id: str, expiry: int, owner: int, previous: int | None) -> None:
    with ranks.lock:
        ranks.index(board_id, expiry).restore(owner, previous)


def delete_record(
    txn: Txn,
    board: Board,
    expiry: int,
    user_id: str,
    claim: IdempotencyClaim | None,
    ranks: Ranks,
) -> WriteResult:
    conn = txn.conn
    owner, _ = _user_row(conn, user_id, ranks)
    replay = replay_of(conn, claim)
    if replay is not None:
        return WriteResult(replay, replayed=True)
    conn.execute(
        "DELETE FROM records WHERE board = ? AND expiry = ? AND owner = ?",
        (board.id, expiry, owner),
    )
    with ranks.lock:
        previous = ranks.index(board.id, expiry).remove(owner)
    txn.on_rollback(lambda: _undo(ranks, board.id, expiry, owner, previous))
    remember(conn, claim, 200, "{}")
    return WriteResult("{}")
