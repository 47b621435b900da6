"""Account and user jobs on the store's threads: read, update and delete an account, find users.

Invariants:
- Profile fields live in ``user_profiles`` (one row per account that ever changed one); an
  account without a row has Nakama's defaults (``lang_tag`` "en", the rest empty, updated when
  created). "" clears a field (NULL), as Nakama stores it.
- An update changes the update time only when some value changes (Nakama's ``IS DISTINCT
  FROM``); an update of an account that no longer exists changes nothing and succeeds, as the
  UPDATE of no row does on Nakama.
- Renaming an account drops it from the writer's user cache (``Ranks.users``); deleting one is
  ``account_delete``.
- A taken username is Nakama 3.40's answer word for word: 400, code 3, the gRPC status text of
  its AlreadyExists error (``_protocol.accounts`` Rule 5).
- Bodies are built by ``_protocol.bodies`` and ``_protocol.users``. ``online`` is the caller's
  snapshot of ``OnlineUsers`` (taken on the loop); ``edge_count`` is the player's friend edges
  (``user_edges`` rows with the player as source: friends, invites, blocks), as Nakama keeps
  its ``users.edge_count``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from .._protocol.accounts import PROFILE_FIELDS, USERNAME_TAKEN_ON_UPDATE, AccountUpdate
from .._protocol.bodies import account_json
from .._protocol.users import user_json
from .._protocol.wire import GrpcCode, dumps
from .errors import ApiFailure
from .ranks import Ranks
from .sqlite_store import Txn

__all__ = [
    "Profile",
    "edge_counts",
    "find_users",
    "read_account",
    "update_account",
]

_PROFILE_COLUMNS = ", ".join(PROFILE_FIELDS)
_SELECT_USER = (
    f"SELECT u.id, u.uuid, u.username, u.create_time, p.update_time, {_PROFILE_COLUMNS},"
    " u.email, u.custom_id FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id"
)


@dataclass(frozen=True)
class Profile:
    """One account's public face as stored (``None`` profile values read as "")."""

    rowid: int
    user_id: str
    username: str
    create_time: int
    update_time: int
    fields: dict[str, str]
    email: str
    custom_id: str

    def user(self, *, online: bool = False, edge_count: int = 0) -> dict[str, Any]:
        f = self.fields
        return user_json(
            self.user_id,
            self.username,
            self.create_time,
            self.update_time,
            display_name=f["display_name"],
            avatar_url=f["avatar_url"],
            lang_tag=f["lang_tag"],
            location=f["location"],
            timezone=f["timezone"],
            online=online,
            edge_count=edge_count,
        )


def _profile(row: Sequence[Any]) -> Profile:
    rowid, user_id, username, created, updated = row[:5]
    values = row[5 : 5 + len(PROFILE_FIELDS)]
    fields = {name: value or "" for name, value in zip(PROFILE_FIELDS, values, strict=True)}
    if updated is None:  # never changed: Nakama's column defaults
        fields["lang_tag"] = "en"
    email, custom_id = row[5 + len(PROFILE_FIELDS) :]
    return Profile(
        rowid, user_id, username, created, updated or created, fields, email or "", custom_id or ""
    )


def _find(conn: sqlite3.Connection, user_id: str) -> Profile | None:
    row = conn.execute(_SELECT_USER + " WHERE u.uuid = ?", (user_id,)).fetchone()
    return None if row is None else _profile(row)


def read_account(
    conn: sqlite3.Connection, user_id: str, online: Collection[str] = ()
) -> dict[str, Any] | None:
    """The account body of ``user_id``, or None if there is no such account (blocking)."""
    found = _find(conn, user_id)
    if found is None:
        return None
    count = edge_counts(conn, [user_id]).get(user_id, 0)
    user = found.user(online=user_id in online, edge_count=count)
    devices = [
        str(d[0])
        for d in conn.execute(
            "SELECT id FROM user_devices WHERE user_id = ? ORDER BY id", (found.rowid,)
        )
    ]
    return account_json(user, email=found.email, devices=devices, custom_id=found.custom_id)


def find_users(
    conn: sqlite3.Connection,
    ids: Sequence[str],
    usernames: Sequence[str],
    *,
    online: Collection[str] = (),
    edge_count: bool = True,
) -> list[dict[str, Any]]:
    """Every user whose id or username is listed, in creation order, each once (blocking);
    ``edge_count=False`` leaves the count out (as Nakama's friend lists do)."""
    clauses, params = [], []
    for column, values in (("u.uuid", ids), ("u.username", usernames)):
        if values:
            clauses.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(_json_list(values))
    if not clauses:
        return []
    sql = _SELECT_USER + " WHERE " + " OR ".join(clauses) + " ORDER BY u.id"
    found = [_profile(row) for row in conn.execute(sql, params)]
    counts = edge_counts(conn, [p.user_id for p in found]) if edge_count else {}
    return [p.user(online=p.user_id in online, edge_count=counts.get(p.user_id, 0)) for p in found]


def edge_counts(conn: sqlite3.Connection, user_ids: Sequence[str]) -> dict[str, int]:
    """``{user id: friend edges}`` for those of ``user_ids`` that have any."""
    if not user_ids:
        return {}
    rows = conn.execute(
        "SELECT source, COUNT(*) FROM user_edges WHERE source IN"
        " (SELECT value FROM json_each(?)) GROUP BY source",
        (_json_list(user_ids),),
    )
    return {str(source): int(count) for source, count in rows}


def _json_list(values: Sequence[str]) -> str:
    # json_each takes any number of values in one parameter (SQLite caps the parameters).
    return dumps(list(values))


def update_account(txn: Txn, user_id: str, update: AccountUpdate, now: int, ranks: Ranks) -> None:
    conn = txn.conn
    found = _find(conn, user_id)
    if found is None:
        return
    changed = False
    if update.username is not None and update.username != found.username:
        taken = conn.execute("SELECT 1 FROM users WHERE username = ?", (update.username,))
        if taken.fetchone() is not None:
            raise ApiFailure(GrpcCode.INVALID_ARGUMENT, USERNAME_TAKEN_ON_UPDATE)
        conn.execute("UPDATE users SET username = ? WHERE id = ?", (update.username, found.rowid))
        ranks.users.pop(user_id, None)
        changed = True
    fields = dict(found.fields)
    for name, value in update.profile().items():
        if value is not None and value != fields[name]:
            fields[name], changed = value, True
    if changed:
        _store_profile(conn, found.rowid, fields, now)


def _store_profile(conn: sqlite3.Connection, rowid: int, fields: dict[str, str], now: int) -> None:
    values = [fields[name] or None for name in PROFILE_FIELDS]
    marks = ", ".join("?" for _ in PROFILE_FIELDS)
    conn.execute(
        f"INSERT OR REPLACE INTO user_profiles(user_id, {_PROFILE_COLUMNS}, update_time)"
        f" VALUES (?, {marks}, ?)",
        (rowid, *values, now),
    )
