"""Link and unlink jobs on the store's writer thread: devices, custom ids, emails.

Invariants (Nakama 3.40's statements, one writer job each):
- A link of an id another account holds is refused (``links.TAKEN``, 409 code 6); linking one's
  own id again succeeds and changes nothing else. A custom id or email replaces the account's
  previous one (an email with its password); devices accumulate.
- An unlink succeeds only if the account keeps another way to log in (its custom id, email or
  another device; this server links no provider) and, when a value is named, holds that value;
  otherwise 403 code 7 (``links.UNLINK_REFUSED``). An unlink naming nothing clears whatever
  the account holds of that kind, and succeeds even when that is nothing.
- Every link or unlink that succeeds moves the account's update time, as Nakama's
  ``update_time = now()`` does.
"""

from __future__ import annotations

import sqlite3

from .._protocol.links import TAKEN, UNLINK_REFUSED, Link
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .sqlite_store import Txn

__all__ = ["link", "unlink", "unlink_unstored"]

_COLUMN = {"custom": "custom_id", "email": "email"}


def _rowid(conn: sqlite3.Connection, user_id: str) -> int:
    row = conn.execute("SELECT id FROM users WHERE uuid = ?", (user_id,)).fetchone()
    if row is None:  # a deleted account's sessions are revoked: only a race gets here
        raise ApiFailure(GrpcCode.NOT_FOUND, "User account not found.")
    return int(row[0])


def _touch(conn: sqlite3.Connection, rowid: int, now: int) -> None:
    conn.execute(
        "INSERT INTO user_profiles(user_id, update_time) VALUES (?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET update_time = excluded.update_time",
        (rowid, now),
    )


def link(txn: Txn, user_id: str, what: Link, hashed: str | None, now: int) -> None:
    """Link ``what`` to ``user_id``'s account (``hashed``: an email's password hash)."""
    conn = txn.conn
    rowid = _rowid(conn, user_id)
    if what.kind == "device":
        owner = conn.execute("SELECT user_id FROM user_devices WHERE id = ?", (what.value,))
        found = owner.fetchone()
        if found is not None and found[0] != rowid:
            raise ApiFailure(GrpcCode.ALREADY_EXISTS, TAKEN["device"])
        if found is None:
            conn.execute("INSERT INTO user_devices(id, user_id) VALUES (?, ?)", (what.value, rowid))
    else:
        column = _COLUMN[what.kind]
        taken = conn.execute(
            f"SELECT 1 FROM users WHERE {column} = ? AND id <> ?", (what.value, rowid)
        )
        if taken.fetchone() is not None:
            raise ApiFailure(GrpcCode.ALREADY_EXISTS, TAKEN[what.kind])
        if what.kind == "email":
            conn.execute(
                "UPDATE users SET email = ?, password = ? WHERE id = ?", (what.value, hashed, rowid)
            )
        else:
            conn.execute("UPDATE users SET custom_id = ? WHERE id = ?", (what.value, rowid))
    _touch(conn, rowid, now)


def _keeps_a_login(conn: sqlite3.Connection, rowid: int, kind: str, device: str = "") -> bool:
    """Whether the account has a way to log in other than ``kind`` (other than ``device``)."""
    others = [column for name, column in _COLUMN.items() if name != kind]
    held = " OR ".join(f"{column} IS NOT NULL" for column in others)
    row = conn.execute(f"SELECT {held} FROM users WHERE id = ?", (rowid,)).fetchone()
    if row is not None and row[0]:
        return True
    skip = device if kind == "device" else None
    devices = conn.execute(
        "SELECT 1 FROM user_devices WHERE user_id = ? AND id IS NOT ? LIMIT 1", (rowid, skip)
    )
    return devices.fetchone() is not None


def unlink(txn: Txn, user_id: str, what: Link, now: int) -> None:
    """Unlink ``what`` from ``user_id``'s account, or refuse (403 code 7)."""
    conn = txn.conn
    rowid = _rowid(conn, user_id)
    if not _keeps_a_login(conn, rowid, what.kind, what.value):
        raise ApiFailure(GrpcCode.PERMISSION_DENIED, UNLINK_REFUSED)
    if what.kind == "device":
        cursor = conn.execute(
            "DELETE FROM user_devices WHERE id = ? AND user_id = ?", (what.value, rowid)
        )
    else:
        column = _COLUMN[what.kind]
        extra = f" AND {column} = ?" if what.value else ""
        params = (rowid, what.value) if what.value else (rowid,)
        password = ", password = NULL" if what.kind == "email" else ""
        cursor = conn.execute(
            f"UPDATE users SET {column} = NULL{password} WHERE id = ?{extra}", params
        )
    if cursor.rowcount == 0:
        raise ApiFailure(GrpcCode.PERMISSION_DENIED, UNLINK_REFUSED)
    _touch(conn, rowid, now)


def unlink_unstored(txn: Txn, user_id: str, now: int) -> None:
    """An unlink naming nothing of a kind this server never links (a provider): it clears
    nothing and succeeds if the account keeps a way to log in, as on Nakama."""
    conn = txn.conn
    rowid = _rowid(conn, user_id)
    if not _keeps_a_login(conn, rowid, "provider"):
        raise ApiFailure(GrpcCode.PERMISSION_DENIED, UNLINK_REFUSED)
    _touch(conn, rowid, now)
