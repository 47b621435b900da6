"""Friend edges: the jobs behind ``friend_routes`` (the writer and reader threads).

Invariants (Nakama's ``core_friend.go``, checked against Nakama 3.40):
- A pair that is related has an edge from each side, except a block, which is one edge (the
  blocker's, state 3); each side's ``state`` is as it sees the other (``FriendState``).
- Adding: a player who has blocked the target adds nothing; a pending invite from the target
  is accepted (both edges become 0: the target is told ``FRIEND_ACCEPT``); otherwise a new
  pair of edges (1 and 2) is made unless the target is unknown, already related or has blocked
  the adder (the target is told ``FRIEND_REQUEST``). Anything else changes nothing, silently.
- Deleting removes the caller's edge and the other's, unless the other's is a block: so a block
  by the other side stays. Removing a mutual relation (friends or an invite) tells the other
  ``FRIEND_REMOVE``.
- Blocking turns the caller's edge into 3 (or makes one, for a known player) and removes the
  other's edge unless it is a block too.
- ``position`` orders lists (state, then position) and is shared by the two edges of a pair.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .._protocol.friends import FriendState, friend_json
from .social_users import user_bodies, users_exist
from .sqlite_store import Txn

__all__ = [
    "FriendPage",
    "add_friends",
    "block_friends",
    "delete_friends",
    "friends_of_friends",
    "list_friends",
]

_F, _SENT, _RECEIVED, _BLOCKED = (int(s) for s in FriendState)


def _next_position(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT MAX(position) FROM user_edges").fetchone()
    return (row[0] or 0) + 1


def _state(conn: sqlite3.Connection, source: str, destination: str) -> int | None:
    row = conn.execute(
        "SELECT state FROM user_edges WHERE source = ? AND destination = ?", (source, destination)
    ).fetchone()
    return None if row is None else int(row[0])


def _add_one(conn: sqlite3.Connection, me: str, other: str, now: int) -> bool | None:
    """True: an invite accepted; False: a new invite; None: nothing changed."""
    mine, theirs = _state(conn, me, other), _state(conn, other, me)
    if mine == _BLOCKED:
        return None
    if mine == _RECEIVED and theirs == _SENT:
        conn.execute(
            "UPDATE user_edges SET state = 0, update_time = ? WHERE (source = ? AND destination"
            " = ?) OR (source = ? AND destination = ?)",
            (now, me, other, other, me),
        )
        return True
    if mine is not None or theirs is not None or not users_exist(conn, [other]):
        return None
    position = _next_position(conn)
    conn.executemany(
        "INSERT INTO user_edges(source, destination, state, position, update_time, metadata)"
        " VALUES (?, ?, ?, ?, ?, '{}')",
        [(me, other, _SENT, position, now), (other, me, _RECEIVED, position, now)],
    )
    return False


def add_friends(txn: Txn, me: str, others: Sequence[str], now: int) -> dict[str, bool]:
    """``{other: accepted}`` for each edge that changed (who to notify, and how)."""
    changed: dict[str, bool] = {}
    for other in dict.fromkeys(others):
        outcome = _add_one(txn.conn, me, other, now)
        if outcome is not None:
            changed[other] = outcome
    return changed


def delete_friends(txn: Txn, me: str, others: Sequence[str]) -> list[str]:
    """Remove the caller's edges; the players whose own edge went too (to notify)."""
    told = []
    for other in dict.fromkeys(others):
        conn = txn.conn
        mine = conn.execute(
            "DELETE FROM user_edges WHERE source = ? AND destination = ?", (me, other)
        ).rowcount
        theirs = conn.execute(
            "DELETE FROM user_edges WHERE source = ? AND destination = ? AND state <> 3",
            (other, me),
        ).rowcount
        if mine and theirs:
            told.append(other)
    return told


def block_friends(txn: Txn, me: str, others: Sequence[str], now: int) -> None:
    conn = txn.conn
    for other in dict.fromkeys(others):
        updated = conn.execute(
            "UPDATE user_edges SET state = 3, update_time = ? WHERE source = ? AND destination = ?",
            (now, me, other),
        ).rowcount
        if not updated:
            if not users_exist(conn, [other]):
                continue
            conn.execute(
                "INSERT INTO user_edges(source, destination, state, position, update_time,"
                " metadata) VALUES (?, ?, 3, ?, ?, '{}')",
                (me, other, _next_position(conn), now),
            )
        conn.execute(
            "DELETE FROM user_edges WHERE source = ? AND destination = ? AND state <> 3",
            (other, me),
        )


@dataclass(frozen=True)
class FriendPage:
    """One page: the JSON of each friend and where the next page starts (state, position)."""

    friends: list[dict[str, object]]
    next_key: tuple[int, int] | None


def list_friends(
    conn: sqlite3.Connection,
    me: str,
    state: FriendState | None,
    limit: int,
    start: tuple[int, int] | None,
    online: Collection[str] = (),
) -> FriendPage:
    sql = (
        "SELECT destination, state, position, update_time, metadata FROM user_edges"
        " JOIN users ON users.uuid = destination WHERE source = ?"
    )
    params: list[object] = [me]
    if state is not None:
        sql += " AND state = ?"
        params.append(int(state))
    if start is not None:
        sql += " AND (state > ? OR (state = ? AND position >= ?))"
        params += [start[0], start[0], start[1]]
    sql += " ORDER BY state, position LIMIT ?"
    rows = conn.execute(sql, [*params, limit + 1]).fetchall()
    next_key = (int(rows[limit][1]), int(rows[limit][2])) if len(rows) > limit else None
    rows = rows[:limit]
    users = user_bodies(conn, (r[0] for r in rows), online=online)
    friends = [friend_json(users[r[0]], r[1], r[3], r[4]) for r in rows if r[0] in users]
    return FriendPage(friends, next_key)


def friends_of_friends(
    conn: sqlite3.Connection,
    me: str,
    limit: int,
    start: tuple[str, str] | None,
    online: Collection[str] = (),
) -> tuple[list[dict[str, object]], tuple[str, str] | None]:
    """Friends of the caller's friends who are neither the caller nor its friends, by
    (referrer, user) id; a user who is a friend of two friends appears under each."""
    sql = (
        "SELECT e2.source, e2.destination FROM user_edges AS e1"
        " JOIN user_edges AS e2 ON e2.source = e1.destination"
        " WHERE e1.source = ? AND e1.state = 0 AND e2.state = 0 AND e2.destination <> ?"
        " AND e2.destination NOT IN"
        " (SELECT destination FROM user_edges WHERE source = ? AND state = 0)"
    )
    params: list[object] = [me, me, me]
    if start is not None:
        sql += " AND (e2.source > ? OR (e2.source = ? AND e2.destination >= ?))"
        params += [start[0], start[0], start[1]]
    sql += " ORDER BY e2.source, e2.destination LIMIT ?"
    rows = conn.execute(sql, [*params, limit + 1]).fetchall()
    next_key = (rows[limit][0], rows[limit][1]) if len(rows) > limit else None
    rows = rows[:limit]
    users = user_bodies(conn, (r[1] for r in rows), edge_count=True, online=online)
    found = [{"referrer": r[0], "user": users[r[1]]} for r in rows if r[1] in users]
    return found, next_key
