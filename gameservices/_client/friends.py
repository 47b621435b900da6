"""``client.friends``: list (and iterate), add, delete, block, friends of friends, imports.

Each call is build -> send -> parse (``_protocol.friends``). Adding back a player who invited
you accepts the invite; blocking ends any friendship or invite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from .._config import DEFAULT
from .._protocol import friends as wire
from .._protocol.friends import Friend, FriendList, FriendOfFriend, FriendsOfFriends, FriendState
from .._protocol.models import parse_empty
from .._protocol.operations import covers
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["FriendService"]


class FriendService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_ListFriends")
    async def list(
        self,
        state: FriendState | int | None = None,
        *,
        limit: int = 100,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> FriendList:
        """A page of this player's friends, invites and blocks (``state`` filters; 1-1000)."""
        req = wire.list_friends(state, limit=limit, cursor=cursor)
        return await self._caller.send(req, wire.parse_friend_list, timeout)

    @covers("Nakama_ListFriends")
    async def iterate(
        self,
        state: FriendState | int | None = None,
        *,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[Friend]:
        """Every edge (of ``state``), page by page, following ``cursor``."""
        pages = follow_cursor(
            lambda cursor: self.list(state, limit=page_size, cursor=cursor, timeout=timeout),
            lambda page: (page.friends, page.cursor),
        )
        async for friend in pages:
            yield friend

    @covers("Nakama_AddFriends")
    async def add(
        self, ids: Iterable[str] = (), usernames: Iterable[str] = (), *, timeout: Timeout = DEFAULT
    ) -> None:
        """Invite these players, or accept their invites."""
        await self._caller.send(wire.add_friends(ids, usernames), parse_empty, timeout)

    @covers("Nakama_DeleteFriends")
    async def delete(
        self, ids: Iterable[str] = (), usernames: Iterable[str] = (), *, timeout: Timeout = DEFAULT
    ) -> None:
        """Remove friends, cancel or decline invites, lift blocks."""
        await self._caller.send(wire.delete_friends(ids, usernames), parse_empty, timeout)

    @covers("Nakama_BlockFriends")
    async def block(
        self, ids: Iterable[str] = (), usernames: Iterable[str] = (), *, timeout: Timeout = DEFAULT
    ) -> None:
        await self._caller.send(wire.block_friends(ids, usernames), parse_empty, timeout)

    @covers("Nakama_ListFriendsOfFriends")
    async def friends_of_friends(
        self, *, limit: int = 10, cursor: str | None = None, timeout: Timeout = DEFAULT
    ) -> FriendsOfFriends:
        """Players your friends are friends with (1-100 a page), each with its ``referrer``."""
        req = wire.list_friends_of_friends(limit=limit, cursor=cursor)
        return await self._caller.send(req, wire.parse_friends_of_friends, timeout)

    @covers("Nakama_ListFriendsOfFriends")
    async def iterate_friends_of_friends(
        self, *, page_size: int = 100, timeout: Timeout = DEFAULT
    ) -> AsyncIterator[FriendOfFriend]:
        pages = follow_cursor(
            lambda cursor: self.friends_of_friends(limit=page_size, cursor=cursor, timeout=timeout),
            lambda page: (page.friends_of_friends, page.cursor),
        )
        async for found in pages:
            yield found

    @covers("Nakama_ImportFacebookFriends")
    async def import_facebook(
        self, token: str, *, reset: bool | None = None, timeout: Timeout = DEFAULT
    ) -> None:
        """Befriend the player's Facebook friends (a Nakama configured for Facebook)."""
        req = wire.import_facebook_friends(token, reset=reset)
        await self._caller.send(req, parse_empty, timeout)

    @covers("Nakama_ImportSteamFriends")
    async def import_steam(
        self, token: str, *, reset: bool | None = None, timeout: Timeout = DEFAULT
    ) -> None:
        """Befriend the player's Steam friends (a Nakama configured for Steam)."""
        req = wire.import_steam_friends(token, reset=reset)
        await self._caller.send(req, parse_empty, timeout)
