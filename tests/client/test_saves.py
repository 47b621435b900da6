"""``client.saves`` against the reference server: durable on disk first (atomic, 0600), in order,
offline and back, a full disk that names the file, the version check, and a second device's
conflict reaching ``merge`` (or kept, both copies, until ``resolve``).

The both-servers half (Nakama too) is tests/nakama/test_saves.py; the kill -9 test is
tests/client/test_saves_kill.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gameservices import (
    Client,
    OutcomeUnknown,
    RetryPolicy,
    StorageError,
    StorageId,
    UsageError,
)
from gameservices._client.savefiles import SlotState
from gameservices.server import ServerConfig, create_app
from gameservices.server.app import CONFIG, runner_settings
from gameservices.testing import ReferenceServer


async def _parked(delay: float) -> None:
    """A backoff that lasts until the test kicks it (``flush`` / ``retry_now``): no sleeps."""
    await asyncio.Event().wait()


# One attempt per call, and the saves sender waits for a kick between attempts.
PARKED = RetryPolicy(max_attempts=1, sleep=_parked)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def _server_on(port: int, db: str) -> AsyncIterator[None]:
    """The reference server on a port chosen beforehand, so it can go away and come back at the
    same URL (ReferenceServer always takes a free port)."""
    app = create_app(ServerConfig(db_path=db))
    runner = web.AppRunner(app, **runner_settings(app[CONFIG]))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield
    finally:
        await runner.cleanup()


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.save.json"))


async def _login(client: Client, device: str) -> str:
    return (await client.auth.device(device)).user_id


@pytest.fixture
async def server() -> Any:
    async with ReferenceServer() as running:
        yield running


async def test_save_is_on_disk_0600_before_it_returns_and_reaches_the_server(
    server: ReferenceServer, tmp_path: Path
) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=PARKED) as client:
        user = await _login(client, f"dev-{uuid.uuid4()}")
        await client.saves.save("slot1", {"level": 1})
        (file,) = await asyncio.to_thread(_files, tmp_path / "saves" / user)
        mode = (await asyncio.to_thread(file.stat)).st_mode
        assert stat.S_IMODE(mode) == 0o600
        await client.saves.save("slot1", {"level": 2})
        assert await client.saves.load("slot1") == {"level": 2}
        await client.saves.flush(timeout=10)
        assert await client.saves.pending() == []
        (obj,) = await client.storage.read([StorageId("saves", "slot1")])
        assert obj.value == {"level": 2}


async def test_slots_are_delivered_oldest_save_first(
    server: ReferenceServer, tmp_path: Path
) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=PARKED) as client:
        await _login(client, f"dev-{uuid.uuid4()}")
        sent: list[str] = []
        write = client.storage.write

        async def tap(objects: Any, **kw: Any) -> Any:
            sent.extend(o.key for o in objects)
            return await write(objects, **kw)

        client.storage.write = tap  # type: ignore[method-assign]  # observe the delivery seam
        for slot in ("b", "a", "c"):
            await client.saves.save(slot, {"slot": slot})
        await client.saves.flush(timeout=10)
        assert sent == ["b", "a", "c"]


async def test_offline_saves_load_and_sync_when_the_server_returns(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    device = f"dev-{uuid.uuid4()}"
    db = str(tmp_path / "server.db")
    async with _server_on(port, db), Client(url, data_dir=tmp_path / "c") as c:
        await _login(c, device)
        await c.saves.save("slot1", {"level": 1})
        await c.saves.flush(timeout=10)
    # The server is down: the game goes on, saving and loading from disk.
    async with Client(url, data_dir=tmp_path / "c", retry=PARKED) as client:
        assert await client.auth.restore() is not None
        await client.saves.save("slot1", {"level": 2})
        await client.saves.save("slot2", {"level": 2})
        assert await client.saves.load("slot1") == {"level": 2}
        with pytest.raises(TimeoutError):
            await client.saves.flush(timeout=0.2)
        assert await client.saves.pending() == ["slot1", "slot2"]
        async with _server_on(port, db):
            await client.saves.flush(timeout=10)  # kicks the backoff: sends both
            found = await client.storage.read([StorageId("saves", s) for s in ("slot1", "slot2")])
            assert [(o.key, o.value) for o in found] == [
                ("slot1", {"level": 2}),
                ("slot2", {"level": 2}),
            ]


async def test_a_full_disk_names_the_file_and_keeps_the_old_save(
    server: ReferenceServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=PARKED) as client:
        user = await _login(client, f"dev-{uuid.uuid4()}")
        await client.saves.save("slot1", {"level": 1})
        await client.saves.flush(timeout=10)  # the sender is idle: only the test writes now

        def full(fd: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", full)
        with pytest.raises(StorageError, match=r"save file .*\.save\.json") as info:
            await client.saves.save("slot1", {"level": 2})
        monkeypatch.undo()
        assert info.value.errno == errno.ENOSPC
        folder = tmp_path / "saves" / user
        assert [p.name for p in await asyncio.to_thread(lambda: list(folder.iterdir()))] == [
            p.name for p in await asyncio.to_thread(_files, folder)
        ]  # no temporary file left behind
        assert await client.saves.load("slot1") == {"level": 1}


async def test_two_devices_conflict_and_merge_decides(
    server: ReferenceServer, tmp_path: Path
) -> None:
    seen: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def merge(local: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
        seen.append((local, remote))
        return {"coins": local["coins"] + remote["coins"]}

    device = f"dev-{uuid.uuid4()}"
    phone = Client(server.url, data_dir=tmp_path / "phone", retry=PARKED)
    tablet = Client(server.url, data_dir=tmp_path / "tablet", retry=PARKED, merge=merge)
    async with phone, tablet:
        await _login(phone, device)
        await _login(tablet, device)
        await phone.saves.save("slot", {"coins": 1})
        await phone.saves.flush(timeout=10)
        assert await tablet.saves.load("slot") == {"coins": 1}  # read from the server
        await phone.saves.save("slot", {"coins": 10})
        await phone.saves.flush(timeout=10)
        await tablet.saves.save("slot", {"coins": 5})  # still based on {"coins": 1}
        await tablet.saves.flush(timeout=10)
        assert seen == [({"coins": 5}, {"coins": 10})]
        assert await tablet.saves.load("slot") == {"coins": 15}
        (obj,) = await phone.storage.read([StorageId("saves", "slot")])
        assert obj.value == {"coins": 15}


async def test_without_merge_both_copies_are_kept_until_resolve(
    server: ReferenceServer, tmp_path: Path
) -> None:
    device = f"dev-{uuid.uuid4()}"
    phone = Client(server.url, data_dir=tmp_path / "phone", retry=PARKED)
    tablet = Client(server.url, data_dir=tmp_path / "tablet", retry=PARKED)
    async with phone, tablet:
        await _login(phone, device)
        await _login(tablet, device)
        await phone.saves.save("slot", {"from": "phone"})
        await phone.saves.flush(timeout=10)
        await tablet.saves.save("slot", {"from": "tablet"})  # never synced here: asks for "*"
        await tablet.saves.flush(timeout=10)  # returns: the slot waits on a decision
        (conflict,) = await tablet.saves.conflicts()
        assert (conflict.local, conflict.remote) == ({"from": "tablet"}, {"from": "phone"})
        assert await tablet.saves.load("slot") == {"from": "tablet"}
        await tablet.saves.resolve("slot", {"from": "both"})
        await tablet.saves.flush(timeout=10)
        assert await tablet.saves.conflicts() == []
        (obj,) = await phone.storage.read([StorageId("saves", "slot")])
        assert obj.value == {"from": "both"}


async def test_a_lost_answer_is_recognised_by_its_version(
    server: ReferenceServer, tmp_path: Path
) -> None:
    """The write applied but its answer never came: the resend's version check fails, and the
    server's copy is ours (md5 of the text sent), so no merge is asked for."""
    async with Client(server.url, data_dir=tmp_path, retry=PARKED, merge=lambda a, b: 1 / 0) as c:
        await _login(c, f"dev-{uuid.uuid4()}")
        write = c.storage.write
        lost = [True]

        async def lose_first_answer(objects: Any, **kw: Any) -> Any:
            acks = await write(objects, **kw)
            if lost.pop() if lost else False:
                raise OutcomeUnknown("the answer was lost")
            return acks

        c.storage.write = lose_first_answer  # type: ignore[method-assign]  # fault at the seam
        await c.saves.save("slot", {"n": 1})
        await c.saves.flush(timeout=10)
        assert await c.saves.conflicts() == []
        assert await c.saves.pending() == []


async def test_saves_need_a_data_dir_and_a_session(server: ReferenceServer, tmp_path: Path) -> None:
    async with Client(server.url) as client:
        with pytest.raises(UsageError, match="data_dir"):
            await client.saves.save("slot", {})
    async with Client(server.url, data_dir=tmp_path) as client:
        with pytest.raises(UsageError, match="session"):
            await client.saves.load("slot")
        await _login(client, f"dev-{uuid.uuid4()}")
        with pytest.raises(TypeError, match="JSON object"):
            await client.saves.save("slot", [1])  # type: ignore[arg-type]  # the mistake tested
        with pytest.raises(ValueError, match="slot must be"):
            await client.saves.save("", {})


def test_a_slot_file_round_trips() -> None:
    state = SlotState("s", {"a": 1}, 3, True, base="v", remote={"b": 2}, remote_version="w")
    assert SlotState.from_json(state.to_json()) == state
    assert state.conflicted
