"""``GET /v2/account`` in Nakama's Account shape, and the email login by username."""

from __future__ import annotations

from tests.server.conftest import Api

EMAIL = "/v2/account/authenticate/email"


async def test_the_account_of_each_kind_of_player(api: Api) -> None:
    device = await api.login("device-account-1", "dana")
    status, account = await api.call("GET", "/v2/account", device)
    assert status == 200
    user = account["user"]
    assert (user["username"], user["lang_tag"], user["metadata"]) == ("dana", "en", "{}")
    assert user["create_time"] == user["update_time"]
    assert (account["wallet"], account["devices"]) == ("{}", [{"id": "device-account-1"}])
    assert "email" not in account
    assert "custom_id" not in account

    _status, session = await api.auth("custom", {"id": "custom-account-1"})
    _status, account = await api.call(
        "GET", "/v2/account", {"Authorization": "Bearer " + session["token"]}
    )
    assert account["custom_id"] == "custom-account-1"
    assert "devices" not in account

    body = {"email": "Eve@Example.com", "password": "correct horse"}
    _status, session = await api.auth("email", body)
    _status, account = await api.call(
        "GET", "/v2/account", {"Authorization": "Bearer " + session["token"]}
    )
    assert account["email"] == "eve@example.com"


async def test_the_account_needs_a_session(api: Api) -> None:
    status, body = await api.call("GET", "/v2/account", {})
    assert (status, body) == (401, {"code": 16, "message": "Auth token required"})


async def test_an_email_login_without_an_email_is_by_username(api: Api) -> None:
    body = {"email": "fay@example.com", "password": "correct horse"}
    status, created = await api.auth("email", body, username="Fay")
    assert status == 200
    status, again = await api.auth("email", {"password": "correct horse"}, username="Fay")
    assert status == 200
    ids = []
    for session in (created, again):
        _status, account = await api.call(
            "GET", "/v2/account", {"Authorization": "Bearer " + session["token"]}
        )
        ids.append(account["user"]["id"])
    assert ids[0] == ids[1]
    for password, username, expected in [
        ("wrong password", "Fay", (401, "Invalid credentials.")),
        ("correct horse", "fay", (404, "User account not found.")),  # case-sensitive
        ("correct horse", "nobody-here", (404, "User account not found.")),
    ]:
        status, answer = await api.auth(
            "email", {"password": password}, username=username, create="true"
        )
        assert (status, answer["message"]) == expected
    await api.login("device-no-password", "gus")  # an account without a password
    status, answer = await api.auth("email", {"password": "correct horse"}, username="gus")
    assert (status, answer["message"]) == (401, "Invalid credentials.")
