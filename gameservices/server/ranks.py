"""In-memory order-statistic index per board: ranks without COUNT queries.

Each record is one packed integer key, so the SortedList compares plain ints (fast, compact):

    key = sort_score << 152 | sort_subscore << 88 | seq << 40 | owner

``sort_score`` maps the score into 0..2**64-1 so that ascending keys are best-first for the
board's sort order (descending boards invert it); ``seq`` is the global update order and breaks
ties (earlier first); ``owner`` is the user's row id.

Invariants: a board holds at most one key per owner; ``Ranks.lock`` guards every index (the
writer thread mutates, the reader thread reads); rank = position + 1.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable

from sortedcontainers import SortedList

from .._protocol.wire import INT64_MAX, INT64_MIN, SortOrder
from .config import Board

__all__ = ["RankIndex", "Ranks", "pack_rows"]

_OWNER_BITS = 40
_SEQ_BITS = 48
_SUB_SHIFT = _OWNER_BITS + _SEQ_BITS
_SCORE_SHIFT = _SUB_SHIFT + 64
_OWNER_MASK = (1 << _OWNER_BITS) - 1
_SEQ_MASK = (1 << _SEQ_BITS) - 1


class RankIndex:
    """The sorted keys of one board and each owner's current key."""

    def __init__(self, sort: SortOrder, keys: Iterable[int] = ()) -> None:
        self._descending = sort is SortOrder.DESCENDING
        self._keys = SortedList(keys)
        self._by_owner: dict[int, int] = {k & _OWNER_MASK: k for k in self._keys}

    def __len__(self) -> int:
        return len(self._keys)

    def pack(self, score: int, subscore: int, seq: int, owner: int) -> int:
        if self._descending:
            s, ss = INT64_MAX - score, INT64_MAX - subscore
        else:
            s, ss = score - INT64_MIN, subscore - INT64_MIN
        return s << _SCORE_SHIFT | ss << _SUB_SHIFT | (seq & _SEQ_MASK) << _OWNER_BITS | owner

    @staticmethod
    def owner_of(key: int) -> int:
        return key & _OWNER_MASK

    def key_of(self, owner: int) -> int | None:
        return self._by_owner.get(owner)

    def put(self, owner: int, key: int) -> int | None:
        """Insert or move an owner's record; returns its previous key."""
        old = self._by_owner.get(owner)
        if old is not None:
            self._keys.remove(old)
        self._keys.add(key)
        self._by_owner[owner] = key
        return old

    def remove(self, owner: int) -> int | None:
        old = self._by_owner.pop(owner, None)
        if old is not None:
            self._keys.remove(old)
        return old

    def restore(self, owner: int, old: int | None) -> None:
        """Undo a put/remove: the owner's key goes back to ``old`` (None: absent)."""
        self.remove(owner)
        if old is not None:
            self.put(owner, old)

    def rank_of(self, owner: int) -> int | None:
        key = self._by_owner.get(owner)
        return None if key is None else self._keys.index(key) + 1

    def slice(self, start: int, stop: int) -> list[tuple[int, int]]:
        """(rank, key) for positions [start, stop)."""
        start = max(0, start)
        return [(start + i + 1, k) for i, k in enumerate(self._keys.islice(start, stop))]

    def position_after(self, key: int) -> int:
        return int(self._keys.bisect_right(key))

    def position_before(self, key: int) -> int:
        return int(self._keys.bisect_left(key))


def pack_rows(sort: SortOrder, rows: Iterable[tuple[int, int, int, int]]) -> list[int]:
    """``RankIndex.pack`` for (score, subscore, seq, owner) rows, inlined: a million rows at
    startup make the function call the dominant cost."""
    a, b, c = _SCORE_SHIFT, _SUB_SHIFT, _OWNER_BITS
    if sort is SortOrder.DESCENDING:
        m = INT64_MAX
        return [(m - s) << a | (m - ss) << b | q << c | o for s, ss, q, o in rows]
    m = INT64_MIN
    return [(s - m) << a | (ss - m) << b | q << c | o for s, ss, q, o in rows]


class Ranks:
    """Every board's index, the lock that guards them, and the update-order counter."""

    def __init__(self, boards: Iterable[Board]) -> None:
        self.lock = threading.Lock()
        self.boards = {b.id: RankIndex(b.sort) for b in boards}
        self._seq = 0
        # Writer thread only: uuid -> (row id, username). Users are never renamed or deleted,
        # so entries never go stale; the cache is bounded by clearing it when full.
        self.users: dict[str, tuple[int, str]] = {}

    def next_seq(self) -> int:
        """Writer thread only."""
        self._seq += 1
        return self._seq

    def rebuild(self, conn: sqlite3.Connection, boards: Iterable[Board]) -> None:
        """Load every record of the configured boards (blocking: run in a thread)."""
        row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM records").fetchone()
        self._seq = int(row[0])
        for board in boards:
            cursor = conn.execute(
                "SELECT score, subscore, seq, owner FROM records WHERE board = ?", (board.id,)
            )
            index = RankIndex(board.sort, pack_rows(board.sort, cursor))
            with self.lock:
                self.boards[board.id] = index
