"""The provider calls of ``client.auth``: log in, link and unlink with Apple, Facebook,
Facebook Instant Game, Game Center, Google and Steam.

Invariant: each call is one line over ``_protocol.providers`` (the one table of the providers'
rules); a login is adopted like any other (``SessionKeeper.login``). A server that cannot
verify the provider raises ``NotConfigured`` (400, code 9): its configuration, not the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._config import DEFAULT
from .._protocol import providers
from .._protocol.models import parse_auth, parse_empty
from .._protocol.operations import covers
from .._protocol.providers import GameCenterCredentials
from .calls import Caller, Timeout
from .keeper import SessionKeeper
from .session import Session

__all__ = ["ProviderCalls"]

Vars = Mapping[str, str] | None


def _token(token: str, what: str = "token") -> dict[str, Any]:
    if not isinstance(token, str):
        raise TypeError(f"{what} must be a str, not {type(token).__name__}")
    return {what: token}


def _game_center(credentials: GameCenterCredentials | None) -> dict[str, Any]:
    if credentials is None:
        return {}
    if not isinstance(credentials, GameCenterCredentials):
        raise TypeError("credentials must be a GameCenterCredentials")
    return credentials.account()


class ProviderCalls:
    """Mixed into ``AuthService``; needs only its ``_caller`` and ``_sessions``."""

    _caller: Caller
    _sessions: SessionKeeper

    async def _provider_login(
        self,
        kind: str,
        account: dict[str, Any],
        create: bool,
        username: str | None,
        vars: Vars,
        sync: bool = False,
    ) -> Session:
        req = providers.authenticate_provider(
            self._sessions.server_key,
            kind,
            account,
            create=create,
            username=username,
            sync=sync,
            vars=vars,
        )
        return await self._sessions.login(await self._caller.send(req, parse_auth))

    async def _provider_link(
        self, kind: str, account: dict[str, Any], timeout: Timeout, sync: bool = False
    ) -> None:
        await self._caller.send(
            providers.link_provider(kind, account, sync=sync), parse_empty, timeout
        )

    async def _provider_unlink(self, kind: str, account: dict[str, Any], timeout: Timeout) -> None:
        await self._caller.send(providers.unlink_provider(kind, account), parse_empty, timeout)

    # -- log in ------------------------------------------------------------------------------

    @covers("Nakama_AuthenticateApple")
    async def apple(
        self, token: str, *, create: bool = True, username: str | None = None, vars: Vars = None
    ) -> Session:
        """Log in with a Sign in with Apple identity token."""
        return await self._provider_login("apple", _token(token), create, username, vars)

    @covers("Nakama_AuthenticateFacebook")
    async def facebook(
        self,
        token: str,
        *,
        create: bool = True,
        username: str | None = None,
        sync: bool = False,
        vars: Vars = None,
    ) -> Session:
        """Log in with a Facebook access token (or Limited Login token); ``sync`` imports the
        player's Facebook friends."""
        return await self._provider_login("facebook", _token(token), create, username, vars, sync)

    @covers("Nakama_AuthenticateFacebookInstantGame")
    async def facebook_instant_game(
        self,
        signed_player_info: str,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Vars = None,
    ) -> Session:
        """Log in with a Facebook Instant Game's signed player info."""
        account = _token(signed_player_info, "signed_player_info")
        return await self._provider_login("facebookinstantgame", account, create, username, vars)

    @covers("Nakama_AuthenticateGameCenter")
    async def game_center(
        self,
        credentials: GameCenterCredentials,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Vars = None,
    ) -> Session:
        """Log in with Game Center's identity verification signature."""
        account = _game_center(credentials)
        return await self._provider_login("gamecenter", account, create, username, vars)

    @covers("Nakama_AuthenticateGoogle")
    async def google(
        self, token: str, *, create: bool = True, username: str | None = None, vars: Vars = None
    ) -> Session:
        """Log in with a Google ID token."""
        return await self._provider_login("google", _token(token), create, username, vars)

    @covers("Nakama_AuthenticateSteam")
    async def steam(
        self,
        token: str,
        *,
        create: bool = True,
        username: str | None = None,
        sync: bool = False,
        vars: Vars = None,
    ) -> Session:
        """Log in with a Steam session ticket; ``sync`` imports the player's Steam friends."""
        return await self._provider_login("steam", _token(token), create, username, vars, sync)

    # -- link --------------------------------------------------------------------------------

    @covers("Nakama_LinkApple")
    async def link_apple(self, token: str, *, timeout: Timeout = DEFAULT) -> None:
        await self._provider_link("apple", _token(token), timeout)

    @covers("Nakama_LinkFacebook")
    async def link_facebook(
        self, token: str, *, sync: bool = False, timeout: Timeout = DEFAULT
    ) -> None:
        """``sync`` imports the player's Facebook friends (sent either way: Nakama imports them
        when a link does not say)."""
        await self._provider_link("facebook", _token(token), timeout, sync)

    @covers("Nakama_LinkFacebookInstantGame")
    async def link_facebook_instant_game(
        self, signed_player_info: str, *, timeout: Timeout = DEFAULT
    ) -> None:
        account = _token(signed_player_info, "signed_player_info")
        await self._provider_link("facebookinstantgame", account, timeout)

    @covers("Nakama_LinkGameCenter")
    async def link_game_center(
        self, credentials: GameCenterCredentials, *, timeout: Timeout = DEFAULT
    ) -> None:
        await self._provider_link("gamecenter", _game_center(credentials), timeout)

    @covers("Nakama_LinkGoogle")
    async def link_google(self, token: str, *, timeout: Timeout = DEFAULT) -> None:
        await self._provider_link("google", _token(token), timeout)

    @covers("Nakama_LinkSteam")
    async def link_steam(
        self, token: str, *, sync: bool = False, timeout: Timeout = DEFAULT
    ) -> None:
        """``sync`` imports the player's Steam friends (sent either way, as for Facebook)."""
        await self._provider_link("steam", _token(token), timeout, sync)

    # -- unlink: "" (None for Game Center) unlinks whichever is linked ------------------------

    @covers("Nakama_UnlinkApple")
    async def unlink_apple(self, token: str = "", *, timeout: Timeout = DEFAULT) -> None:
        await self._provider_unlink("apple", _token(token), timeout)

    @covers("Nakama_UnlinkFacebook")
    async def unlink_facebook(self, token: str = "", *, timeout: Timeout = DEFAULT) -> None:
        await self._provider_unlink("facebook", _token(token), timeout)

    @covers("Nakama_UnlinkFacebookInstantGame")
    async def unlink_facebook_instant_game(
        self, signed_player_info: str = "", *, timeout: Timeout = DEFAULT
    ) -> None:
        account = _token(signed_player_info, "signed_player_info")
        await self._provider_unlink("facebookinstantgame", account, timeout)

    @covers("Nakama_UnlinkGameCenter")
    async def unlink_game_center(
        self, credentials: GameCenterCredentials | None = None, *, timeout: Timeout = DEFAULT
    ) -> None:
        await self._provider_unlink("gamecenter", _game_center(credentials), timeout)

    @covers("Nakama_UnlinkGoogle")
    async def unlink_google(self, token: str = "", *, timeout: Timeout = DEFAULT) -> None:
        await self._provider_unlink("google", _token(token), timeout)

    @covers("Nakama_UnlinkSteam")
    async def unlink_steam(self, token: str = "", *, timeout: Timeout = DEFAULT) -> None:
        await self._provider_unlink("steam", _token(token), timeout)
