"""``client.events`` against the reference server: what reaches its ``events`` table (names,
properties as Nakama's strings, the time fixed at ``send``, the order), also after an offline
period.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from gameservices import Client, OutboxEntry, OutcomeUnknown, RetryPolicy
from gameservices.server.state import STATE
from gameservices.testing import ReferenceServer


async def _rows(server: ReferenceServer) -> list[tuple[Any, ...]]:
    state = server.app[STATE].state
    assert state is not None

    def query(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
        sql = "SELECT name, properties, timestamp, external FROM events ORDER BY seq"
        return list(conn.execute(sql))

    return await state.store.read(query)


async def test_the_server_keeps_each_event_as_sent(tmp_path: Path) -> None:
    clock = iter([1_800_000_000.25, 1_800_000_001.0])
    async with ReferenceServer() as server, Client(server.url, data_dir=tmp_path) as client:
        client.events._clock = lambda: next(clock)  # the time fixed at send()
        await client.auth.device(f"dev-{uuid.uuid4()}")
        await client.events.send("start", {"level": 3, "hard": True, "ratio": 0.5, "s": "x"})
        await client.events.send("end")
        await client.outbox.flush(timeout=10)
        rows = await _rows(server)
    assert [(r[0], json.loads(r[1]), r[2], r[3]) for r in rows] == [
        ("start", {"level": "3", "hard": "true", "ratio": "0.5", "s": "x"}, 1_800_000_000.25, 0),
        ("end", {}, 1_800_000_001.0, 0),
    ]


async def test_an_event_whose_answer_was_lost_is_recorded_again(tmp_path: Path) -> None:
    """At least once, as docs/outbox.md says: events carry no idempotency key to dedupe by."""

    async def no_wait(delay: float) -> None:  # the backoff before the resend: not waited here
        pass

    retry = RetryPolicy(sleep=no_wait)
    async with (
        ReferenceServer() as server,
        Client(server.url, data_dir=tmp_path, retry=retry) as client,
    ):
        await client.auth.device(f"dev-{uuid.uuid4()}")
        post, lost = client.events.post, [True]

        async def answer_lost_once(entry: OutboxEntry, **kw: Any) -> None:
            await post(entry, **kw)  # the server records it...
            if lost:
                lost.clear()
                raise OutcomeUnknown("the answer was lost")  # ...and the client never hears

        client.events.post = answer_lost_once  # type: ignore[method-assign]  # the seam under test
        await client.events.send("level_end", {"level": 1})
        await client.outbox.flush(timeout=10)
        assert await client.outbox.pending() == []
        rows = await _rows(server)
    assert [r[0] for r in rows] == ["level_end", "level_end"]
