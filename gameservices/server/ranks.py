"""In-memory order-statistic index per board period: ranks without COUNT queries.

Each record is one packed integer key, so the SortedList compares plain ints (fast, compact):

    key = sort_score << 232 | sort_subscore << 168 | sort_owner_uuid << 40 | owner_row

``sort_score`` and ``sort_subscore`` map the values into 0..2**64-1 so that ascending keys are
best-first for the board's sort order (descending boards invert them); ``sort_owner_uuid`` is the
owner's UUID as a 128-bit number, inverted on descending boards too: a full tie ranks by owner
id as Nakama ranks it (descending boards: the greater id first; ascending: the lesser);
``owner_row`` is the user's row id, how a key finds its record.

Invariants: an index holds at most one key per owner; there is one index per (board, period),
the period being its reset time (``expiry``, 0 for a board that never resets); ``Ranks.lock``
guards every index (the writer thread mutates, the reader thread reads); rank = position + 1.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable

from sortedcontainers import SortedList

from .._protocol.wire import INT64_MAX, INT64_MIN, SortOrder
from .config import Board

__all__ = ["RankIndex", "Ranks", "pack_rows", "uuid_number"]

_OWNER_BITS = 40
_UUID_BITS = 128
_SUB_SHIFT = _OWNER_BITS + _UUID_BITS
_SCORE_SHIFT = _SUB_SHIFT + 64
_OWNER_MASK = (1 << _OWNER_BITS) - 1
_UUID_MAX = (1 << _UUID_BITS) - 1


def uuid_number(owner_uuid: str) -> int:
    """A user id as the 128-bit number whose order is Nakama's order of owner ids (bytes)."""
    return uuid.UUID(owner_uuid).int


class RankIndex:
    """The sorted keys of one board period and each owner's current key."""

    def __init__(self, sort: SortOrder, keys: Iterable[int] = ()) -> None:
        self._descending = sort is SortOrder.DESCENDING
        self._keys = SortedList(keys)
        self._by_owner: dict[int, int] = {k & _OWNER_MASK: k for k in self._keys}

    def __len__(self) -> int:
        return len(self._keys)

    def pack(self, score: int, subscore: int, owner_uuid: int, owner: int) -> int:
        if self._descending:
            s, ss, u = INT64_MAX - score, INT64_MAX - subscore, _UUID_MAX - owner_uuid
        else:
            s, ss, u = score - INT64_MIN, subscore - INT64_MIN, owner_uuid
        return s << _SCORE_SHIFT | ss << _SUB_SHIFT | u << _OWNER_BITS | owner

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


def pack_rows(sort: SortOrder, rows: Iterable[tuple[int, int, str, int]]) -> list[int]:
    """``RankIndex.pack`` for (score, subscore, owner uuid, owner row) rows, inlined: a million
    rows at startup make the function call the dominant cost."""
    a, b, c = _SCORE_SHIFT, _SUB_SHIFT, _OWNER_BITS
    if sort is SortOrder.DESCENDING:
        m, top = INT64_MAX, _UUID_MAX
        return [
            (m - s) << a | (m - ss) << b | (top - int(u.replace("-", ""), 16)) << c | o
            for s, ss, u, o in rows
        ]
    m = INT64_MIN
    return [
        (s - m) << a | (ss - m) << b | int(u.replace("-", ""), 16) << c | o for s, ss, u, o in rows
    ]


class Ranks:
    """Every board period's index and the lock that guards them."""

    def __init__(self, boards: Iterable[Board]) -> None:
        self.lock = threading.Lock()
        self._sorts = {b.id: b.sort for b in boards}
        self._indexes: dict[tuple[str, int], RankIndex] = {}
        # Writer thread only: uuid -> (row id, username). Users are never renamed or deleted,
        # so entries never go stale; the cache is bounded by clearing it when full.
        self.users: dict[str, tuple[int, str]] = {}

    def index(self, board_id: str, expiry: int) -> RankIndex:
        """The index of a board's period, made empty on first use (call under the lock)."""
        index = self._indexes.get((board_id, expiry))
        if index is None:
            index = self._indexes[(board_id, expiry)] = RankIndex(self._sorts[board_id])
        return index

    def peek(self, board_id: str, expiry: int) -> RankIndex | None:
        """The index of a board's period if it ever held a record (call under the lock)."""
        return self._indexes.get((board_id, expiry))

    def rebuild(self, conn: sqlite3.Connection, boards: Iterable[Board]) -> None:
        """Load every record of the configured boards (blocking: run in a thread)."""
        for board in boards:
            periods = conn.execute(
                "SELECT DISTINCT expiry FROM records WHERE board = ?", (board.id,)
            ).fetchall()
            for (expiry,) in periods:
                cursor = conn.execute(
                    "SELECT r.score, r.subscore, u.uuid, r.owner FROM records r"
                    " JOIN users u ON u.id = r.owner WHERE r.board = ? AND r.expiry = ?",
                    (board.id, expiry),
                )
                index = RankIndex(board.sort, pack_rows(board.sort, cursor))
                with self.lock:
                    self._indexes[(board.id, int(expiry))] = index
