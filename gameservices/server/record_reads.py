"""Leaderboard read jobs that run on the store's reader thread: list and around an owner.

Invariants:
- A read takes the period it asked for (``expiry``); a period that never held a record is ``{}``.
- Read jobs take positions from the period's rank index under its lock, then fetch those rows by
  primary key: no COUNT and no OFFSET queries. A read may see a write's new position a moment
  before its commit (the index moves inside the transaction); a row that is not there yet is
  skipped.
- A board without ranks answers no rank and no ``rank_count``, except the page positions of a
  top list, as Nakama does; around an owner without a record is ``{}``.
- Bodies are built by ``_protocol.bodies``, the rules the client parses them with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._protocol.bodies import record_json, record_list_json
from .config import Board
from .cursors import Cursor, CursorCodec
from .ranks import RankIndex, Ranks

__all__ = ["ListQuery", "list_around", "list_records"]

_CHUNK = 500
# owner uuid, username, score, subscore, num_score, metadata, create_time, update_time
RecordRow = tuple[str, str, int, int, int, str, int, int]


@dataclass(frozen=True)
class ListQuery:
    board: Board
    expiry: int
    limit: int | None
    cursor: Cursor | None
    owner_ids: Sequence[str]


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
