"""Restart with a file database: accounts, records, ranks, revocations, idempotency survive."""

from __future__ import annotations

import asyncio
import base64
import stat
from pathlib import Path
from typing import Any

from gameservices.server import ServerConfig, create_app
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
