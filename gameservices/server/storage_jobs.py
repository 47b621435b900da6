"""Storage jobs on the store's threads: write and delete (writer), read and list (reader).

Invariants (Nakama's ``core_storage.go``, checked against Nakama 3.40 by tests/nakama):
- A write or delete call is one job in its own savepoint: the first refused object raises, and
  the savepoint rolls back every object of the call before it (all or none). Objects are
  applied in (collection, key) order, as Nakama applies them, so the refusal reported is the
  one Nakama reports.
- Writes, per object: ``"*"`` refuses an existing object (version); another non-empty version
  refuses a missing object or another version (version), and a stored ``write`` of 0
  (permission) first; no version refuses only a stored ``write`` of 0, and an identical value
  and permissions change nothing (not even the update time). The version is the md5 of the value
  text as sent; the value is kept as jsonb prints it.
- Deletes refuse a missing object, another version, or a ``write`` of 0, with one message.
- Reads return what the caller may see: ``read`` 2, or 1 when it owns the object; in the order
  asked, each object once. Listings follow Nakama's three queries and orders; a cursor names
  the last object shown (read, key, owner), signed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._protocol.storage import (
    DELETE_REJECTED,
    PERMISSION_REJECTED,
    VERSION_REJECTED,
    DeleteOp,
    ReadOp,
    WriteOp,
    ack_json,
    object_json,
    version_of,
)
from .._protocol.wire import GrpcCode
from .cursors import SignedCursors
from .errors import ApiFailure
from .sqlite_store import Txn

__all__ = ["ListQuery", "delete_objects", "list_objects", "read_objects", "write_objects"]

_COLUMNS = "collection, key, user_id, value, version, read, write, create_time, update_time"
_CURSOR_KIND = "storage"  # a cursor of another list (friends...) is refused
_CHUNK = 300  # ids per SELECT (3 parameters each, well under SQLite's limit)


def _refuse(message: str) -> ApiFailure:
    return ApiFailure(GrpcCode.INVALID_ARGUMENT, message)


def _write_one(conn: sqlite3.Connection, op: WriteOp, owner: str, now: float) -> dict[str, Any]:
    row = conn.execute(
        "SELECT version, read, write, create_time, update_time FROM storage"
        " WHERE collection = ? AND key = ? AND user_id = ?",
        (op.collection, op.key, owner),
    ).fetchone()
    version = version_of(op.value)
    if op.version == "*" and row is not None:
        raise _refuse(VERSION_REJECTED)
    if op.version not in ("", "*"):
        if row is None:
            raise _refuse(VERSION_REJECTED)
        if row[2] != 1:
            raise _refuse(PERMISSION_REJECTED)
        if row[0] != op.version:
            raise _refuse(VERSION_REJECTED)
    if op.version == "" and row is not None:
        if row[2] != 1:
            raise _refuse(PERMISSION_REJECTED)
        if (row[0], row[1], row[2]) == (version, op.read, op.write):  # nothing would change
            return ack_json(op.collection, op.key, version, owner, row[3], row[4])
    created = now if row is None else row[3]
    conn.execute(
        "INSERT INTO storage(collection, key, user_id, value, version, read, write,"
        " create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(collection, key, user_id) DO UPDATE SET value = excluded.value,"
        " version = excluded.version, read = excluded.read, write = excluded.write,"
        " update_time = excluded.update_time",
        (op.collection, op.key, owner, op.stored, version, op.read, op.write, created, now),
    )
    return ack_json(op.collection, op.key, version, owner, created, now)


def write_objects(txn: Txn, ops: Sequence[WriteOp], owner: str, now: float) -> dict[str, Any]:
    """Every write of one call, or none (a refusal raises; the savepoint undoes the rest)."""
    order = sorted(range(len(ops)), key=lambda i: (ops[i].collection, ops[i].key))
    acks: list[dict[str, Any]] = [{}] * len(ops)
    for i in order:
        acks[i] = _write_one(txn.conn, ops[i], owner, now)
    return {"acks": acks} if acks else {}


def delete_objects(txn: Txn, ops: Sequence[DeleteOp], owner: str) -> dict[str, Any]:
    for op in sorted(ops, key=lambda o: (o.collection, o.key)):
        sql = "DELETE FROM storage WHERE collection = ? AND key = ? AND user_id = ? AND write > 0"
        params: tuple[str, ...] = (op.collection, op.key, owner)
        if op.version:
            sql, params = sql + " AND version = ?", (*params, op.version)
        if txn.conn.execute(sql, params).rowcount == 0:
            raise _refuse(DELETE_REJECTED)
    return {}


def _json(row: Sequence[Any]) -> dict[str, Any]:
    return object_json(*row)


def read_objects(conn: sqlite3.Connection, ops: Sequence[ReadOp], caller: str) -> dict[str, Any]:
    wanted = list(dict.fromkeys((op.collection, op.key, op.user_id) for op in ops))
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("(?, ?, ?)" for _ in chunk)
        params = [part for ident in chunk for part in ident]
        for row in conn.execute(
            f"SELECT {_COLUMNS} FROM storage WHERE (collection, key, user_id) IN"
            f" (VALUES {marks}) AND (read = 2 OR (read = 1 AND user_id = ?))",
            (*params, caller),
        ):
            found[(row[0], row[1], row[2])] = _json(row)
    objects = [found[ident] for ident in wanted if ident in found]
    return {"objects": objects} if objects else {}


@dataclass(frozen=True)
class ListQuery:
    collection: str
    caller: str
    user_id: str | None  # None: everyone's public objects
    limit: int
    cursor: str  # "" for the first page


def _after(cursor: list[Any]) -> tuple[int, str, str]:
    read, key, user = cursor
    if not isinstance(read, int) or not isinstance(key, str) or not isinstance(user, str):
        raise ValueError("not a storage cursor")
    return read, key, user


def _listing(q: ListQuery, after: tuple[int, str, str] | None) -> tuple[str, list[Any]]:
    """Nakama's three listings: everyone's public, one's own (read >= 1), another's public."""
    if q.user_id is None:
        where, order = "read >= 2", "read, key, user_id"
        params: list[Any] = [q.collection]
        if after is not None:
            where += " AND (read, key, user_id) > (2, ?, ?)"
            params += [after[1], after[2]]
    elif q.user_id == q.caller:
        where, order = "user_id = ? AND read >= 1", "read, key"
        params = [q.collection, q.user_id]
        if after is not None:
            where += " AND (read, key) > (?, ?)"
            params += [after[0], after[1]]
    else:
        where, order = "user_id = ? AND read = 2", "key"
        params = [q.collection, q.user_id]
        if after is not None:
            where += " AND key > ?"
            params.append(after[1])
    sql = f"SELECT {_COLUMNS} FROM storage WHERE collection = ? AND {where} ORDER BY {order}"
    return sql + " LIMIT ?", [*params, q.limit + 1]


def list_objects(conn: sqlite3.Connection, q: ListQuery, cursors: SignedCursors) -> dict[str, Any]:
    after = None
    if q.cursor:
        fields = cursors.decode(q.cursor, _CURSOR_KIND)
        try:
            after = _after(fields) if fields is not None and len(fields) == 3 else None
        except ValueError:
            after = None
        if after is None:
            raise _refuse("Malformed cursor was used.")
    sql, params = _listing(q, after)
    rows = conn.execute(sql, params).fetchall()
    body: dict[str, Any] = {"objects": [_json(r) for r in rows[: q.limit]]}
    if len(rows) > q.limit:
        last = rows[q.limit - 1]
        cursor = cursors.encode(_CURSOR_KIND, [last[5], last[1], last[2]])
        if cursor != q.cursor:  # Nakama drops a cursor that names the page it was given
            body["cursor"] = cursor
    return body if body["objects"] else {}
