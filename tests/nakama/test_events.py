"""``client.events.send`` on both servers: queued durably, delivered in order through the outbox,
accepted by the server (Nakama keeps no readable trail; the reference server's table is checked
in tests/client/test_events.py). Bad properties are refused before anything is queued.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .support import Target, device_id


async def test_events_are_queued_then_delivered(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await client.auth.device(device_id())
        first = await client.events.send("level_start", {"level": 3, "hard": True, "map": "x"})
        when = datetime(2026, 1, 2, 3, 4, 5, 250_000, tzinfo=timezone.utc)
        second = await client.events.send("level_end", {"score": 1.5}, timestamp=when)
        assert first.seq < second.seq  # on disk, in order
        await client.outbox.flush(timeout=30)
        assert await client.outbox.pending() == []
        assert await client.outbox.dead_letters() == []


async def test_properties_nakama_cannot_take_are_refused(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await client.auth.device(device_id())
        for bad in ({"list": [1]}, {"none": None}, {"nested": {"a": "b"}}, {"nan": math.nan}):
            with pytest.raises(TypeError, match="event property"):
                await client.events.send("bad", bad)
        with pytest.raises(TypeError, match="event name"):
            await client.events.send("")
        assert await client.outbox.pending() == []
