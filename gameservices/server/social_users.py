"""Users as the social lists show them (friends, friends of friends, group members): one
``apiUser`` body per account id, read from the accounts table (blocking; the store's threads).

Invariants: bodies come from ``_protocol.users.user_json`` (the same builder every part of the
server uses); ``edge_count`` is the player's friend edges (Nakama counts each edge its
``user_edge`` table holds with the player as source: friends, invites, blocks), included only
where Nakama includes it (friend lists leave it out).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from .account_store import find_users

__all__ = ["user_bodies", "user_ids_by_username", "users_exist"]

_CHUNK = 500  # ids per statement, far below SQLite's variable limit


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def user_bodies(
    conn: sqlite3.Connection, ids: Iterable[str], *, edge_count: bool = False
) -> dict[str, dict[str, Any]]:
    """``{id: apiUser}`` for each of ``ids`` that has an account (profiles included)."""
    wanted = list(dict.fromkeys(ids))
    bodies = {body["id"]: body for body in find_users(conn, wanted, ())}
    if edge_count:
        for uid, body in bodies.items():
            count = conn.execute("SELECT COUNT(*) FROM user_edges WHERE source = ?", (uid,))
            bodies[uid] = _with_edge_count(body, count.fetchone()[0])
    return bodies


def _with_edge_count(body: dict[str, Any], count: int) -> dict[str, Any]:
    """``edge_count`` in its place in Nakama's field order (before the times)."""
    if not count:
        return body
    head = {k: v for k, v in body.items() if not k.endswith("_time")}
    times = {k: v for k, v in body.items() if k.endswith("_time")}
    return {**head, "edge_count": count, **times}


def user_ids_by_username(conn: sqlite3.Connection, usernames: Iterable[str]) -> list[str]:
    """The ids of the accounts with these usernames (unknown ones are left out)."""
    found: list[str] = []
    for chunk in _chunks(list(dict.fromkeys(usernames))):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT uuid FROM users WHERE username IN ({marks})"
        found.extend(r[0] for r in conn.execute(sql, chunk))
    return found


def users_exist(conn: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` have an account."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT uuid FROM users WHERE uuid IN ({marks})"
        found.update(r[0] for r in conn.execute(sql, chunk))
    return found
