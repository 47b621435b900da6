"""Users as the social lists show them (friends, friends of friends, group members): one
``apiUser`` body per account id, read from the accounts table (blocking; the store's threads).

Invariants: bodies come from ``account_store.find_users`` (the same builder every part of the
server uses); ``edge_count`` is the player's friend edges (Nakama counts each edge its
``user_edge`` table holds with the player as source: friends, invites, blocks), included only
where Nakama includes it (friend lists leave it out); ``online`` is the caller's snapshot of
``OnlineUsers``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from typing import Any

from .account_store import find_users

__all__ = ["user_bodies", "user_ids_by_username", "users_exist"]

_CHUNK = 500  # ids per statement, far below SQLite's variable limit


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def user_bodies(
    conn: sqlite3.Connection,
    ids: Iterable[str],
    *,
    edge_count: bool = False,
    online: Collection[str] = (),
) -> dict[str, dict[str, Any]]:
    """``{id: apiUser}`` for each of ``ids`` that has an account (profiles included)."""
    wanted = list(dict.fromkeys(ids))
    found = find_users(conn, wanted, (), online=online, edge_count=edge_count)
    return {body["id"]: body for body in found}


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
