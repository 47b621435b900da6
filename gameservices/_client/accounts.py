"""``client.account`` (the player's own account) and ``client.users`` (other players' public
profiles). Each call is build -> send -> parse.

Invariant: a deleted account takes its session with it: ``account.delete()`` forgets the
session here (persisted and reported like a logout), since the server refuses it from then on.
"""

from __future__ import annotations

from collections.abc import Iterable

from .._config import DEFAULT
from .._exceptions import InvalidArgument
from .._protocol import accounts
from .._protocol.accounts import Account, parse_account
from .._protocol.models import parse_empty
from .._protocol.operations import covers
from .._protocol.users import User, parse_users
from .calls import Caller, Timeout

__all__ = ["AccountService", "UserService"]


class AccountService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_GetAccount")
    async def get(self, *, timeout: Timeout = DEFAULT) -> Account:
        """The logged-in player's account: user, wallet, email, device ids, custom id."""
        return await self._caller.send(accounts.get_account(), parse_account, timeout)

    @covers("Nakama_UpdateAccount")
    async def update(
        self,
        *,
        username: str | None = None,
        display_name: str | None = None,
        avatar_url: str | None = None,
        lang_tag: str | None = None,
        location: str | None = None,
        timezone: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> None:
        """Change what is given (None leaves a field as it is; "" clears it, except
        ``username`` and ``lang_tag``). A taken username raises ``Conflict`` (status 400 and
        code 3 on Nakama 3.40, which answers it so). The session's
        ``username`` is the old one until the next refresh."""
        req = accounts.update_account(
            username=username,
            display_name=display_name,
            avatar_url=avatar_url,
            lang_tag=lang_tag,
            location=location,
            timezone=timezone,
        )
        try:
            await self._caller.send(req, parse_empty, timeout)
        except InvalidArgument as exc:
            conflict = accounts.username_taken(exc)
            if conflict is None:
                raise
            raise conflict from exc

    @covers("Nakama_DeleteAccount")
    async def delete(self, *, timeout: Timeout = DEFAULT) -> None:
        """Delete the account and everything it owns on the server; then forget the session."""
        await self._caller.send(accounts.delete_account(), parse_empty, timeout)
        await self._caller.sessions.adopt(None)


class UserService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_GetUsers")
    async def get(
        self,
        *,
        ids: Iterable[str] = (),
        usernames: Iterable[str] = (),
        facebook_ids: Iterable[str] = (),
        timeout: Timeout = DEFAULT,
    ) -> list[User]:
        """Every user matching any id, username (exact) or Facebook id, each once; unknown
        ones are left out. Nothing asked: an empty list (without a call)."""
        req = accounts.get_users(ids, usernames, facebook_ids)
        if not req.query:
            return []
        return await self._caller.send(req, parse_users, timeout)
