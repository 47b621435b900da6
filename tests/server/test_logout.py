"""Tokens and logout as Nakama has them: one ``tid`` and ``iat`` per login, kept by refreshes;
a logout revokes only the caller's own tokens, by either field spelling, and refuses others."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from tests.server.conftest import BASIC, Api, FakeClock

REFRESH = "/v2/account/session/refresh"
LOGOUT = "/v2/session/logout"


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


async def _session(api: Api, device: str) -> dict[str, Any]:
    status, body = await api.auth("device", {"id": device})
    assert status == 200, body
    return dict(body)


def _bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": "Bearer " + session["token"]}


async def test_a_login_shares_one_tid_and_iat_and_a_refresh_keeps_them(
    api: Api, clock: FakeClock
) -> None:
    login = await _session(api, "device-claims-01")
    session, refresh = claims(login["token"]), claims(login["refresh_token"])
    assert list(session) == ["tid", "uid", "usn", "exp", "iat"]  # Nakama's order
    assert str(uuid.UUID(session["tid"])) == session["tid"]
    assert (
        (refresh["tid"], refresh["iat"])
        == (session["tid"], session["iat"])
        == (
            session["tid"],
            int(clock.now),
        )
    )
    clock.advance(30)
    status, renewed = await api.call(
        "POST", REFRESH, {"Authorization": BASIC}, json={"token": login["refresh_token"]}
    )
    assert status == 200
    for token, old in ((renewed["token"], session), (renewed["refresh_token"], refresh)):
        new = claims(token)
        assert (new["tid"], new["iat"]) == (old["tid"], old["iat"])
        assert new["exp"] == old["exp"] + 30


async def test_logout_by_refresh_token_in_lower_camel_case_revokes_it(api: Api) -> None:
    """The security bug this fixes: ``refreshToken`` was ignored, the token stayed alive."""
    login = await _session(api, "device-camel-001")
    body = {"token": login["token"], "refreshToken": login["refresh_token"]}
    assert await api.call("POST", LOGOUT, _bearer(login), json=body) == (200, {})
    status, answer = await api.call(
        "POST", REFRESH, {"Authorization": BASIC}, json={"token": login["refresh_token"]}
    )
    assert (status, answer["message"]) == (401, "Refresh token invalid or expired.")


async def test_both_spellings_at_once_are_refused(api: Api) -> None:
    login = await _session(api, "device-camel-002")
    token = login["refresh_token"]
    body = {"refresh_token": token, "refreshToken": token}
    status, answer = await api.call("POST", LOGOUT, _bearer(login), json=body)
    assert (status, answer["code"]) == (400, 3)


async def test_logout_refuses_tokens_that_are_not_the_callers(api: Api) -> None:
    alice = await _session(api, "device-logout-a1")
    bob = await _session(api, "device-logout-b1")
    for body, message in [
        ({"token": "garbage", "refresh_token": "garbage"}, "Session token invalid."),
        ({"refresh_token": "garbage"}, "Refresh token invalid."),
        ({"token": bob["token"]}, "Session token invalid."),
        ({"refresh_token": bob["refresh_token"]}, "Refresh token invalid."),
        ({"token": alice["refresh_token"]}, "Session token invalid."),  # the wrong kind
        ({"token": alice["token"], "refresh_token": "garbage"}, "Refresh token invalid."),
    ]:
        assert await api.call("POST", LOGOUT, _bearer(alice), json=body) == (
            400,
            {"code": 3, "message": message},
        ), body
    # Nothing was revoked, neither Alice's tokens nor Bob's.
    for session in (alice, bob):
        status, _page = await api.call("GET", "/v2/leaderboard/weekly", _bearer(session))
        assert status == 200
        status, _pair = await api.call(
            "POST", REFRESH, {"Authorization": BASIC}, json={"token": session["refresh_token"]}
        )
        assert status == 200


async def test_logout_of_a_refreshed_token_ends_the_whole_login(api: Api, clock: FakeClock) -> None:
    login = await _session(api, "device-chain-001")
    clock.advance(5)
    status, renewed = await api.call(
        "POST", REFRESH, {"Authorization": BASIC}, json={"token": login["refresh_token"]}
    )
    body = {"refresh_token": renewed["refresh_token"]}
    assert await api.call("POST", LOGOUT, _bearer(renewed), json=body) == (200, {})
    for token in (login["refresh_token"], renewed["refresh_token"]):
        status, _answer = await api.call(
            "POST", REFRESH, {"Authorization": BASIC}, json={"token": token}
        )
        assert status == 401
