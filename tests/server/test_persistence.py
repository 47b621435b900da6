"""Restart with a file database: accounts, records, ranks, revocations, idempotency survive."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

from gameservices.server import ServerConfig, create_app
from gameservices.server.schema import SCHEMA_VERSION
from tests.server.conftest import Api, FakeClock

BASIC = {"Authorization": "Basic " + base64.b64encode(b"defaultkey:").decode()}


async def test_restart_keeps_everything(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    config = ServerConfig(db_path=str(tmp_path / "game.db"), clock=clock)
    api = Api(await aiohttp_client(create_app(config)))
    alice = await api.login("device-persist-a", "alice")
    bob = await api.login("device-persist-b", "bob")
    await api.call("POST", "/v2/leaderboard/weekly", alice, json={"score": 10})
    resp = await api.client.post(
        "/v2/leaderboard/kills", json={"score": 3}, headers={**bob, "Idempotency-Key": "k1"}
    )
    first_kills = await resp.json()
    status, session = await api.auth("device", {"id": "device-persist-c"})
    await api.call(
        "POST",
        "/v2/session/logout",
        {"Authorization": "Bearer " + session["token"]},
        json={"refresh_token": session["refresh_token"]},
    )
    await api.client.close()

    secret = tmp_path / "game.db.secret"
    assert stat.S_IMODE((await asyncio.to_thread(secret.stat)).st_mode) == 0o600

    api = Api(await aiohttp_client(create_app(config)))
    # The secret persisted, so tokens issued before the restart still verify.
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=10", alice)
    assert status == 200
    assert [(r["username"], r["rank"], r["score"]) for r in page["records"]] == [
        ("alice", "1", "10")
    ]
    status, rec = await api.call("POST", "/v2/leaderboard/weekly", bob, json={"score": 20})
    assert rec["rank"] == "1"  # the rebuilt index ranks new writes against old records
    resp = await api.client.post(
        "/v2/leaderboard/kills", json={"score": 3}, headers={**bob, "Idempotency-Key": "k1"}
    )
    assert resp.headers["Idempotent-Replayed"] == "true"
    assert await resp.json() == first_kills
    status, _body = await api.call(
        "POST", "/v2/account/session/refresh", BASIC, json={"token": session["refresh_token"]}
    )
    assert status == 401  # the revocation persisted
    status, _again = await api.auth("device", {"id": "device-persist-a"}, create="false")
    assert status == 200


async def test_memory_databases_are_independent(make_api: Any) -> None:
    first = await make_api()
    second = await make_api()
    headers = await first.login("device-memory-1")
    await first.call("POST", "/v2/leaderboard/weekly", headers, json={"score": 1})
    status, _body = await second.auth("device", {"id": "device-memory-1"}, create="false")
    assert status == 404


_VERSION_0 = """
CREATE TABLE users(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE, custom_id TEXT UNIQUE, email TEXT UNIQUE, password TEXT,
    create_time INTEGER NOT NULL);
CREATE TABLE user_devices(id TEXT PRIMARY KEY, user_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE records(board TEXT NOT NULL, owner INTEGER NOT NULL, score INTEGER NOT NULL,
    subscore INTEGER NOT NULL, num_score INTEGER NOT NULL, metadata TEXT NOT NULL,
    create_time INTEGER NOT NULL, update_time INTEGER NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY(board, owner)) WITHOUT ROWID;
INSERT INTO users VALUES (1, '11111111-1111-4111-8111-111111111111', 'old', NULL, NULL, NULL, 0);
INSERT INTO user_devices VALUES ('device-old-0001', 1);
INSERT INTO records VALUES ('weekly', 1, 42, 7, 3, '{"a": 1}', 100, 200, 9);
"""


def _make_version_0(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(_VERSION_0)
    conn.close()


def _schema_of(path: Path) -> tuple[int, list[str]]:
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    finally:
        conn.close()
    return version, columns


async def test_a_database_from_before_reset_periods_is_migrated(
    aiohttp_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    db = tmp_path / "old.db"
    await asyncio.to_thread(_make_version_0, db)
    config = ServerConfig(db_path=str(db), clock=clock)
    api = Api(await aiohttp_client(create_app(config)))
    old = await api.login("device-old-0001")
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=10", old)
    assert status == 200
    assert [
        (r["username"], r["score"], r["subscore"], r["num_score"]) for r in page["records"]
    ] == [("old", "42", "7", 3)]
    assert json.loads(page["records"][0]["metadata"]) == {"a": 1}
    await api.client.close()
    version, columns = await asyncio.to_thread(_schema_of, db)
    assert version == SCHEMA_VERSION
    assert "expiry" in columns
    assert "seq" not in columns
