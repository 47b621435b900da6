"""What the server keeps about tournaments beyond their records: when it first saw each one,
and the cursor of ``GET /v2/tournament``.

Invariants:
- ``first_seen`` runs once at startup on the writer thread: a tournament's create time (and,
  without a ``start_time``, its start) is the first startup that knew it, kept in its own
  table, so it stays the same across restarts as Nakama's creation time does.
- The list cursor is the one Nakama sends: its Go ``gob`` encoding of
  ``TournamentListCursor{Id}``, URL-safe base64, naming the last tournament of the page; the
  next page starts after that id. Only that exact encoding decodes; an id that is gone (or
  never was) gives an empty page, as on Nakama.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable

from .sqlite_store import Txn
from .tournaments import Tournament

__all__ = ["decode_list_cursor", "encode_list_cursor", "first_seen"]

_TABLE = (
    "CREATE TABLE IF NOT EXISTS tournaments("
    "id TEXT PRIMARY KEY, create_time INTEGER NOT NULL) WITHOUT ROWID"
)
# gob's type definition of struct TournamentListCursor { Id string }, as Go writes it first.
_GOB_TYPE = (
    b"(\x7f\x03\x01\x01\x14TournamentListCursor\x01\xff\x80\x00\x01\x01\x01\x02Id"
    b"\x01\x0c\x00\x00\x00"
)
_GOB_VALUE_TYPE = b"\xff\x80"  # the type id of the value that follows


def first_seen(txn: Txn, tournaments: Iterable[Tournament], now: float) -> dict[str, int]:
    """Every tournament's create time, recording ``now`` for those seen for the first time."""
    conn = txn.conn
    conn.execute(_TABLE)
    created = {}
    for t in tournaments:
        conn.execute(
            "INSERT OR IGNORE INTO tournaments(id, create_time) VALUES (?, ?)", (t.id, int(now))
        )
        row = conn.execute("SELECT create_time FROM tournaments WHERE id = ?", (t.id,))
        created[t.id] = int(row.fetchone()[0])
    return created


def _gob_uint(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([256 - len(raw)]) + raw


def encode_list_cursor(tournament_id: str) -> str:
    raw = tournament_id.encode()
    value = _GOB_VALUE_TYPE + b"\x01" + _gob_uint(len(raw)) + raw + b"\x00"
    return base64.urlsafe_b64encode(_GOB_TYPE + _gob_uint(len(value)) + value).decode()


def _read_uint(data: bytes, at: int) -> tuple[int, int]:
    """A gob uint at ``at``: (value, the position after it); IndexError when cut short."""
    first = data[at]
    if first < 128:
        return first, at + 1
    size = 256 - first
    if not 1 <= size <= 8 or at + 1 + size > len(data):
        raise IndexError("bad gob uint")
    return int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def decode_list_cursor(cursor: str) -> str | None:
    """The tournament id a cursor names, or None when it is not one of these cursors."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii"))
        if not raw.startswith(_GOB_TYPE):
            return None
        _, at = _read_uint(raw, len(_GOB_TYPE))  # the value's length: re-encoding checks it
        size, at = _read_uint(raw, at + len(_GOB_VALUE_TYPE) + 1)
        tournament_id = raw[at : at + size].decode()
    except (binascii.Error, ValueError, IndexError):  # UnicodeError is a ValueError
        return None
    return tournament_id if encode_list_cursor(tournament_id) == cursor else None
