"""A group commit that fails (disk full, I/O error) answers 500 and leaves no trace in memory:
the rank index must equal what SQLite holds, so a 200 always means committed."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from gameservices.server.ranks import RankIndex
from gameservices.server.state import STATE, ServerState

from .conftest import MakeApi


def deny_commit(action: int, arg1: str | None, *_: object) -> int:
    """A real SQLite failure on demand: an authorizer that makes every COMMIT fail."""
    if action == sqlite3.SQLITE_TRANSACTION and arg1 == "COMMIT":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def allow_all(*_: object) -> int:
    """Lift the denial (``set_authorizer(None)`` exists only from Python 3.11)."""
    return sqlite3.SQLITE_OK


async def set_authorizer(state: ServerState, authorizer: Callable[..., int]) -> None:
    # On the writer thread (the connection's owner). Setting an authorizer expires the
    # connection's cached statements, so the next COMMIT is prepared under it.
    with contextlib.suppress(sqlite3.DatabaseError):  # denying: this very batch fails too
        await state.store.write(lambda txn: txn.conn.set_authorizer(authorizer))


async def test_a_failed_commit_answers_500_and_keeps_index_equal_to_db(
    make_api: MakeApi, tmp_path: Path
) -> None:
    api = await make_api(db_path=str(tmp_path / "x.db"))
    state = api.client.app[STATE].state
    assert state is not None
    alice = await api.login("device-alice-1")
    bob = await api.login("device-bob-01")
    status, _ = await api.call("POST", "/v2/leaderboard/alltime", alice, json={"score": "100"})
    assert status == 200

    await set_authorizer(state, deny_commit)
    results = await asyncio.gather(
        api.call("POST", "/v2/leaderboard/alltime", alice, json={"score": "500"}),
        api.call("POST", "/v2/leaderboard/alltime", bob, json={"score": "300"}),
        api.call("DELETE", "/v2/leaderboard/alltime", alice),
    )
    await set_authorizer(state, allow_all)

    for status, body in results:
        assert (status, body.get("code")) == (500, 13), (status, body)
        assert "COMMIT" not in body["message"]  # no internals leak to clients
    status, body = await api.call("GET", "/v2/leaderboard/alltime?limit=10", alice)
    assert status == 200
    assert [(r["score"], r["rank"]) for r in body["records"]] == [("100", "1")]
    assert await _owners(state) == await _stored_owners(state)
    # And the server still works afterwards.
    status, body = await api.call("POST", "/v2/leaderboard/alltime", bob, json={"score": "300"})
    assert (status, body["rank"]) == (200, "1")
    assert await _owners(state) == await _stored_owners(state)


async def _owners(state: ServerState) -> list[int]:
    with state.ranks.lock:
        index = state.ranks.index("alltime", 0)
        return [RankIndex.owner_of(k) for _, k in index.slice(0, 1000)]


async def _stored_owners(state: ServerState) -> list[int]:
    def job(conn: sqlite3.Connection) -> list[int]:
        rows = conn.execute(
            "SELECT r.owner FROM records r JOIN users u ON u.id = r.owner"
            " WHERE r.board = 'alltime' ORDER BY r.score DESC, r.subscore DESC, u.uuid DESC"
        )
        return [int(r[0]) for r in rows]

    return await state.store.read(job)
