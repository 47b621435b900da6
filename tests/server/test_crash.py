"""A server killed with SIGKILL mid-write loses no acknowledged write and stays consistent."""

from __future__ import annotations

import asyncio
import base64
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from gameservices.testing import start_serve_process

BASIC = {"Authorization": "Basic " + base64.b64encode(b"defaultkey:").decode()}
WRITERS = 16
KILL_AFTER = 400


def read_back(db: Path) -> tuple[str, dict[str, int]]:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute(
            "SELECT u.uuid, r.score FROM records r JOIN users u ON u.id = r.owner"
            " WHERE r.board = 'kills'"
        ).fetchall()
    finally:
        conn.close()
    return check, {uuid: score for uuid, score in rows}


async def start_server(db: Path) -> tuple[asyncio.subprocess.Process, str]:
    return await start_serve_process("--db", str(db), "--port", "0", "--board", "kills:desc:incr")


@pytest.mark.slow
async def test_sigkill_mid_write_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    proc, url = await start_server(db)
    acked: dict[str, int] = {}
    total = 0
    enough = asyncio.Event()
    killed = False

    async def writer(http: aiohttp.ClientSession, n: int) -> None:
        nonlocal total
        async with http.post(
            f"{url}/v2/account/authenticate/device",
            json={"id": f"crash-device-{n:04d}"},
            headers=BASIC,
        ) as resp:
            token = (await resp.json())["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        while True:
            try:
                async with http.post(
                    f"{url}/v2/leaderboard/kills", json={"score": 1}, headers=bearer
                ) as resp:
                    body = await resp.json()
            except (aiohttp.ClientError, asyncio.TimeoutError):
                return  # the server died under this request: its outcome is unknown
            assert resp.status == 200, body
            acked[body["owner_id"]] = int(body["score"])
            total += 1
            if total >= KILL_AFTER:
                enough.set()

    try:
        async with aiohttp.ClientSession() as http:
            tasks = [asyncio.ensure_future(writer(http, n)) for n in range(WRITERS)]
            await enough.wait()
            proc.send_signal(signal.SIGKILL)  # with requests in flight
            killed = True
            await asyncio.gather(*tasks)
    finally:
        # Not after SIGKILL: see start_serve_process on the returncode-255 race.
        if not killed:
            proc.kill()
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL

    check, stored = await asyncio.to_thread(read_back, db)
    assert check == "ok"
    assert len(acked) == WRITERS
    for owner, count in acked.items():
        # Acknowledged increments are all there; at most the one in flight was also applied.
        assert stored[owner] in (count, count + 1), (owner, count, stored[owner])

    # The database reopens and serves the same ranks.
    proc, url = await start_server(db)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{url}/v2/account/authenticate/device",
                json={"id": "crash-device-0000"},
                headers=BASIC,
            ) as resp:
                token = (await resp.json())["token"]
            async with http.get(
                f"{url}/v2/leaderboard/kills?limit=100",
                headers={"Authorization": f"Bearer {token}"},
            ) as resp:
                page = await resp.json()
        assert page["rank_count"] == str(WRITERS)
        assert {r["owner_id"]: int(r["score"]) for r in page["records"]} == stored
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await proc.wait() == 0
