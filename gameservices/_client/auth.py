"""``client.auth``: log in, refresh, log out, restore a saved session; link and unlink the
ids that log in to the account (``links``); the same through a provider (``providers``).

Invariant: this namespace only builds requests; every session change and every rule about
sessions is the ``SessionKeeper``'s (``caller.sessions``), so it is persisted and reported in
one place. It sees its client only through ``Caller`` and holds no tokens of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._exceptions import AuthError
from .._protocol import api
from .._protocol.models import parse_auth, parse_empty
from .._protocol.operations import covers
from .calls import Caller
from .links import LinkCalls
from .providers import ProviderCalls
from .session import Session

__all__ = ["AuthService"]


class AuthService(LinkCalls, ProviderCalls):
    def __init__(self, caller: Caller) -> None:
        self._caller = caller
        self._sessions = caller.sessions

    @property
    def session(self) -> Session | None:
        return self._sessions.current

    async def _login(self, req: api.Request) -> Session:
        return await self._sessions.login(await self._caller.send(req, parse_auth))

    @covers("Nakama_AuthenticateDevice")
    async def device(
        self,
        device_id: str,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Mapping[str, str] | None = None,
    ) -> Session:
        """Log in with a device id (10-128 bytes); ``create`` makes the account if new."""
        key = self._sessions.server_key
        req = api.authenticate_device(key, device_id, create=create, username=username, vars=vars)
        return await self._login(req)

    @covers("Nakama_AuthenticateCustom")
    async def custom(
        self,
        custom_id: str,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Mapping[str, str] | None = None,
    ) -> Session:
        """Log in with your own account id (6-128 bytes)."""
        key = self._sessions.server_key
        req = api.authenticate_custom(key, custom_id, create=create, username=username, vars=vars)
        return await self._login(req)

    @covers("Nakama_AuthenticateEmail")
    async def email(
        self,
        email: str,
        password: str,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Mapping[str, str] | None = None,
    ) -> Session:
        """Log in with email and password (8+ characters)."""
        req = api.authenticate_email(
            self._sessions.server_key, email, password, create=create, username=username, vars=vars
        )
        return await self._login(req)

    @covers("Nakama_SessionRefresh")
    async def refresh(self) -> Session:
        """Refresh now (single-flight with automatic refreshes)."""
        return await self._sessions.refresh()

    @covers("Nakama_SessionLogout")
    async def logout(self) -> None:
        """Revoke the refresh token on the server and forget the session here."""
        session = self._sessions.current
        if session is None:
            return
        try:
            await self._caller.send(api.logout(session.token, session.refresh_token), parse_empty)
        except AuthError:
            pass  # already expired or revoked: nothing left to revoke
        finally:
            await self._sessions.adopt(None)

    async def adopt(self, session: Session | None) -> None:
        """Use ``session`` from now on (one you kept yourself; None forgets the current one).

        Persisted and reported like a login; the next call refreshes it if it is due.
        """
        await self._sessions.adopt(session)

    async def restore(self) -> Session | None:
        """Adopt the session saved in ``data_dir``, if any; the next call refreshes it if due."""
        return await self._sessions.restore()
