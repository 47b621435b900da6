"""Authentication: Nakama's validation rules and messages, create/username semantics, sessions."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.server.conftest import Api, FakeClock


def error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


@pytest.mark.parametrize(
    ("kind", "body", "query", "message"),
    [
        ("device", {}, {}, "Device ID is required."),
        ("device", {"id": "short-id1"}, {}, "Device ID invalid, must be 10-128 bytes."),
        ("device", {"id": "d" * 129}, {}, "Device ID invalid, must be 10-128 bytes."),
        (
            "device",
            {"id": "device id 123"},
            {},
            "Device ID invalid, no spaces or control characters allowed.",
        ),
        ("custom", {"id": ""}, {}, "Custom ID is required."),
        ("custom", {"id": "abcde"}, {}, "Custom ID invalid, must be 6-128 bytes."),
        (
            "custom",
            {"id": "abc\x01defg"},
            {},
            "Custom ID invalid, no spaces or control characters allowed.",
        ),
        ("email", {"email": "a@example.com"}, {}, "Password must be at least 8 characters long."),
        (
            "email",
            {"password": "password1"},
            {},
            "Username is required when email address is not supplied.",
        ),
        (
            "email",
            {"email": "not-an-email-address", "password": "short"},
            {},
            "Invalid email address format.",
        ),
        (
            "email",
            {"email": "a b@example.com", "password": "password1"},
            {},
            "Invalid email address, no spaces or control characters allowed.",
        ),
        (
            "email",
            {"email": "a@example.com", "password": "short"},
            {},
            "Password must be at least 8 characters long.",
        ),
        (
            "email",
            {"email": "not-an-email-address", "password": "password1"},
            {},
            "Invalid email address format.",
        ),
        (
            "email",
            {"email": "a@b.co", "password": "password1"},
            {},
            "Invalid email address, must be 10-255 bytes.",
        ),
        (
            "device",
            {"id": "device-000001"},
            {"username": "has\tab"},
            "Username invalid, no spaces or control characters allowed.",
        ),
        (
            "device",
            {"id": "device-000001"},
            {"username": "a[]b"},  # Nakama's pattern refuses "[]" too
            "Username invalid, no spaces or control characters allowed.",
        ),
        (
            "device",
            {"id": "device-000001"},
            {"username": "u" * 129},
            "Username invalid, must be 1-128 bytes.",
        ),
    ],
)
async def test_validation_messages(
    api: Api, kind: str, body: dict[str, Any], query: dict[str, str], message: str
) -> None:
    status, answer = await api.auth(kind, body, **query)
    assert (status, answer) == (400, error(3, message))


async def test_lengths_are_bytes_not_characters(api: Api) -> None:
    status, _ = await api.auth("custom", {"id": "ééé"})  # 3 chars, 6 bytes
    assert status == 200


async def test_create_false_for_unknown_account_is_404(api: Api) -> None:
    for kind, body in [
        ("device", {"id": "device-unknown-1"}),
        ("custom", {"id": "custom-unknown"}),
        ("email", {"email": "nobody@example.com", "password": "password1"}),
    ]:
        status, answer = await api.auth(kind, body, create="false")
        assert (status, answer) == (404, error(5, "User account not found.")), kind


async def test_existing_account_logs_in_without_created(api: Api) -> None:
    status, first = await api.auth("device", {"id": "device-again-1"}, username="zed")
    assert (status, first["created"]) == (200, True)
    status, second = await api.auth("device", {"id": "device-again-1"}, create="false")
    assert status == 200
    assert "created" not in second


async def test_taken_username_is_409(api: Api) -> None:
    await api.login("device-first-01", "taken")
    status, answer = await api.auth("custom", {"id": "custom-other"}, username="taken")
    assert (status, answer) == (409, error(6, "Username is already in use."))


async def test_email_password_is_checked(api: Api) -> None:
    creds = {"email": "Player@Example.com", "password": "correct horse"}
    status, created = await api.auth("email", creds)
    assert (status, created["created"]) == (200, True)
    status, _again = await api.auth(
        "email", {"email": "player@example.com", "password": "correct horse"}, create="false"
    )
    assert status == 200  # emails are case-insensitive
    status, wrong = await api.auth("email", {**creds, "password": "wrong horse"})
    assert (status, wrong) == (401, error(16, "Invalid credentials."))


async def test_basic_auth_is_required_for_authenticate(api: Api) -> None:
    path = "/v2/account/authenticate/device"
    body = {"id": "device-000001"}
    resp = await api.client.post(path, json=body)
    assert (resp.status, await resp.json()) == (401, error(16, "Server key required"))
    bad = "Basic " + base64.b64encode(b"wrongkey:").decode()
    resp = await api.client.post(path, json=body, headers={"Authorization": bad})
    assert (resp.status, await resp.json()) == (401, error(16, "Server key invalid"))


async def test_bearer_is_required_elsewhere(api: Api) -> None:
    resp = await api.client.get("/v2/leaderboard/weekly")
    assert (resp.status, await resp.json()) == (401, error(16, "Auth token required"))


async def test_refresh_returns_a_new_pair_and_logout_revokes(api: Api, clock: FakeClock) -> None:
    status, session = await api.auth("device", {"id": "device-refresh-1"}, username="ref")
    basic = {"Authorization": "Basic " + base64.b64encode(b"defaultkey:").decode()}
    clock.advance(10)
    status, renewed = await api.call(
        "POST", "/v2/account/session/refresh", basic, json={"token": session["refresh_token"]}
    )
    assert status == 200
    assert renewed["token"] != session["token"]
    assert renewed["refresh_token"] != session["refresh_token"]
    bearer = {"Authorization": "Bearer " + renewed["token"]}
    status, _ = await api.call(
        "POST",
        "/v2/session/logout",
        bearer,
        json={"token": renewed["token"], "refresh_token": renewed["refresh_token"]},
    )
    assert status == 200
    status, answer = await api.call(
        "POST", "/v2/account/session/refresh", basic, json={"token": renewed["refresh_token"]}
    )
    assert (status, answer) == (401, error(16, "Refresh token invalid or expired."))
    status, answer = await api.call("GET", "/v2/leaderboard/weekly", bearer)
    assert status == 401
    # The first refresh token shares the login's tid: it is dead too (as on Nakama).
    status, answer = await api.call(
        "POST", "/v2/account/session/refresh", basic, json={"token": session["refresh_token"]}
    )
    assert (status, answer) == (401, error(16, "Refresh token invalid or expired."))


async def test_refresh_requires_a_token(api: Api) -> None:
    basic = {"Authorization": "Basic " + base64.b64encode(b"defaultkey:").decode()}
    status, answer = await api.call("POST", "/v2/account/session/refresh", basic, json={})
    assert (status, answer) == (400, error(3, "Refresh token is required."))


async def test_vars_are_carried_in_the_token(api: Api) -> None:
    import jwt

    _status, session = await api.auth("device", {"id": "device-vars-01", "vars": {"lang": "fi"}})
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    assert claims["vrs"] == {"lang": "fi"}
    assert {"exp", "uid", "usn"} <= set(claims)
