"""Notifications through the public ``Client`` on both servers: what server actions create, the
cursor kept on disk (a restarted game sees only what is new), paging, delete, bad input."""

from __future__ import annotations

import asyncio
import os
import stat
import uuid
from pathlib import Path

import pytest

from gameservices import InvalidArgument, Notification, ServerError
from gameservices._protocol.notifications import list_notifications, parse_notification_list

from .social import Player, players
from .support import Target


async def invite_from(senders: list[Player], target: Player) -> None:
    for sender in senders:
        await sender.client.friends.add(ids=[target.id])


def senders_of(notes: tuple[Notification, ...]) -> list[str]:
    return [n.sender_id for n in notes]


async def test_a_restarted_game_sees_only_what_is_new(target: Target, tmp_path: Path) -> None:
    async with players(target, 4, tmp_path) as (me, a, b, c):
        await invite_from([a, b], me)
        first = await me.client.notifications.list()
        assert senders_of(first.notifications) == [a.id, b.id]  # oldest first
        assert first.cacheable_cursor

        cursor_file = tmp_path / "0" / "notifications" / f"{me.id}.cursor"
        mode = (await asyncio.to_thread(os.stat, cursor_file)).st_mode
        assert stat.S_IMODE(mode) == 0o600
        # the game restarts: a new client on the same data_dir, the session kept there too
        async with target.client(data_dir=tmp_path / "0") as again:
            assert await again.auth.restore() is not None
            assert (await again.notifications.list()).notifications == ()
            await invite_from([c], me)
            assert senders_of((await again.notifications.list()).notifications) == [c.id]
            await again.notifications.forget()
            everything = [n.sender_id async for n in again.notifications.new(page_size=1)]
            assert everything == [a.id, b.id, c.id]


async def test_pages_follow_the_cursor_in_memory_without_a_data_dir(target: Target) -> None:
    async with players(target, 4) as (me, *senders):
        await invite_from(senders, me)
        seen = []
        for _ in range(3):
            page = await me.client.notifications.list(limit=1)
            seen += senders_of(page.notifications)
        assert seen == [s.id for s in senders]
        empty = await me.client.notifications.list(limit=1)
        assert empty.notifications == ()
        assert empty.cacheable_cursor


async def test_delete_removes_only_ones_own(target: Target) -> None:
    async with players(target, 3) as (me, a, b):
        await invite_from([a], me)
        await invite_from([me], b)
        mine = (await me.client.notifications.list()).notifications
        theirs = (await b.client.notifications.list()).notifications
        await me.client.notifications.delete([n.id for n in mine + theirs])
        await me.client.notifications.delete([str(uuid.uuid4())])  # unknown: ignored
        await me.client.notifications.forget()
        await b.client.notifications.forget()
        assert (await me.client.notifications.list()).notifications == ()
        assert senders_of((await b.client.notifications.list()).notifications) == [me.id]


@pytest.mark.parametrize("limit", [0, 101])
async def test_limits_are_checked_by_the_client(target: Target, limit: int) -> None:
    async with players(target, 1) as (me,):
        with pytest.raises(ValueError, match="limit must be an int between 1 and 100"):
            await me.client.notifications.list(limit=limit)
        with pytest.raises(ValueError, match="at least one notification"):
            await me.client.notifications.delete([])


async def test_a_damaged_cursor_file_means_start_again(target: Target, tmp_path: Path) -> None:
    async with players(target, 2, tmp_path) as (me, a):
        await invite_from([a], me)
        await me.client.notifications.list()
        path = tmp_path / "0" / "notifications" / f"{me.id}.cursor"
        await asyncio.to_thread(path.write_bytes, b"\xff\x00 not a cursor")
        assert senders_of((await me.client.notifications.list()).notifications) == [a.id]


async def test_a_cursor_from_elsewhere_is_the_players_fault(target: Target) -> None:
    """Nakama answers 500 to a malformed cursor; the reference server 400 (docs/server.md)."""
    async with players(target, 1) as (me,):
        req = list_notifications(limit=1, cacheable_cursor="garbage")
        expected = ServerError if target.is_nakama else InvalidArgument
        with pytest.raises(expected):
            await me.client.send(req, parse_notification_list)


async def test_a_server_function_notifies_its_caller(target: Target) -> None:
    async with players(target, 1) as (me,):
        body = {"subject": "daily reward", "content": {"coins": 50}, "code": 7}
        await me.client.rpc("gs_notify", {**body, "persistent": True})
        await me.client.rpc("gs_notify", {**body, "persistent": False})  # pushed, not kept
        notes = (await me.client.notifications.list()).notifications
        assert [(n.subject, n.content, n.code, n.sender_id, n.persistent) for n in notes] == [
            ("daily reward", {"coins": 50}, 7, "", True)
        ]
