"""Groups through the public ``Client`` on both servers: roles and who may do what, open and
closed groups, join requests (and what accepts them), max counts, bans, leaving, lists and
their page sizes, bad input. Every test uses fresh players and a fresh group name."""

from __future__ import annotations

import uuid

import pytest

from gameservices import Conflict, GroupRole, InvalidArgument, NotFound

from .social import Player, players
from .support import Target


def group_name() -> str:
    return f"gs_clan_{uuid.uuid4().hex[:16]}"


async def roles(player: Player, group_id: str, **kwargs: object) -> dict[str, GroupRole]:
    page = await player.client.groups.members(group_id, **kwargs)  # type: ignore[arg-type]
    return {m.user.id: m.state for m in page.group_users}


async def test_create_is_a_superadmin_of_an_open_group(target: Target) -> None:
    async with players(target, 2) as (alice, bob):
        name = group_name()
        group = await alice.client.groups.create(name, description="the best", max_count=10)
        assert (group.name, group.creator_id, group.open) == (name, alice.id, True)
        assert (group.edge_count, group.max_count, group.lang_tag) == (1, 10, "en")
        assert group.description == "the best"
        assert await roles(alice, group.id) == {alice.id: GroupRole.SUPERADMIN}
        with pytest.raises(Conflict, match="Group name is in use"):
            await bob.client.groups.create(name)
        await bob.client.groups.join(group.id)
        assert await roles(bob, group.id) == {alice.id: 0, bob.id: GroupRole.MEMBER}
        listed = (await bob.client.groups.list(name)).groups
        assert [(g.id, g.edge_count) for g in listed] == [(group.id, 2)]


async def test_a_closed_group_takes_join_requests_that_add_accepts(target: Target) -> None:
    async with players(target, 3) as (owner, admin, asker):
        group = await owner.client.groups.create(group_name(), open=False)
        await owner.client.groups.add(group.id, [admin.id])
        await owner.client.groups.promote(group.id, [admin.id])
        await asker.client.groups.join(group.id)
        assert (await roles(owner, group.id))[asker.id] == GroupRole.JOIN_REQUEST
        for staff in (owner, admin):  # superadmins and admins are told
            notes = [n for n in (await staff.client.notifications.list()).notifications
                     if n.code == -5]  # fmt: skip
            assert [(n.subject, n.content, n.sender_id) for n in notes] == [
                (f"User {asker.username} wants to join your group",
                 {"group_id": group.id, "username": asker.username}, asker.id)
            ]  # fmt: skip
        await owner.client.groups.promote(group.id, [asker.id])  # does not accept a request
        assert (await roles(owner, group.id))[asker.id] == GroupRole.JOIN_REQUEST
        await admin.client.groups.add(group.id, [asker.id])  # add does
        assert (await roles(owner, group.id))[asker.id] == GroupRole.MEMBER
        added = (await asker.client.notifications.list()).notifications
        assert [(n.code, n.content) for n in added] == [
            (-4, {"group_id": group.id, "name": group.name})
        ]
        mine = (await asker.client.groups.user_groups()).user_groups
        assert [(g.group.id, g.group.edge_count, g.state) for g in mine] == [
            (group.id, 3, GroupRole.MEMBER)
        ]


async def test_who_may_do_what(target: Target) -> None:
    async with players(target, 4) as (owner, admin, member, other):
        group = await owner.client.groups.create(group_name())
        await owner.client.groups.add(group.id, [admin.id, member.id, other.id])
        await owner.client.groups.promote(group.id, [admin.id])
        with pytest.raises(NotFound, match="Group not found or permission denied"):
            await member.client.groups.kick(group.id, [other.id])
        with pytest.raises(NotFound, match="not allowed to update"):
            await member.client.groups.update(group.id, description="mine now")
        await admin.client.groups.update(group.id, description="the admins'")
        with pytest.raises(InvalidArgument, match="not allowed to delete"):
            await admin.client.groups.delete(group.id)
        await admin.client.groups.kick(group.id, [owner.id])  # an admin cannot kick a superadmin
        await admin.client.groups.promote(group.id, [member.id])  # member -> admin
        await admin.client.groups.demote(group.id, [member.id])  # admin -> member
        await owner.client.groups.promote(group.id, [admin.id])  # admin -> superadmin
        assert await roles(owner, group.id) == {
            owner.id: GroupRole.SUPERADMIN, admin.id: GroupRole.SUPERADMIN,
            member.id: GroupRole.MEMBER, other.id: GroupRole.MEMBER,
        }  # fmt: skip
        await owner.client.groups.demote(group.id, [admin.id])
        assert (await roles(owner, group.id))[admin.id] == GroupRole.ADMIN
        await admin.client.groups.kick(group.id, [other.id])
        assert other.id not in await roles(owner, group.id)
        group_now = (await owner.client.groups.list(group.name)).groups[0]
        assert (group_now.edge_count, group_now.description) == (3, "the admins'")


async def test_bans_keep_players_out_and_a_kick_lifts_them(target: Target) -> None:
    async with players(target, 3) as (owner, member, stranger):
        group = await owner.client.groups.create(group_name())
        await member.client.groups.join(group.id)
        await owner.client.groups.ban(group.id, [member.id, stranger.id])  # stranger: no edge
        assert await roles(owner, group.id) == {owner.id: GroupRole.SUPERADMIN}
        banned = await roles(owner, group.id, state=GroupRole.BANNED)
        assert banned == {member.id: GroupRole.BANNED}
        await member.client.groups.join(group.id)  # silently nothing
        await owner.client.groups.add(group.id, [member.id])  # nothing either
        assert (await member.client.groups.user_groups()).user_groups == ()
        await owner.client.groups.kick(group.id, [member.id])
        await member.client.groups.join(group.id)
        assert (await roles(owner, group.id))[member.id] == GroupRole.MEMBER


async def test_max_count_refuses_joins_and_adds_whole(target: Target) -> None:
    async with players(target, 4) as (owner, a, b, c):
        group = await owner.client.groups.create(group_name(), max_count=2)
        with pytest.raises(InvalidArgument, match="Group is full"):
            await owner.client.groups.add(group.id, [a.id, b.id])
        assert await roles(owner, group.id) == {owner.id: GroupRole.SUPERADMIN}  # none added
        await a.client.groups.join(group.id)
        with pytest.raises(InvalidArgument, match="Group is full"):
            await b.client.groups.join(group.id)
        with pytest.raises(InvalidArgument, match="Group is full"):
            await a.client.groups.join(group.id)  # even a member: full is checked first
        with pytest.raises(InvalidArgument, match="Group is full"):
            await owner.client.groups.add(group.id, [c.id])


async def test_leaving(target: Target) -> None:
    async with players(target, 2) as (owner, member):
        group = await owner.client.groups.create(group_name())
        await member.client.groups.join(group.id)
        with pytest.raises(InvalidArgument, match="last superadmin"):
            await owner.client.groups.leave(group.id)
        await member.client.groups.leave(group.id)
        await member.client.groups.leave(group.id)  # not a member: nothing
        await owner.client.groups.leave(group.id)  # the last one: the group goes
        assert (await owner.client.groups.list(group.name)).groups == ()
        with pytest.raises(NotFound, match="Group not found"):
            await member.client.groups.join(group.id)


async def test_update_and_delete(target: Target) -> None:
    async with players(target, 2) as (owner, other):
        group = await owner.client.groups.create(group_name(), open=False)
        taken = await other.client.groups.create(group_name())
        await owner.client.groups.update(
            group.id, open=True, lang_tag="fr", avatar_url="https://example.com/a.png"
        )
        with pytest.raises(InvalidArgument, match="Group name is in use"):
            await owner.client.groups.update(group.id, name=taken.name)
        found = (await other.client.groups.list(group.name)).groups[0]
        assert (found.open, found.lang_tag, found.avatar_url) == (
            True, "fr", "https://example.com/a.png"
        )  # fmt: skip
        await owner.client.groups.delete(group.id)
        assert (await other.client.groups.list(group.name)).groups == ()
        assert (await other.client.groups.members(group.id)).group_users == ()


async def test_lists_page_with_cursors(target: Target) -> None:
    async with players(target, 4) as (owner, *others):
        prefix = group_name()
        made = [await owner.client.groups.create(f"{prefix}_{n}") for n in range(3)]
        names = [g.name async for g in owner.client.groups.iterate(f"{prefix}%", page_size=1)]
        assert names == [g.name for g in made]  # by name
        assert len((await owner.client.groups.list(f"{prefix}%")).groups) == 3  # 100 a page
        group = made[0]
        for other in others:
            await other.client.groups.join(group.id)
        order = [
            m.user.id async for m in owner.client.groups.iterate_members(group.id, page_size=1)
        ]
        assert order == [owner.id, *(o.id for o in others)]  # by role, then when they joined
        page = await owner.client.groups.members(group.id, GroupRole.MEMBER, limit=2)
        assert page.cursor is not None
        with pytest.raises(InvalidArgument, match="Cursor is invalid"):
            await owner.client.groups.members(group.id, GroupRole.ADMIN, cursor=page.cursor)
        mine = [g.group.name async for g in owner.client.groups.iterate_user_groups(page_size=2)]
        assert mine == [g.name for g in made]


async def test_bad_input(target: Target) -> None:
    async with players(target, 1) as (alice,):
        groups = alice.client.groups
        with pytest.raises(InvalidArgument, match="Group ID must be a valid ID"):
            await groups.join("not-a-uuid")
        with pytest.raises(InvalidArgument, match="User ID must be a valid ID"):
            await groups.add(str(uuid.uuid4()), ["not-a-uuid"])
        with pytest.raises(NotFound, match="Group not found"):
            await groups.join(str(uuid.uuid4()))
        group = await groups.create(group_name())
        with pytest.raises(InvalidArgument, match="One or more users not found"):
            await groups.add(group.id, [str(uuid.uuid4())])
        with pytest.raises(ValueError, match="name filter cannot be combined"):
            await groups.list("x", open=True)
        with pytest.raises(ValueError, match="limit"):
            await groups.members(group.id, limit=101)
        with pytest.raises(ValueError, match="at least one field"):
            await groups.update(group.id)
        with pytest.raises(ValueError, match="max_count"):
            await groups.create(group_name(), max_count=0)
        with pytest.raises(ValueError, match="at least one player"):
            await groups.kick(group.id, [])
