"""The notification listener hook (``state.notifications.listen``): what the realtime socket
pushes through. Listeners see each created notification after its commit, persistent or not;
one that raises is logged and the others still run; unlistening stops the calls."""

from __future__ import annotations

import logging
import uuid

import pytest

from gameservices import Client
from gameservices.server.app import STATE
from gameservices.server.notification_store import NewNotification, StoredNotification, notify
from gameservices.testing import ReferenceServer


async def test_listeners_see_created_notifications_after_the_commit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with ReferenceServer() as server:
        state = server.app[STATE].state
        assert state is not None
        seen: list[StoredNotification] = []

        def listener(note: StoredNotification) -> None:
            seen.append(note)

        def broken(note: StoredNotification) -> None:
            raise RuntimeError("a listener that fails")

        state.notifications.listen(broken)
        stop = state.notifications.listen(listener)
        async with Client(server.url) as alice, Client(server.url) as bob:
            await alice.auth.device(f"alice-{uuid.uuid4()}")
            b = await bob.auth.device(f"bob-{uuid.uuid4()}")
            with caplog.at_level(logging.ERROR, "gameservices.server"):
                await alice.friends.add(ids=[b.user_id])
            assert [(n.user_id, n.code, n.persistent) for n in seen] == [(b.user_id, -2, True)]
            assert "notification listener" in caplog.text
            stored = (await bob.notifications.list()).notifications
            assert [n.id for n in stored] == [seen[0].id]
            assert seen[0].json()["subject"] == stored[0].subject

            pushed = await notify(state, [NewNotification(b.user_id, "now", {"a": 1}, 9,
                                                          persistent=False)])  # fmt: skip
            assert seen[-1] == pushed[0]
            assert pushed[0].json()["content"] == '{"a": 1}'
            assert (await bob.notifications.list()).notifications == ()  # not kept
            stop()
            await notify(state, [NewNotification(b.user_id, "later", {}, 9)])
            assert len(seen) == 2
