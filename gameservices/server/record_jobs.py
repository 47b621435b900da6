"""Leaderboard jobs that run on the store's threads: write, delete, list, around an owner.

Invariants:
- Records live per board period (``expiry``: the period's reset time, 0 on a board that never
  resets); a write or delete touches the current period, a read the period it asked for.
- A write applies Nakama's operator and its filter (``scoring``): a write that does not pass
  the filter changes nothing, neither the record nor ``num_score``, metadata or update time.
  One that passes is one upsert, moves the owner's key in the period's rank index (undone if the
  batch does not commit) and, with an Idempotency-Key, stores the exact response body in the
  same transaction.
- Read jobs take positions from the rank index under its lock, then fetch those rows by primary
  key: no COUNT and no OFFSET queries. A read may see a write's new position a moment before its
  commit (the index moves inside the transaction); a row that is not there yet is skipped.
- A board without ranks answers no rank and no ``rank_count``, except the page positions of a
  top list, as Nakama does.
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
from .._protocol.wire import GrpcCode, Operator, dumps
from .config import Board
from .cursors import Cursor, CursorCodec
from .errors import ApiFailure
from .idempotency import IdempotencyClaim, remember, replay_of
from .ranks import RankIndex, Ranks, uuid_number
from .scoring import apply_write
from .sqlite_store import Txn

__all__ = [
    "ListQuery",
    "WriteRequest",
    "WriteResult",
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


@dataclass(frozen=True)
class ListQuery:
    board: Board
    expiry: int
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


def _fetch(
    conn: sqlite3.Connection, board: Board, expiry: int, entries: Iterable[tuple[int, int]]
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
            f" WHERE r.board = ? AND r.expiry = ? AND r.owner IN ({marks})",
            (board.id, expiry, *chunk),
        ):
            rows[r[0]] = r[1:]
    return [
        record_json(board.id, *rows[o], rank, expiry_time=expiry)
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


_EMPTY = Page([], None, None, 0)


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


def _unranked(entries: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(0, key) for _, key in entries]


def _list_body(
    conn: sqlite3.Connection,
    board: Board,
    expiry: int,
    page: Page,
    owner_entries: list[tuple[int, int]],
    codec: CursorCodec,
) -> dict[str, Any]:
    def cursor(key: int | None, forward: bool) -> str:
        return "" if key is None else codec.encode(Cursor(board.id, expiry, key, forward))

    return record_list_json(
        _fetch(conn, board, expiry, page.entries),
        _fetch(conn, board, expiry, owner_entries),
        cursor(page.next_key, True),
        cursor(page.prev_key, False),
        page.total if board.ranks else 0,
    )


def list_records(
    conn: sqlite3.Connection, query: ListQuery, ranks: Ranks, codec: CursorCodec
) -> dict[str, Any]:
    board = query.board
    owners = _owner_rowids(conn, query.owner_ids) if query.owner_ids else []
    with ranks.lock:
        index = ranks.peek(board.id, query.expiry)
        if index is None:
            return {}
        page = Page([], None, None, len(index))
        if query.limit is not None:
            # A top list numbers its records by position, ranked board or not (as Nakama).
            page = _page(index, query.limit, query.cursor)
        owner_entries = []
        for owner in owners:
            key = index.key_of(owner)
            if key is not None:
                owner_entries.append((index.rank_of(owner) or 0, key))
    owner_entries.sort(key=lambda entry: entry[1])  # board order
    if not board.ranks:
        owner_entries = _unranked(owner_entries)
    return _list_body(conn, board, query.expiry, page, owner_entries, codec)


def list_around(
    conn: sqlite3.Connection,
    query: ListQuery,
    owner_uuid: str,
    ranks: Ranks,
    codec: CursorCodec,
) -> dict[str, Any]:
    board, limit, cursor = query.board, query.limit or 1, query.cursor
    owners = _owner_rowids(conn, [owner_uuid])
    with ranks.lock:
        index = ranks.peek(board.id, query.expiry)
        rank = index.rank_of(owners[0]) if index is not None and owners else None
        if index is None or (rank is None and cursor is None):
            return {}  # Nakama: no record of this owner in this period, no page
        # Centre the owner in the window, shifted to stay within the board.
        start = None if rank is None else rank - 1 - (limit - 1) // 2
        page = _page(index, limit, cursor, start)
    if not board.ranks:
        page = Page(_unranked(page.entries), page.next_key, page.prev_key, 0)
    return _list_body(conn, board, query.expiry, page, [], codec)
