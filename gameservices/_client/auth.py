"""``client.auth``: log in, refresh, log out, restore a saved session.

Invariant: every method that changes the session goes through ``Client.set_session`` (so it is
persisted and reported); none holds tokens of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._exceptions import AuthError
from .._protocol import api
from .._protocol.models import parse_auth, parse_empty
from .session import Session

if TYPE_CHECKING:
    from .client import Client

__all__ = ["AuthService"]


class AuthService:
    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def session(self) -> Session | None:
        return self._client.session

    async def _login(self, req: api.Request) -> Session:
        return await self._client.adopt_auth(await self._client.send(req, parse_auth))

    async def device(
        self,
        device_id: str,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Mapping[str, str] | None = None,
    ) -> Session:
        """Log in with a device id (10-128 bytes); ``create`` makes the account if new."""
        key = self._client.server_key
        req = api.authenticate_device(key, device_id, create=create, username=username, vars=vars)
        return await self._login(req)

    async def custom(
        self,
        custom_id: str,
        *,
        create: bool = True,
        username: str | None = None,
        vars: Mapping[str, str] | None = None,
    ) -> Session:
        """Log in with your own account id (6-128 bytes)."""
        key = self._client.server_key
        req = api.authenticate_custom(key, custom_id, create=create, username=username, vars=vars)
        return await self._login(req)

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
            self._client.server_key, email, password, create=create, username=username, vars=vars
        )
        return await self._login(req)

    async def refresh(self) -> Session:
        """Refresh now (single-flight with automatic refreshes)."""
        return await self._client.refresh()

    async def logout(self) -> None:
        """Revoke the refresh token on the server and forget the session here."""
        session = self._client.session
        if session is None:
            return
        try:
            await self._client.send(api.logout(session.token, session.refresh_token), parse_empty)
        except AuthError:
            pass  # already expired or revoked: nothing left to revoke
        finally:
            await self._client.set_session(None)

    async def restore(self) -> Session | None:
        """Adopt the session saved in ``data_dir``, if any; the next call refreshes it if due."""
        session = await self._client.load_session()
        if session is not None:
            await self._client.set_session(session)
        return session
