"""``client.groups``: create, update, delete, list (and iterate); join, leave; add, kick,
promote, demote, ban; a group's members and a player's groups.

Each call is build -> send -> parse (``_protocol.groups``, whose docstring says who may do
what). Joining a closed group makes a join request; ``add`` accepts one, ``promote`` does not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from .._config import DEFAULT
from .._protocol import groups as wire
from .._protocol.groups import (
    Group,
    GroupList,
    GroupRole,
    GroupUser,
    GroupUserList,
    UserGroup,
    UserGroupList,
)
from .._protocol.models import parse_empty
from .._protocol.operations import covers
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["GroupService"]


class GroupService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_CreateGroup")
    async def create(
        self,
        name: str,
        *,
        description: str | None = None,
        lang_tag: str | None = None,
        avatar_url: str | None = None,
        open: bool = True,
        max_count: int = wire.DEFAULT_MAX_COUNT,
        timeout: Timeout = DEFAULT,
    ) -> Group:
        """A new group with the caller as its superadmin (``Conflict`` if the name is taken)."""
        req = wire.create_group(
            name,
            description=description,
            lang_tag=lang_tag,
            avatar_url=avatar_url,
            open=open,
            max_count=max_count,
        )
        return await self._caller.send(req, wire.parse_group, timeout)

    @covers("Nakama_UpdateGroup")
    async def update(
        self,
        group_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        lang_tag: str | None = None,
        avatar_url: str | None = None,
        open: bool | None = None,
        timeout: Timeout = DEFAULT,
    ) -> None:
        """Change the given fields (superadmins and admins); "" clears a description."""
        req = wire.update_group(
            group_id,
            name=name,
            description=description,
            lang_tag=lang_tag,
            avatar_url=avatar_url,
            open=open,
        )
        await self._caller.send(req, parse_empty, timeout)

    @covers("Nakama_DeleteGroup")
    async def delete(self, group_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Delete the group (superadmins only)."""
        await self._caller.send(wire.delete_group(group_id), parse_empty, timeout)

    @covers("Nakama_ListGroups")
    async def list(
        self,
        name: str | None = None,
        *,
        lang_tag: str | None = None,
        members: int | None = None,
        open: bool | None = None,
        limit: int = 100,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> GroupList:
        """Groups by name (``%`` a wildcard) or by the other filters (``members``: at most)."""
        req = wire.list_groups(
            name, lang_tag=lang_tag, members=members, open=open, limit=limit, cursor=cursor
        )
        return await self._caller.send(req, wire.parse_group_list, timeout)

    async def iterate(
        self,
        name: str | None = None,
        *,
        lang_tag: str | None = None,
        members: int | None = None,
        open: bool | None = None,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[Group]:
        pages = follow_cursor(
            lambda cursor: self.list(
                name,
                lang_tag=lang_tag,
                members=members,
                open=open,
                limit=page_size,
                cursor=cursor,
                timeout=timeout,
            ),
            lambda page: (page.groups, page.cursor),
        )
        async for group in pages:
            yield group

    async def _act(
        self, group_id: str, action: str, user_ids: Iterable[str] | None, timeout: Timeout
    ) -> None:
        req = wire.group_action(group_id, action, user_ids)
        await self._caller.send(req, parse_empty, timeout)

    @covers("Nakama_JoinGroup")
    async def join(self, group_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Join an open group, or ask to join a closed one."""
        await self._act(group_id, "join", None, timeout)

    @covers("Nakama_LeaveGroup")
    async def leave(self, group_id: str, *, timeout: Timeout = DEFAULT) -> None:
        await self._act(group_id, "leave", None, timeout)

    @covers("Nakama_AddGroupUsers")
    async def add(
        self, group_id: str, user_ids: Iterable[str], *, timeout: Timeout = DEFAULT
    ) -> None:
        """Add players, or accept their join requests (superadmins and admins)."""
        await self._act(group_id, "add", user_ids, timeout)

    @covers("Nakama_KickGroupUsers")
    async def kick(
        self, group_id: str, user_ids: Iterable[str], *, timeout: Timeout = DEFAULT
    ) -> None:
        """Remove members, decline join requests, lift bans."""
        await self._act(group_id, "kick", user_ids, timeout)

    @covers("Nakama_PromoteGroupUsers")
    async def promote(
        self, group_id: str, user_ids: Iterable[str], *, timeout: Timeout = DEFAULT
    ) -> None:
        """One role up: member to admin, admin to superadmin (never a join request)."""
        await self._act(group_id, "promote", user_ids, timeout)

    @covers("Nakama_DemoteGroupUsers")
    async def demote(
        self, group_id: str, user_ids: Iterable[str], *, timeout: Timeout = DEFAULT
    ) -> None:
        """One role down: superadmin to admin, admin to member."""
        await self._act(group_id, "demote", user_ids, timeout)

    @covers("Nakama_BanGroupUsers")
    async def ban(
        self, group_id: str, user_ids: Iterable[str], *, timeout: Timeout = DEFAULT
    ) -> None:
        """Remove members or join requests and keep them out."""
        await self._act(group_id, "ban", user_ids, timeout)

    @covers("Nakama_ListGroupUsers")
    async def members(
        self,
        group_id: str,
        state: GroupRole | int | None = None,
        *,
        limit: int = 100,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> GroupUserList:
        """Members by role then age; bans only with ``state=GroupRole.BANNED``."""
        req = wire.list_group_users(group_id, state, limit=limit, cursor=cursor)
        return await self._caller.send(req, wire.parse_group_user_list, timeout)

    async def iterate_members(
        self,
        group_id: str,
        state: GroupRole | int | None = None,
        *,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[GroupUser]:
        pages = follow_cursor(
            lambda cursor: self.members(
                group_id, state, limit=page_size, cursor=cursor, timeout=timeout
            ),
            lambda page: (page.group_users, page.cursor),
        )
        async for member in pages:
            yield member

    @covers("Nakama_ListUserGroups")
    async def user_groups(
        self,
        user_id: str | None = None,
        state: GroupRole | int | None = None,
        *,
        limit: int = 100,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> UserGroupList:
        """The groups of ``user_id`` (None: the logged-in player) with its role in each."""
        if user_id is None:
            user_id = self._caller.sessions.require().user_id
        req = wire.list_user_groups(user_id, state, limit=limit, cursor=cursor)
        return await self._caller.send(req, wire.parse_user_group_list, timeout)

    async def iterate_user_groups(
        self,
        user_id: str | None = None,
        state: GroupRole | int | None = None,
        *,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[UserGroup]:
        pages = follow_cursor(
            lambda cursor: self.user_groups(
                user_id, state, limit=page_size, cursor=cursor, timeout=timeout
            ),
            lambda page: (page.user_groups, page.cursor),
        )
        async for entry in pages:
            yield entry
