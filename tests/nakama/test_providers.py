"""Provider logins, links and unlinks (Apple, Facebook, Facebook Instant Game, Game Center,
Google, Steam) through the public ``Client``, on both servers.

Neither server here has a provider configured. Nakama then refuses Apple and Steam outright
(400 code 9 "... authentication is not configured.", ``NotConfigured``) and asks the other
providers over the internet, which these tests never make it do: they send Nakama only what it
refuses without asking anyone (missing credentials, a bad username, a Game Center key URL that
is not Apple's, a Facebook Instant Game signature that does not parse). The reference server
answers every credential it would have to verify with ``NotConfigured`` (docs/server.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gameservices import AuthError, Client, GameCenterCredentials, InvalidArgument, NotConfigured

from .support import Target, device_id
from .test_auth import assert_api_error

NAMES = {
    "apple": "Apple",
    "facebook": "Facebook",
    "facebook_instant_game": "Facebook Instant Game",
    "game_center": "GameCenter",
    "google": "Google",
    "steam": "Steam",
}
# Credentials Nakama refuses locally, without asking the provider.
LOCAL_FAILURES = {
    "facebook_instant_game": "not-a-signed-player-info.x",
    "game_center": GameCenterCredentials(
        player_id="G:1234567890",
        bundle_id="com.example.game",
        timestamp_seconds=1_700_000_000_000,
        salt="c2FsdA==",
        signature="c2lnbmF0dXJl",
        public_key_url="https://example.invalid/public.cer",  # not *.apple.com
    ),
}
EMPTY: dict[str, Any] = {
    "apple": "",
    "facebook": "",
    "facebook_instant_game": "",
    "game_center": GameCenterCredentials("", "", 0, "", "", ""),
    "google": "",
    "steam": "",
}
MISSING = {
    "apple": "Apple ID token is required.",
    "facebook": "Facebook access token is required.",
    "facebook_instant_game": "Signed Player Info for a Facebook Instant Game is required.",
    "game_center": "GameCenter bundle ID is required.",
    "google": "Google access token is required.",
    "steam": "Steam access token is required.",
}
Call = Callable[..., Awaitable[Any]]


def not_configured(provider: str) -> str:
    return f"{NAMES[provider]} authentication is not configured."


def login(client: Client, provider: str) -> Call:
    fn: Call = getattr(client.auth, provider)
    return fn


def link(client: Client, provider: str) -> Call:
    fn: Call = getattr(client.auth, f"link_{provider}")
    return fn


def unlink(client: Client, provider: str) -> Call:
    fn: Call = getattr(client.auth, f"unlink_{provider}")
    return fn


@pytest.mark.parametrize("provider", ["apple", "steam"])
async def test_apple_and_steam_logins_are_not_configured(target: Target, provider: str) -> None:
    async with target.client() as client:
        with pytest.raises(NotConfigured) as caught:
            await login(client, provider)("a-provider-token", username="gs_player")
        assert_api_error(caught.value, 400, 9, not_configured(provider))
        assert client.session is None


async def test_steam_login_with_sync_is_not_configured(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(NotConfigured):
            await client.auth.steam("a-steam-ticket", create=False, sync=True)


@pytest.mark.parametrize("provider", ["apple", "steam"])
async def test_apple_and_steam_links_are_not_configured(target: Target, provider: str) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(NotConfigured) as caught:
            await link(client, provider)("a-provider-token")
        assert_api_error(caught.value, 400, 9, not_configured(provider))


def expected_refusal(provider: str, settings_first: bool) -> tuple[type[Exception], int, str]:
    if settings_first:
        return NotConfigured, 9, not_configured(provider)
    return InvalidArgument, 3, MISSING[provider]


@pytest.mark.parametrize("provider", list(NAMES))
async def test_missing_credentials_are_refused_first(target: Target, provider: str) -> None:
    async with target.client() as client:
        # Apple's and Steam's logins check the server's settings before the credentials.
        error, code, message = expected_refusal(provider, provider in ("apple", "steam"))
        with pytest.raises(error) as caught:
            await login(client, provider)(EMPTY[provider])
        assert_api_error(caught.value, 400, code, message)  # type: ignore[arg-type]  # an APIError
        await client.auth.device(device_id())
        # Apple's link checks them first too; Steam's link checks the token first.
        error, code, message = expected_refusal(provider, provider == "apple")
        with pytest.raises(error) as linked:
            await link(client, provider)(EMPTY[provider])
        assert_api_error(linked.value, 400, code, message)  # type: ignore[arg-type]  # as above


@pytest.mark.parametrize("provider", ["facebook", "facebook_instant_game", "google"])
async def test_a_bad_username_is_refused_before_the_provider_is_asked(
    target: Target, provider: str
) -> None:
    async with target.client() as client:
        with pytest.raises(InvalidArgument) as caught:
            await login(client, provider)("a-credential", username="gs\x07player")
        assert_api_error(
            caught.value, 400, 3, "Username invalid, no spaces or control characters allowed."
        )


@pytest.mark.parametrize("provider", list(NAMES))
async def test_an_unlink_naming_nothing_keeps_the_account(target: Target, provider: str) -> None:
    device = device_id()
    async with target.client() as client:
        session = await client.auth.device(device)
        await unlink(client, provider)()
        assert (await client.account.get()).devices == (device,)
        assert (await client.auth.device(device, create=False)).user_id == session.user_id


@pytest.mark.parametrize("provider", ["facebook_instant_game", "game_center"])
async def test_credentials_nobody_can_verify(target: Target, provider: str) -> None:
    credentials = LOCAL_FAILURES[provider]
    async with target.client() as client:
        await client.auth.device(device_id())
        if target.is_nakama:  # it tried, and refused them as unverifiable
            with pytest.raises(AuthError) as caught:
                await link(client, provider)(credentials)
            profile = "Facebook Instant Game" if provider != "game_center" else "GameCenter"
            message = f"Could not authenticate {profile} profile."
            assert_api_error(caught.value, 401, 16, message)
            with pytest.raises(AuthError) as unlinked:
                await unlink(client, provider)(credentials)
            assert_api_error(unlinked.value, 401, 16, message)
            return
        for call in (link(client, provider), unlink(client, provider)):
            with pytest.raises(NotConfigured) as refused:
                await call(credentials)
            assert_api_error(refused.value, 400, 9, not_configured(provider))
        with pytest.raises(NotConfigured):
            await login(client, provider)(credentials)


async def test_game_center_login_with_a_foreign_key_url(target: Target) -> None:
    async with target.client() as client:
        if target.is_nakama:
            with pytest.raises(AuthError) as caught:
                await client.auth.game_center(LOCAL_FAILURES["game_center"])
            assert_api_error(caught.value, 401, 16, "Could not authenticate GameCenter profile.")
        else:
            with pytest.raises(NotConfigured):
                await client.auth.game_center(LOCAL_FAILURES["game_center"])


@pytest.mark.parametrize("provider", ["apple", "steam"])
async def test_an_unconfigured_link_with_a_token(target: Target, provider: str) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(NotConfigured):
            await link(client, provider)("a-provider-token")


@pytest.mark.parametrize("provider", list(NAMES))
async def test_the_reference_server_verifies_no_credentials(target: Target, provider: str) -> None:
    if target.is_nakama:
        pytest.skip("Nakama would ask the provider over the internet (tests reach 127.0.0.1 only)")
    credentials = LOCAL_FAILURES.get(provider, "a-provider-token")
    async with target.client() as client:
        await client.auth.device(device_id())
        for call in (login(client, provider), link(client, provider), unlink(client, provider)):
            with pytest.raises(NotConfigured) as caught:
                await call(credentials)
            assert_api_error(caught.value, 400, 9, not_configured(provider))
