"""The providers' wire rules (``_protocol.providers``), with plain values: every request the
client builds is its operation as Nakama's swagger describes it, and the server's checks run in
Nakama's order with its messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gameservices import GameCenterCredentials
from gameservices._protocol import links, providers
from gameservices._protocol.api import Request

from .nakama_swagger import check_request

KEY_URL = "https://static.gc.apple.com/public-key/gc-prod-10.cer"
GAME_CENTER = GameCenterCredentials(
    "G:1", "com.example", 1_700_000_000_000, "c2FsdA==", "c2ln", KEY_URL
)
ACCOUNTS: dict[str, dict[str, Any]] = {
    "apple": {"token": "t"},
    "facebook": {"token": "t"},
    "facebookinstantgame": {"signed_player_info": "a.b"},
    "gamecenter": GAME_CENTER.account(),
    "google": {"token": "t"},
    "steam": {"token": "t"},
}
OPERATION = {
    "apple": "Apple",
    "facebook": "Facebook",
    "facebookinstantgame": "FacebookInstantGame",
    "gamecenter": "GameCenter",
    "google": "Google",
    "steam": "Steam",
}


def _query(req: Request) -> dict[str, str]:
    return dict(req.query)


@pytest.mark.parametrize("kind", list(providers.PROVIDERS))
def test_logins_are_the_swaggers(kind: str) -> None:
    req = providers.authenticate_provider(
        "key", kind, ACCOUNTS[kind], create=False, username="ada", sync=True, vars={"a": "b"}
    )
    body = check_request(req, f"Nakama_Authenticate{OPERATION[kind]}")
    assert body == {**ACCOUNTS[kind], "vars": {"a": "b"}}
    expected = {"create": "false", "username": "ada"}
    if kind in ("facebook", "steam"):
        expected["sync"] = "true"
    assert (_query(req), req.auth) == (expected, "basic")


@pytest.mark.parametrize("kind", list(providers.PROVIDERS))
def test_links_are_the_swaggers(kind: str) -> None:
    req = providers.link_provider(kind, ACCOUNTS[kind], sync=False)
    body = check_request(req, f"Nakama_Link{OPERATION[kind]}")
    if kind == "steam":  # LinkSteamRequest: the account wrapped, sync in the body
        assert (body, req.query) == ({"account": {"token": "t"}, "sync": False}, ())
    elif kind == "facebook":  # sync as a query flag, always sent (Nakama's default is true)
        assert (body, _query(req)) == ({"token": "t"}, {"sync": "false"})
    else:
        assert (body, req.query) == (ACCOUNTS[kind], ())
    assert req.idempotent


@pytest.mark.parametrize("kind", list(providers.PROVIDERS))
def test_unlinks_are_the_swaggers(kind: str) -> None:
    req = providers.unlink_provider(kind, ACCOUNTS[kind])
    assert check_request(req, f"Nakama_Unlink{OPERATION[kind]}") == ACCOUNTS[kind]
    assert not req.idempotent


def test_the_device_custom_and_email_links_are_the_swaggers() -> None:
    check_request(links.link_device("d" * 10), "Nakama_LinkDevice")
    check_request(links.link_custom("custom"), "Nakama_LinkCustom")
    check_request(links.link_email("a@example.com", "password"), "Nakama_LinkEmail")
    check_request(links.unlink_device("d" * 10), "Nakama_UnlinkDevice")
    check_request(links.unlink_custom(), "Nakama_UnlinkCustom")
    check_request(links.unlink_email(), "Nakama_UnlinkEmail")


def test_game_center_sends_its_timestamp_as_an_int64_string() -> None:
    assert GAME_CENTER.account()["timestamp_seconds"] == "1700000000000"
    with pytest.raises(TypeError):
        GameCenterCredentials("p", "b", "1", "s", "s", "u").account()  # type: ignore[arg-type]  # the point


def test_game_center_is_checked_in_nakamas_order() -> None:
    gc = providers.PROVIDERS["gamecenter"]
    found = providers.read_credentials(gc, {"player_id": "p", "timestamp_seconds": "5"})
    assert providers.missing(gc, found) == "GameCenter bundle ID is required."
    found = providers.read_credentials(gc, {**GAME_CENTER.account(), "timestamp_seconds": 0})
    assert providers.missing(gc, found) == "GameCenter timestamp is required."
    assert not providers.credentials_given(gc, found)  # an unlink then verifies nothing
    assert providers.credentials_given(gc, providers.read_credentials(gc, GAME_CENTER.account()))


def test_credentials_are_read_as_protojson_reads_them() -> None:
    steam = providers.PROVIDERS["steam"]
    with pytest.raises(ValueError, match="token must be a string"):
        providers.read_credentials(steam, {"token": 5})
    with pytest.raises(ValueError, match="vars must be an object of strings"):
        providers.read_credentials(steam, {"token": "t", "vars": {"a": 1}})
    assert providers.read_credentials(steam, {}) == {"token": ""}
    assert providers.link_account("steam", {"account": {"token": "t"}}) == {"token": "t"}
    assert providers.link_account("steam", {}) == {}


def test_every_provider_has_nakamas_words() -> None:
    messages = {k: providers.not_configured(p) for k, p in providers.PROVIDERS.items()}
    assert messages["steam"] == "Steam authentication is not configured."
    assert messages["apple"] == "Apple authentication is not configured."
    assert messages["gamecenter"] == "GameCenter authentication is not configured."
    first = {k: p.checks[0][1] for k, p in providers.PROVIDERS.items()}
    assert first == {
        "apple": "Apple ID token is required.",
        "facebook": "Facebook access token is required.",
        "facebookinstantgame": "Signed Player Info for a Facebook Instant Game is required.",
        "gamecenter": "GameCenter bundle ID is required.",
        "google": "Google access token is required.",
        "steam": "Steam access token is required.",
    }


def test_no_credential_reaches_a_repr() -> None:
    req = providers.link_provider("google", {"token": "secret-google-token"})
    assert "secret-google-token" not in repr(req)
    assert json.loads(req.body or b"") == {"token": "secret-google-token"}


def test_a_providers_refusal_is_told_from_a_sessions() -> None:
    for name in ("Google", "Facebook", "Facebook Instant Game", "GameCenter", "Steam", "Apple"):
        assert providers.refuses_credentials(f"Could not authenticate {name} profile.")
    for message in ("Auth token invalid", "Token expired", "Could not authenticate profile."):
        assert not providers.refuses_credentials(message)
