"""Groups and their members: the jobs behind ``group_routes`` (the writer and reader threads).

Invariants (Nakama 3.40's ``core_group.go``, rules in ``_protocol.groups``):
- One ``group_edges`` row per (group, player) with the player's role as ``state``; Nakama keeps
  two mirrored edges, which always agree, so one row says the same.
- ``edge_count`` counts superadmins, admins and members (not join requests, not bans) and never
  exceeds ``max_count``: an add or join that would is refused and the whole call changes
  nothing. Every change of ``edge_count`` (or of a field) moves the group's ``update_time``.
- A job that refuses raises ``ApiFailure`` with Nakama's status and message; its savepoint then
  rolls back whatever it had changed (an add of three players where the third is unknown adds
  none).
- ``position`` (one counter for the table) orders member lists and a player's groups (role,
  then position), as Nakama's nanosecond positions do.
- A membership job says what it changed as a ``Posted`` (``group_chat`` Rule 1: which players
  Nakama posts about in the group's channel); the route stores and pushes the messages.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from .._protocol.groups import GroupCreate, GroupRole, GroupUpdate, group_json
from .._protocol.realtime import MessageCode
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .group_chat import Posted
from .social_users import user_bodies, users_exist
from .sqlite_store import Txn

__all__ = [
    "GroupFilter",
    "add_members",
    "create_group",
    "delete_group",
    "drop_memberships",
    "is_member",
    "join_group",
    "leave_group",
    "list_groups",
    "list_members",
    "list_user_groups",
    "remove_members",
    "set_roles",
    "update_group",
]

_COLUMNS = (
    "id, creator_id, name, description, lang_tag, metadata, avatar_url, open, edge_count,"
    " max_count, create_time, update_time"
)
_NO_PERMISSION = "Group not found or permission denied."
_SUPER, _ADMIN, _MEMBER, _REQUEST, _BANNED = (int(r) for r in GroupRole)


def _json(row: Sequence[Any]) -> dict[str, Any]:
    """A ``groups`` row (``_COLUMNS`` order) as its wire body."""
    gid, creator, name, text, lang, meta, avatar = row[:7]
    is_open, edges, cap, made, changed = row[7:12]
    return group_json(
        gid, creator, name, text or "", lang, meta, avatar or "", bool(is_open), edges, cap,
        made, changed,
    )  # fmt: skip


def _fail(code: GrpcCode, message: str) -> ApiFailure:
    return ApiFailure(code, message)


def _role(conn: sqlite3.Connection, group_id: str, user_id: str) -> int | None:
    row = conn.execute(
        "SELECT state FROM group_edges WHERE group_id = ? AND user_id = ?", (group_id, user_id)
    ).fetchone()
    return None if row is None else int(row[0])


def is_member(conn: sqlite3.Connection, group_id: str, user_id: str) -> bool:
    """A superadmin, admin or member (not a join request, not banned): who may use the group's
    chat channel and read its history."""
    role = _role(conn, group_id, user_id)
    return role is not None and role <= _MEMBER


def _group(conn: sqlite3.Connection, group_id: str) -> tuple[Any, ...] | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM groups WHERE id = ?", (group_id,)).fetchone()
    return None if row is None else tuple(row)


def _insert_edge(
    conn: sqlite3.Connection, group_id: str, user_id: str, state: int, now: int
) -> None:
    position = (conn.execute("SELECT MAX(position) FROM group_edges").fetchone()[0] or 0) + 1
    conn.execute(
        "INSERT INTO group_edges(group_id, user_id, state, position, update_time)"
        " VALUES (?, ?, ?, ?, ?)",
        (group_id, user_id, state, position, now),
    )


def _count(conn: sqlite3.Connection, group_id: str, delta: int, now: int) -> None:
    """Move ``edge_count`` by ``delta``; refuse (Group is full.) past ``max_count``."""
    changed = conn.execute(
        "UPDATE groups SET edge_count = edge_count + ?, update_time = ? WHERE id = ?"
        " AND edge_count + ? <= max_count",
        (delta, now, group_id, delta),
    ).rowcount
    if not changed:
        raise _fail(GrpcCode.INVALID_ARGUMENT, "Group is full.")


def create_group(txn: Txn, user_id: str, create: GroupCreate, now: int) -> dict[str, Any]:
    group_id = str(uuid.uuid4())
    try:
        txn.conn.execute(
            f"INSERT INTO groups({_COLUMNS}) VALUES (?, ?, ?, ?, ?, '{{}}', ?, ?, 1, ?, ?, ?)",
            (group_id, user_id, create.name, create.description, create.lang_tag or "en",
             create.avatar_url, int(create.open), create.max_count, now, now),
        )  # fmt: skip
    except sqlite3.IntegrityError:
        raise _fail(GrpcCode.ALREADY_EXISTS, "Group name is in use.") from None
    _insert_edge(txn.conn, group_id, user_id, _SUPER, now)
    row = _group(txn.conn, group_id)
    assert row is not None
    return _json(row)


def update_group(txn: Txn, group_id: str, user_id: str, update: GroupUpdate, now: int) -> None:
    conn = txn.conn
    role = _role(conn, group_id, user_id)
    if role is None or role > _ADMIN:
        raise _fail(GrpcCode.NOT_FOUND, "Group not found or you're not allowed to update.")
    if update.empty:
        raise _fail(GrpcCode.INVALID_ARGUMENT, "Specify at least one field to update.")
    sets, params = ["update_time = ?"], [now]
    for column in ("name", "description", "lang_tag", "avatar_url"):
        value = getattr(update, column)
        if value is not None:
            sets.append(f"{column} = ?")
            params.append(value)
    if update.open is not None:
        sets.append("open = ?")
        params.append(int(update.open))
    try:
        conn.execute(f"UPDATE groups SET {', '.join(sets)} WHERE id = ?", [*params, group_id])
    except sqlite3.IntegrityError:
        raise _fail(GrpcCode.INVALID_ARGUMENT, "Group name is in use.") from None


def _drop_group(conn: sqlite3.Connection, group_id: str) -> None:
    conn.execute("DELETE FROM group_edges WHERE group_id = ?", (group_id,))
    conn.execute("DELETE FROM groups WHERE id = ?", (group_id,))


def delete_group(txn: Txn, group_id: str, user_id: str) -> None:
    if _role(txn.conn, group_id, user_id) != _SUPER:
        raise _fail(GrpcCode.INVALID_ARGUMENT, "Group not found or you're not allowed to delete.")
    _drop_group(txn.conn, group_id)


def _staff(conn: sqlite3.Connection, group_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT user_id FROM group_edges WHERE group_id = ? AND state <= 1 ORDER BY position",
        (group_id,),
    )
    return [r[0] for r in rows]


def join_group(txn: Txn, group_id: str, user_id: str, now: int) -> tuple[list[str], Posted]:
    """Join (open) or ask to (closed); the superadmins and admins to tell of a request."""
    conn = txn.conn
    row = _group(conn, group_id)
    if row is None:
        raise _fail(GrpcCode.NOT_FOUND, "Group not found.")
    if row[8] >= row[9]:  # checked before anything else, members included
        raise _fail(GrpcCode.INVALID_ARGUMENT, "Group is full.")
    if _role(conn, group_id, user_id) is not None:
        return [], Posted()  # a member, a request or a ban already: nothing changes
    if not row[7]:
        _insert_edge(conn, group_id, user_id, _REQUEST, now)
        return _staff(conn, group_id), Posted()
    _insert_edge(conn, group_id, user_id, _MEMBER, now)
    _count(conn, group_id, 1, now)
    return [], Posted([(MessageCode.GROUP_JOIN, user_id)])


def leave_group(txn: Txn, group_id: str, user_id: str, now: int) -> Posted:
    conn = txn.conn
    role = _role(conn, group_id, user_id)
    if role is None or role == _BANNED:
        return Posted()
    if role == _SUPER:
        others = dict(
            conn.execute(
                "SELECT state, COUNT(*) FROM group_edges WHERE group_id = ? AND user_id <> ?"
                " GROUP BY state",
                (group_id, user_id),
            ).fetchall()
        )
        if not others.get(_SUPER):
            if not any(others.get(s) for s in (_ADMIN, _MEMBER)):
                _drop_group(conn, group_id)  # the last one out: the group goes
                return Posted(gone=True)
            raise _fail(
                GrpcCode.INVALID_ARGUMENT, "Cannot leave group when you are the last superadmin."
            )
    conn.execute("DELETE FROM group_edges WHERE group_id = ? AND user_id = ?", (group_id, user_id))
    if role < _REQUEST:
        _count(conn, group_id, -1, now)
    return Posted([(MessageCode.GROUP_LEAVE, user_id)])  # a withdrawn request too, as Nakama


def drop_memberships(txn: Txn, user_id: str, now: int) -> None:
    """A deleted account leaves every group, as Nakama's ``GroupDeleteAll``: a group it was the
    only superadmin of goes with all its members; elsewhere its edge goes, and a member's or an
    admin's (or a superadmin's: docs/server.md) no longer counts in ``edge_count``."""
    conn = txn.conn
    rows = conn.execute(
        "SELECT group_id, state FROM group_edges WHERE user_id = ?", (user_id,)
    ).fetchall()
    for group_id, role in rows:
        if role == _SUPER and not _other_superadmins(conn, group_id, user_id):
            _drop_group(conn, group_id)
            continue
        conn.execute(
            "DELETE FROM group_edges WHERE group_id = ? AND user_id = ?", (group_id, user_id)
        )
        if role < _REQUEST:
            _count(conn, group_id, -1, now)


def _other_superadmins(conn: sqlite3.Connection, group_id: str, user_id: str) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM group_edges WHERE group_id = ? AND user_id <> ? AND state = ?",
        (group_id, user_id, _SUPER),
    ).fetchone()
    return int(row[0])


def _caller_role(conn: sqlite3.Connection, group_id: str, caller: str) -> int:
    role = _role(conn, group_id, caller)
    if role is None or role > _ADMIN or _group(conn, group_id) is None:
        raise _fail(GrpcCode.NOT_FOUND, _NO_PERMISSION)
    return role


def add_members(
    txn: Txn, caller: str, group_id: str, user_ids: Sequence[str], now: int
) -> list[str]:
    """Add players (accepting their join requests); the players added, to tell them."""
    conn = txn.conn
    _caller_role(conn, group_id, caller)
    added = []
    for uid in user_ids:
        if uid == caller:
            continue
        if not users_exist(conn, [uid]):
            raise _fail(GrpcCode.INVALID_ARGUMENT, "One or more users not found.")
        role = _role(conn, group_id, uid)
        if role is None:
            _insert_edge(conn, group_id, uid, _MEMBER, now)
        elif role == _REQUEST:
            conn.execute(
                "UPDATE group_edges SET state = ?, update_time = ? WHERE group_id = ? AND"
                " user_id = ?",
                (_MEMBER, now, group_id, uid),
            )
        else:
            continue  # a member already, or banned: nothing
        _count(conn, group_id, 1, now)
        added.append(uid)
    return added


def _removable(conn: sqlite3.Connection, group_id: str, uid: str, caller_role: int) -> int | None:
    """The role of ``uid`` if the caller may remove it (kick or ban), else None."""
    role = _role(conn, group_id, uid)
    if role is None:
        return None
    if caller_role == _SUPER:
        others = conn.execute(
            "SELECT COUNT(*) FROM group_edges WHERE group_id = ? AND user_id <> ? AND state = 0",
            (group_id, uid),
        ).fetchone()[0]
        return None if role == _SUPER and not others else role
    return role if role > _ADMIN else None


def remove_members(
    txn: Txn, caller: str, group_id: str, user_ids: Sequence[str], now: int, *, ban: bool
) -> Posted:
    """Kick (or ban) players, by the caller's rights (``_protocol.groups`` Rule 2)."""
    conn = txn.conn
    mine = _caller_role(conn, group_id, caller)
    posted, code = Posted(), MessageCode.GROUP_BAN if ban else MessageCode.GROUP_KICK
    for uid in user_ids:
        if uid == caller:
            continue
        role = _removable(conn, group_id, uid, mine)
        if role is None:
            continue
        conn.execute("DELETE FROM group_edges WHERE group_id = ? AND user_id = ?", (group_id, uid))
        if ban:
            _insert_edge(conn, group_id, uid, _BANNED, now)
        if role < _REQUEST:
            _count(conn, group_id, -1, now)
            posted.changes.append((code, uid))  # a request or a ban removed: no message
    return posted


def set_roles(
    txn: Txn, caller: str, group_id: str, user_ids: Sequence[str], now: int, *, up: bool
) -> Posted:
    """Promote (``up``: a member to admin, an admin to superadmin, never a join request) or
    demote (an admin to member, a superadmin to admin), within the caller's rank."""
    conn = txn.conn
    mine = _caller_role(conn, group_id, caller)
    posted, code = Posted(), MessageCode.GROUP_PROMOTE if up else MessageCode.GROUP_DEMOTE
    for uid in user_ids:
        if uid == caller:
            continue
        role = _role(conn, group_id, uid)
        if role is None:
            continue
        allowed = (mine < role <= _MEMBER and role > 0) if up else (mine <= role < _MEMBER)
        if allowed:
            conn.execute(
                "UPDATE group_edges SET state = ?, update_time = ? WHERE group_id = ? AND"
                " user_id = ?",
                (role - 1 if up else role + 1, now, group_id, uid),
            )
            posted.changes.append((code, uid))
    return posted


# --- reads


def _edge_page(rows: list[Any], limit: int) -> tuple[list[Any], tuple[int, int] | None]:
    """Rows end in (state, position); the key of the row after the page, if any."""
    next_key = (int(rows[limit][-2]), int(rows[limit][-1])) if len(rows) > limit else None
    return rows[:limit], next_key


def _edge_filter(state: GroupRole | None, start: tuple[int, int] | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if state is not None:
        sql += " AND e.state = ?"
        params.append(int(state))
    else:
        sql += " AND e.state <= 3"  # bans only when asked for
    if start is not None:
        sql += " AND (e.state > ? OR (e.state = ? AND e.position >= ?))"
        params += [start[0], start[0], start[1]]
    return sql, params


def list_members(
    conn: sqlite3.Connection,
    group_id: str,
    state: GroupRole | None,
    limit: int,
    start: tuple[int, int] | None,
    online: Collection[str] = (),
) -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
    where, params = _edge_filter(state, start)
    rows = conn.execute(
        "SELECT e.user_id, e.state, e.position FROM group_edges AS e JOIN users ON users.uuid ="
        f" e.user_id WHERE e.group_id = ?{where} ORDER BY e.state, e.position LIMIT ?",
        [group_id, *params, limit + 1],
    ).fetchall()
    rows, next_key = _edge_page(rows, limit)
    users = user_bodies(conn, (r[0] for r in rows), edge_count=True, online=online)
    found = [{"user": users[r[0]], "state": r[1]} for r in rows if r[0] in users]
    return found, next_key


def list_user_groups(
    conn: sqlite3.Connection,
    user_id: str,
    state: GroupRole | None,
    limit: int,
    start: tuple[int, int] | None,
) -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
    where, params = _edge_filter(state, start)
    columns = ", ".join(f"g.{c.strip()}" for c in _COLUMNS.split(","))
    rows = conn.execute(
        f"SELECT {columns}, e.state, e.position FROM group_edges AS e JOIN groups AS g ON g.id ="
        f" e.group_id WHERE e.user_id = ?{where} ORDER BY e.state, e.position LIMIT ?",
        [user_id, *params, limit + 1],
    ).fetchall()
    rows, next_key = _edge_page(rows, limit)
    return [{"group": _json(r[:12]), "state": r[12]} for r in rows], next_key


@dataclass(frozen=True)
class GroupFilter:
    """The filters of ``GET /v2/group`` (``members``: at most that many; -1 none)."""

    name: str
    lang_tag: str
    open: bool | None
    members: int


# Nakama's query per filter combination: (where, order, cursor columns, comparison), the
# cursor naming the last group of the previous page (core_group.go ListGroups, as it is).
_PLANS: dict[tuple[bool, bool, bool], tuple[str, str, str, str]] = {
    (True, True, True): ("open = ? AND lang_tag = ? AND edge_count <= ?",
                         "open DESC, lang_tag DESC, edge_count DESC, id DESC",
                         "open, lang_tag, edge_count, id", "<"),
    (True, True, False): ("open = ? AND lang_tag = ?",
                          "open DESC, edge_count DESC, lang_tag DESC, id DESC",
                          "open, lang_tag, edge_count, id", ">"),
    (True, False, True): ("open = ? AND edge_count <= ?",
                          "open DESC, edge_count DESC, lang_tag DESC, id DESC",
                          "open, edge_count, lang_tag, id", "<"),
    (False, True, True): ("lang_tag = ? AND edge_count <= ?",
                          "lang_tag DESC, edge_count DESC, id DESC",
                          "lang_tag, edge_count, id", "<"),
    (False, True, False): ("lang_tag = ?", "lang_tag, edge_count, id",
                           "lang_tag, edge_count, id", ">"),
    (False, False, True): ("edge_count <= ?", "edge_count DESC, update_time DESC, id DESC",
                           "edge_count, update_time, id", "<"),
    (True, False, False): ("open = ?", "update_time, edge_count, id",
                           "update_time, edge_count, id", ">"),
    (False, False, False): ("1", "update_time, edge_count, id", "update_time, edge_count, id",
                            ">"),
}  # fmt: skip


def _plan(f: GroupFilter) -> tuple[str, list[Any], str, str, str]:
    if f.name:
        return "name LIKE ?", [f.name], "name", "name", ">"
    where, order, keys, op = _PLANS[(f.open is not None, bool(f.lang_tag), f.members > -1)]
    params: list[Any] = []
    if f.open is not None:
        params.append(int(f.open))
    if f.lang_tag:
        params.append(f.lang_tag)
    if f.members > -1:
        params.append(f.members)
    return where, params, order, keys, op


def list_groups(
    conn: sqlite3.Connection, f: GroupFilter, limit: int, after: list[Any] | None
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """A page of groups and the cursor values of its last group (None: no more)."""
    where, params, order, keys, op = _plan(f)
    if after is not None:
        marks = ", ".join("?" * len(after))
        where += f" AND ({keys}) {op} ({marks})"
        params += after
    rows = conn.execute(
        f"SELECT {_COLUMNS}, {keys} FROM groups WHERE {where} ORDER BY {order} LIMIT ?",
        [*params, limit + 1],
    ).fetchall()
    width = len(keys.split(","))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = list(rows[-1][-width:]) if more and rows else None
    return [_json(r[:12]) for r in rows], cursor
