"""What deleting an account takes, as Nakama 3.40's ``DeleteAccount`` does (one writer job).

Invariants:
- The user, its devices and profile, its leaderboard and tournament records (taken out of every
  rank index too, restored if the batch rolls back), storage objects, notifications and friend
  edges in both directions go; the writer's user cache forgets it.
- Its group memberships go (``groups.drop_memberships``): a group it was the only superadmin of
  is deleted with all its members.
- Sessions are the caller's business (``account_routes``): revoked, sockets closed.
"""

from __future__ import annotations

import functools

from .groups import drop_memberships
from .ranks import RankIndex, Ranks
from .sqlite_store import Txn

__all__ = ["delete_account"]


def delete_account(txn: Txn, user_id: str, ranks: Ranks, now: int) -> bool:
    """Delete the account and everything it owns, its group memberships included (a group it
    was the only superadmin of goes too); False if there was none (blocking)."""
    conn = txn.conn
    row = conn.execute("SELECT id FROM users WHERE uuid = ?", (user_id,)).fetchone()
    if row is None:
        return False
    rowid = int(row[0])
    _drop_records(txn, rowid, ranks)
    drop_memberships(txn, user_id, now)
    for statement in (
        "DELETE FROM user_devices WHERE user_id = ?",
        "DELETE FROM user_profiles WHERE user_id = ?",
        "DELETE FROM users WHERE id = ?",
    ):
        conn.execute(statement, (rowid,))
    # What Nakama's foreign keys delete with the user (ON DELETE CASCADE): storage objects,
    # notifications, friend edges in both directions (so each pair keeps its two edges).
    for statement in (
        "DELETE FROM storage WHERE user_id = ?",
        "DELETE FROM notifications WHERE user_id = ?",
        "DELETE FROM user_edges WHERE source = ?1 OR destination = ?1",
    ):
        conn.execute(statement, (user_id,))
    ranks.users.pop(user_id, None)
    return True


def _drop_records(txn: Txn, rowid: int, ranks: Ranks) -> None:
    periods = txn.conn.execute(
        "SELECT board, expiry FROM records WHERE owner = ?", (rowid,)
    ).fetchall()
    txn.conn.execute("DELETE FROM records WHERE owner = ?", (rowid,))
    for board_id, expiry in periods:
        with ranks.lock:
            index = ranks.peek(board_id, expiry)
            previous = None if index is None else index.remove(rowid)
        if index is not None:
            txn.on_rollback(functools.partial(_restore, ranks, index, rowid, previous))


def _restore(ranks: Ranks, index: RankIndex, rowid: int, previous: int | None) -> None:
    with ranks.lock:
        index.restore(rowid, previous)
