"""``client.saves`` on both servers: a save reaches the server version-checked, and two devices
of one player that both changed a slot meet in ``merge`` (or keep both copies until
``resolve``). Offline periods, kill -9 and full disks are tests/client/test_saves*.py.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from gameservices import StorageId

from .support import Target, device_id


def slot() -> str:
    return f"slot-{uuid.uuid4().hex[:12]}"


async def test_two_devices_conflict_and_merge_decides(target: Target, tmp_path: Path) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def merge(local: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
        seen.append((local, remote))
        return {"coins": local["coins"] + remote["coins"]}

    device, name = device_id(), slot()
    phone = target.client(data_dir=tmp_path / "phone")
    tablet = target.client(data_dir=tmp_path / "tablet", merge=merge)
    async with phone, tablet:
        await phone.auth.device(device)
        await tablet.auth.device(device)
        await phone.saves.save(name, {"coins": 1})
        await phone.saves.flush(timeout=30)
        assert await tablet.saves.load(name) == {"coins": 1}
        await phone.saves.save(name, {"coins": 10})
        await phone.saves.flush(timeout=30)
        await tablet.saves.save(name, {"coins": 5})
        await tablet.saves.flush(timeout=30)
        assert seen == [({"coins": 5}, {"coins": 10})]
        (obj,) = await phone.storage.read([StorageId("saves", name)])
        assert obj.value == {"coins": 15}
        assert await tablet.saves.pending() == []


async def test_without_merge_both_copies_wait_for_resolve(target: Target, tmp_path: Path) -> None:
    device, name = device_id(), slot()
    phone = target.client(data_dir=tmp_path / "phone")
    tablet = target.client(data_dir=tmp_path / "tablet")
    async with phone, tablet:
        await phone.auth.device(device)
        await tablet.auth.device(device)
        await phone.saves.save(name, {"from": "phone"})
        await phone.saves.flush(timeout=30)
        await tablet.saves.save(name, {"from": "tablet"})  # asks for an absent object: refused
        await tablet.saves.flush(timeout=30)
        (conflict,) = await tablet.saves.conflicts()
        assert (conflict.slot, conflict.local, conflict.remote) == (
            name,
            {"from": "tablet"},
            {"from": "phone"},
        )
        (obj,) = await phone.storage.read([StorageId("saves", name)])
        assert obj.value == {"from": "phone"}  # nothing overwritten unseen
        await tablet.saves.resolve(name, {"from": "both"})
        await tablet.saves.flush(timeout=30)
        (obj,) = await phone.storage.read([StorageId("saves", name)])
        assert obj.value == {"from": "both"}
        assert await tablet.saves.conflicts() == []
