"""Security: forged, expired and alg-none tokens; tampered cursors; SQL metacharacters; body cap;
no tracebacks to clients."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import jwt
import pytest

from tests.server.conftest import BASIC, SECRET, Api, FakeClock

UNAUTH = {"code": 16, "message": "Auth token invalid"}


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def session_claims(api: Api) -> dict[str, Any]:
    _status, session = await api.auth("device", {"id": "device-security"})
    claims: dict[str, Any] = jwt.decode(session["token"], options={"verify_signature": False})
    return claims


async def test_forged_token_is_401(api: Api) -> None:
    claims = await session_claims(api)
    forged = jwt.encode(claims, "not-the-server-secret-at-all-0123456789", algorithm="HS256")
    status, body = await api.call(
        "GET", "/v2/leaderboard/weekly", {"Authorization": f"Bearer {forged}"}
    )
    assert (status, body) == (401, UNAUTH)
    # Even the raw config secret is not the signing key (keys are derived per purpose).
    forged = jwt.encode(claims, SECRET, algorithm="HS256")
    status, _ = await api.call(
        "GET", "/v2/leaderboard/weekly", {"Authorization": f"Bearer {forged}"}
    )
    assert status == 401


async def test_alg_none_token_is_401(api: Api) -> None:
    claims = await session_claims(api)
    unsigned = b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims) + "."
    status, body = await api.call(
        "GET", "/v2/leaderboard/weekly", {"Authorization": f"Bearer {unsigned}"}
    )
    assert (status, body) == (401, UNAUTH)


async def test_expiry_follows_the_injected_clock(api: Api, clock: FakeClock) -> None:
    headers = await api.login("device-expiring")
    status, _ = await api.call("GET", "/v2/leaderboard/weekly", headers)
    assert status == 200
    clock.advance(3599)
    status, _ = await api.call("GET", "/v2/leaderboard/weekly", headers)
    assert status == 200
    clock.advance(1)
    status, body = await api.call("GET", "/v2/leaderboard/weekly", headers)
    assert (status, body) == (401, UNAUTH)


async def test_refresh_token_is_not_a_session_token(api: Api) -> None:
    status, session = await api.auth("device", {"id": "device-swapped"})
    headers = {"Authorization": "Bearer " + session["refresh_token"]}
    status, body = await api.call("GET", "/v2/leaderboard/weekly", headers)
    assert (status, body) == (401, UNAUTH)


async def test_expired_refresh_token(api: Api, clock: FakeClock) -> None:
    status, session = await api.auth("device", {"id": "device-old-refresh"})
    clock.advance(604800)
    basic = {"Authorization": "Basic " + base64.b64encode(b"defaultkey:").decode()}
    status, body = await api.call(
        "POST", "/v2/account/session/refresh", basic, json={"token": session["refresh_token"]}
    )
    assert (status, body["code"]) == (401, 16)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "a.b", "eyJ9.AAAA", "W10.AAAAAAAAAAAAAAAAAAAAAA"],
)
async def test_tampered_cursor_is_rejected(api: Api, cursor: str) -> None:
    headers = await api.login("device-cursor-1")
    for i in range(3):
        other = await api.login(f"device-cursor-writer-{i}")
        await api.call("POST", "/v2/leaderboard/weekly", other, json={"score": i})
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=1", headers)
    real = page["next_cursor"]
    for bad in [cursor, real[:-2] + ("AA" if not real.endswith("AA") else "BB"), "x" + real]:
        if not bad:
            continue
        status, body = await api.call(
            "GET", "/v2/leaderboard/weekly", headers, params={"cursor": bad}
        )
        assert (status, body) == (
            400,
            {"code": 3, "message": "Cursor is invalid or expired."},
        )


async def test_cursor_from_another_board_is_rejected(api: Api) -> None:
    headers = await api.login("device-cursor-2")
    for i in range(2):
        other = await api.login(f"device-cursor-board-{i}")
        await api.call("POST", "/v2/leaderboard/weekly", other, json={"score": i})
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=1", headers)
    status, _body = await api.call(
        "GET", "/v2/leaderboard/alltime", headers, params={"cursor": page["next_cursor"]}
    )
    assert status == 400


async def test_sql_metacharacters_are_data(api: Api) -> None:
    evil = "x');DROP/**/TABLE/**/records;--"
    status, session = await api.auth("custom", {"id": evil}, username="o'brien\"--")
    assert status == 200
    headers = {"Authorization": "Bearer " + session["token"]}
    status, record = await api.call("POST", "/v2/leaderboard/weekly", headers, json={"score": 1})
    assert record["username"] == "o'brien\"--"
    status, body = await api.call("GET", "/v2/leaderboard/weekly' OR '1'='1", headers)
    assert (status, body["code"]) == (404, 5)
    status, body = await api.call(
        "GET", "/v2/leaderboard/weekly", headers, params={"owner_ids": "' OR 1=1 --"}
    )
    assert (status, body["message"]) == (400, "One or more owner IDs are invalid.")
    status, _again = await api.auth("custom", {"id": evil}, create="false")
    assert status == 200
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=10", headers)
    assert page["rank_count"] == "1"


async def test_oversize_body_is_413_with_error_body(api: Api) -> None:
    headers = await api.login("device-big-body")
    big = {"score": 1, "metadata": json.dumps({"pad": "x" * 70_000})}
    status, body = await api.call("POST", "/v2/leaderboard/weekly", headers, json=big)
    assert status == 413
    assert body["code"] == 3
    assert "too large" in body["message"]


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/v2/account/authenticate/device", b'{"id": "\\ud800-device-id-1"}'),
        ("/v2/leaderboard/weekly", b'{"score": 1, "metadata": "{\\"a\\": \\"\\udc00\\"}"}'),
    ],
)
async def test_a_lone_surrogate_escape_is_400_not_500(api: Api, path: str, raw: bytes) -> None:
    headers = await api.login("device-surrogate")
    if "authenticate" in path:
        headers = {"Authorization": BASIC}
    status, body = await api.call(
        "POST", path, {**headers, "Content-Type": "application/json"}, data=raw
    )
    assert (status, body["code"], body["message"]) == (400, 3, "Request body is not valid JSON.")


async def test_oversize_chunked_body_is_413(api: Api) -> None:
    headers = await api.login("device-chunked")

    async def chunks() -> Any:
        for _ in range(80):
            yield b"x" * 1024

    resp = await api.client.post("/v2/leaderboard/weekly", headers=headers, data=chunks())
    assert resp.status == 413
    assert (await resp.json())["code"] == 3


async def test_internal_errors_are_logged_not_leaked(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    from gameservices.server import leaderboard_routes

    monkeypatch.setattr(leaderboard_routes, "list_records", boom)
    headers = await api.login("device-boom-01")
    with caplog.at_level(logging.ERROR, logger="gameservices.server"):
        status, body = await api.call("GET", "/v2/leaderboard/weekly", headers)
    assert (status, body) == (500, {"code": 13, "message": "Internal server error."})
    assert "secret internals" in caplog.text


async def test_unknown_route_is_nakama_shaped(api: Api) -> None:
    headers = await api.login("device-unknown-route")
    status, body = await api.call("GET", "/v2/nothing/here", headers)
    assert (status, body) == (404, {"code": 5, "message": "Not Found"})


async def test_slow_body_gets_408(make_api: Any) -> None:
    api = await make_api(read_timeout=0.2)
    headers = await api.login("device-slowpoke")
    never = asyncio.Event()

    async def trickle() -> Any:
        yield b'{"score": '
        await never.wait()  # the rest never comes; the server's read timeout ends it

    resp = await api.client.post("/v2/leaderboard/weekly", headers=headers, data=trickle())
    assert resp.status == 408
    assert (await resp.json())["code"] == 4
