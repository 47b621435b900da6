"""Leaderboard jobs that run on the store's threads: write, delete, list, around an owner.

Invariants:
- A write job reads the owner's record, applies the operator, upserts it, moves the owner's key in
  the rank index (undone if the batch does not commit) and, with an Idempotency-Key, stores the
  exact response body in the same transaction.
- Read jobs take positions from the rank index under its lock, then fetch those rows by primary
  key: no COUNT and no OFFSET queries. A read may see a write's new position a moment before its
  commit (the index moves inside the transaction); a row that is not there yet is skipped.
- Bodies are built by ``_protocol.bodies`` (Nakama's field names, int64 as strings, zero values
  omitted), the same rules the client parses them with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._protocol.bodies import record_json, record_list_json
from .._protocol.request_rules import RecordWrite
from .._protocol.wire import GrpcCode, Operator, check_int64, dumps
from .config import Board
from .cursors import Cursor, CursorCodec
from .errors import ApiFailure
from .idempotency import IdempotencyClaim, remember, replay_of
from .ranks import RankIndex, Ranks
from .sqlite_store import Txn

__all__ = [
    "ListQuery",
    "WriteRequest",
    "WriteResult",
    "apply_operator",
    "delete_record",
    "list_around",
    "list_records",
    "write_record",
]

_CHUNK = 500
# owner uuid, username, score, subscore, num_score, metadata, create_time, update_time
RecordRow = tuple[str, str, int, int, int, str, int, int]


@dataclass(frozen=True)
class WriteRequest:
    """A validated write (``write``) by ``user_id`` on ``board`` at ``now`` (epoch seconds)."""

    board: Board
    user_id: str
    write: RecordWrite
    now: int
    claim: IdempotencyClaim | None


@dataclass(frozen=True)
class WriteResult:
    """What a write or delete job answers: the JSON text, and whether it is a stored replay."""

    body: str
    replayed: bool = False


@dataclass(frozen=True)
class ListQuery:
    board: Board
    limit: int | None
    cursor: Cursor | None
    owner_ids: Sequence[str]


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


def _check_range(value: int, field: str) -> int:
    try:
        return check_int64(value, field)
    except ValueError as exc:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, str(exc)) from None


def apply_operator(
    op: Operator, descending: bool, old: tuple[int, int] | None, new: tuple[int, int]
) -> tuple[int, int]:
    """The (score, subscore) after a write, as Nakama's operators define it."""
    if old is None:
        if op is Operator.DECREMENT:
            return 0, 0
        return new
    if op is Operator.SET:
        return new
    if op is Operator.INCREMENT:
        return _check_range(old[0] + new[0], "score"), _check_range(old[1] + new[1], "subscore")
    if op is Operator.DECREMENT:
        # Nakama floors decrements at zero.
        return max(old[0] - new[0], 0), max(old[1] - new[1], 0)
    better = max(old, new) if descending else min(old, new)
    return better


def write_record(txn: Txn, req: WriteRequest, ranks: Ranks) -> WriteResult:
    conn = txn.conn
    owner, username = _user_row(conn, req.user_id, ranks)
    replay = replay_of(conn, req.claim)
    if replay is not None:
        return WriteResult(replay, replayed=True)
    board = req.board
    old = conn.execute(
        "SELECT score, subscore, num_score, metadata, create_time, seq FROM records"
        " WHERE board = ? AND owner = ?",
        (board.id, owner),
    ).fetchone()
    write = req.write
    op = board.operator if write.operator is Operator.NO_OVERRIDE else write.operator
    descending = board.sort.value == 1
    old_pair = None if old is None else (old[0], old[1])
    score, subscore = apply_operator(op, descending, old_pair, (write.score, write.subscore))
    num_score = 1 if old is None else old[2] + 1
    metadata = write.metadata if write.metadata is not None else (old[3] if old else "{}")
    created = req.now if old is None else old[4]
    # Ties are ordered by when the position was reached: unchanged scores keep their seq.
    seq = old[5] if old is not None and old_pair == (score, subscore) else ranks.next_seq()
    conn.execute(
        "INSERT INTO records(board, owner, score, subscore, num_score, metadata, create_time,"
        " update_time, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(board, owner) DO UPDATE SET score = excluded.score,"
        " subscore = excluded.subscore, num_score = excluded.num_score,"
        " metadata = excluded.metadata, update_time = excluded.update_time, seq = excluded.seq",
        (board.id, owner, score, subscore, num_score, metadata, created, req.now, seq),
    )
    with ranks.lock:
        index = ranks.boards[board.id]
        previous = index.put(owner, index.pack(score, subscore, seq, owner))
        rank = index.rank_of(owner)
    txn.on_rollback(lambda: _undo(ranks, board.id, owner, previous))
    record = (req.user_id, username, score, subscore, num_score, metadata, created, req.now)
    body = dumps(record_json(board.id, *record, rank))
    remember(conn, req.claim, 200, body)
    return WriteResult(body)


def _undo(ranks: Ranks, board_id: str, owner: int, previous: int | None) -> None:
    with ranks.lock:
        ranks.boards[board_id].restore(owner, previous)


def delete_record(
    txn: Txn, board: Board, user_id: str, claim: IdempotencyClaim | None, ranks: Ranks
) -> WriteResult:
    conn = txn.conn
    owner, _ = _user_row(conn, user_id, ranks)
    replay = replay_of(conn, claim)
    if replay is not None:
        return WriteResult(replay, replayed=True)
    conn.execute("DELETE FROM records WHERE board = ? AND owner = ?", (board.id, owner))
    with ranks.lock:
        previous = ranks.boards[board.id].remove(owner)
    txn.on_rollback(lambda: _undo(ranks, board.id, owner, previous))
    remember(conn, claim, 200, "{}")
    return WriteResult("{}")


def _fetch(
    conn: sqlite3.Connection, board_id: str, entries: Iterable[tuple[int, int]]
) -> list[dict[str, Any]]:
    """Rows for (rank, key) entries, in order; rows that vanished meanwhile are skipped."""
    entries = list(entries)
    owners = [RankIndex.owner_of(k) for _, k in entries]
    rows: dict[int, RecordRow] = {}
    for i in range(0, len(owners), _CHUNK):
        chunk = owners[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            "SELECT r.owner, u.uuid, u.username, r.score, r.subscore, r.num_score, r.metadata,"
            " r.create_time, r.update_time FROM records r JOIN users u ON u.id = r.owner"
            f" WHERE r.board = ? AND r.owner IN ({marks})",
            (board_id, *chunk),
        ):
            rows[r[0]] = r[1:]
    return [
        record_json(board_id, *rows[o], rank)
        for (rank, _), o in zip(entries, owners, strict=True)
        if o in rows
    ]


def _owner_rowids(conn: sqlite3.Connection, uuids: Sequence[str]) -> list[int]:
    found: list[int] = []
    for i in range(0, len(uuids), _CHUNK):
        chunk = list(uuids[i : i + _CHUNK])
        marks = ",".join("?" * len(chunk))
        found += [
            int(r[0]) for r in conn.execute(f"SELECT id FROM users WHERE uuid IN ({marks})", chunk)
        ]
    return found


@dataclass(frozen=True)
class Page:
    """A window of (rank, key) entries and the keys the next/previous cursors start from."""

    entries: list[tuple[int, int]]
    next_key: int | None
    prev_key: int | None
    total: int


def _page(index: RankIndex, limit: int, cursor: Cursor | None, start: int | None = None) -> Page:
    """The page a query asks for (call under the lock)."""
    total = len(index)
    if cursor is None:
        begin = 0 if start is None else max(0, min(start, total - limit))
    elif cursor.forward:
        begin = index.position_after(cursor.key)
    else:
        end = index.position_before(cursor.key)
        begin, limit = max(0, end - limit), min(limit, end)
    entries = index.slice(begin, begin + limit)
    more_after = bool(entries) and begin + len(entries) < total
    more_before = bool(entries) and begin > 0
    return Page(
        entries,
        entries[-1][1] if more_after else None,
        entries[0][1] if more_before else None,
        total,
    )


def _list_body(
    conn: sqlite3.Connection,
    board_id: str,
    page: Page,
    owner_entries: list[tuple[int, int]],
    codec: CursorCodec,
) -> dict[str, Any]:
    def cursor(key: int | None, forward: bool) -> str:
        return "" if key is None else codec.encode(Cursor(board_id, key, forward))

    return record_list_json(
        _fetch(conn, board_id, page.entries),
        _fetch(conn, board_id, owner_entries),
        cursor(page.next_key, True),
        cursor(page.prev_key, False),
        page.total,
    )


def list_records(
    conn: sqlite3.Connection, query: ListQuery, ranks: Ranks, codec: CursorCodec
) -> dict[str, Any]:
    owners = _owner_rowids(conn, query.owner_ids) if query.owner_ids else []
    with ranks.lock:
        index = ranks.boards[query.board.id]
        page = Page([], None, None, len(index))
        if query.limit is not None:
            page = _page(index, query.limit, query.cursor)
        owner_entries = []
        for owner in owners:
            key = index.key_of(owner)
            if key is not None:
                owner_entries.append((index.rank_of(owner) or 0, key))
    owner_entries.sort()
    return _list_body(conn, query.board.id, page, owner_entries, codec)


def list_around(
    conn: sqlite3.Connection,
    board: Board,
    owner_uuid: str,
    limit: int,
    cursor: Cursor | None,
    ranks: Ranks,
    codec: CursorCodec,
) -> dict[str, Any]:
    owners = _owner_rowids(conn, [owner_uuid])
    with ranks.lock:
        index = ranks.boards[board.id]
        rank = index.rank_of(owners[0]) if owners else None
        if rank is None and cursor is None:
            page = Page([], None, None, len(index))
        else:
            # Centre the owner in the window, shifted to stay within the board.
            start = None if rank is None else rank - 1 - (limit - 1) // 2
            page = _page(index, limit, cursor, start)
    return _list_body(conn, board.id, page, [], codec)
