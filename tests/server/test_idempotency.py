"""Idempotency-Key: at most once per (user, key) for 24 h, replay, 409 on reuse, echo."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Api, FakeClock

PATH = "/v2/leaderboard/kills"  # an INCREMENT board: a double apply would show


async def post(api: Api, headers: dict[str, str], key: str | None, body: Any) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    resp = await api.client.post(PATH, json=body, headers={**headers, **extra})
    return resp.status, resp.headers, await resp.json()


async def test_replay_returns_the_stored_response(api: Api, clock: FakeClock) -> None:
    headers = await api.login("device-idem-1")
    status, h1, first = await post(api, headers, "key-1", {"score": 5})
    assert (status, h1["Idempotency-Key"], "Idempotent-Replayed" in h1) == (200, "key-1", False)
    clock.advance(60)
    status, h2, replay = await post(api, headers, "key-1", {"score": 5})
    assert (status, h2["Idempotency-Key"], h2["Idempotent-Replayed"]) == (200, "key-1", "true")
    assert replay == first
    status, _, after = await post(api, headers, "key-2", {"score": 5})
    assert (after["score"], after["num_score"]) == ("10", 2)  # applied once per key


async def test_same_key_different_body_is_409(api: Api) -> None:
    headers = await api.login("device-idem-2")
    await post(api, headers, "key-x", {"score": 5})
    status, h, body = await post(api, headers, "key-x", {"score": 6})
    assert (status, body["code"]) == (409, 6)
    assert h["Idempotency-Key"] == "key-x"  # echoed on errors too


async def test_keys_are_per_user(api: Api) -> None:
    alice = await api.login("device-idem-alice")
    bob = await api.login("device-idem-bob")
    await post(api, alice, "shared", {"score": 5})
    status, h, body = await post(api, bob, "shared", {"score": 7})
    assert (status, body["score"], "Idempotent-Replayed" in h) == (200, "7", False)


async def test_keys_expire_after_24_hours(api: Api, clock: FakeClock) -> None:
    headers = await api.login("device-idem-ttl")
    await post(api, headers, "old-key", {"score": 1})
    clock.advance(24 * 3600)
    # Tokens expire sooner than keys; log in again with the same device.
    headers = await api.login("device-idem-ttl")
    status, h, body = await post(api, headers, "old-key", {"score": 1})
    assert (status, body["score"], "Idempotent-Replayed" in h) == (200, "2", False)


async def test_delete_is_idempotent_and_echoed(api: Api) -> None:
    headers = await api.login("device-idem-del")
    await post(api, headers, None, {"score": 3})
    for replayed in (False, True):
        resp = await api.client.delete(PATH, headers={**headers, "Idempotency-Key": "del-1"})
        assert resp.status == 200
        assert resp.headers["Idempotency-Key"] == "del-1"
        assert ("Idempotent-Replayed" in resp.headers) is replayed


async def test_concurrent_duplicates_apply_once(api: Api) -> None:
    import asyncio

    headers = await api.login("device-idem-race")
    results = await asyncio.gather(*(post(api, headers, "race", {"score": 1}) for _ in range(8)))
    bodies = [body for _, _, body in results]
    assert all(b == bodies[0] for b in bodies)
    assert sum("Idempotent-Replayed" in h for _, h, _ in results) == 7
    _status, page = await api.call("GET", f"{PATH}?limit=1", headers)
    assert page["records"][0]["score"] == "1"


async def test_malformed_key_is_400(api: Api) -> None:
    headers = await api.login("device-idem-bad")
    status, _, body = await post(api, headers, "k" * 256, {"score": 1})
    assert (status, body["code"]) == (400, 3)
    status, _, body = await post(api, headers, "has space", {"score": 1})
    assert status == 400


async def test_no_key_no_echo(api: Api) -> None:
    headers = await api.login("device-idem-none")
    status, h, _ = await post(api, headers, None, {"score": 1})
    assert status == 200
    assert "Idempotency-Key" not in h


async def test_expired_keys_and_revocations_are_purged_at_startup(
    aiohttp_client: Any, tmp_path: Any, clock: FakeClock
) -> None:
    import asyncio
    import sqlite3

    from gameservices.server import ServerConfig, create_app

    config = ServerConfig(db_path=str(tmp_path / "p.db"), clock=clock)
    api = Api(await aiohttp_client(create_app(config)))
    headers = await api.login("device-purge-1")
    await post(api, headers, "purge-me", {"score": 1})
    await api.client.close()
    clock.advance(24 * 3600 + 1)
    api = Api(await aiohttp_client(create_app(config)))
    await api.client.close()

    def count() -> int:
        with sqlite3.connect(tmp_path / "p.db") as conn:
            return int(conn.execute("SELECT COUNT(*) FROM idempotency").fetchone()[0])

    assert await asyncio.to_thread(count) == 0
