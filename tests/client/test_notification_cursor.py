"""The saved notification cursor (``_client.notifications.CursorStore``): per player, 0600,
written atomically off the loop, a damaged file read as none, a user id never a path."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from gameservices import StorageError
from gameservices._client.notifications import CURSOR_DIR, CursorStore

USER = "0b4c3a52-9b53-4d5e-9a51-4f9a1a2b3c4d"


async def test_saved_per_player_private_and_whole(tmp_path: Path) -> None:
    store = CursorStore(tmp_path)
    assert await store.load(USER) is None
    await store.save(USER, "abc.DEF-123_x")
    await store.save("another-user", "other")
    path = tmp_path / CURSOR_DIR / f"{USER}.cursor"
    mode = (await asyncio.to_thread(os.stat, path)).st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert await CursorStore(tmp_path).load(USER) == "abc.DEF-123_x"  # a restarted game
    names = sorted(p.name for p in await asyncio.to_thread(lambda: list(path.parent.iterdir())))
    assert names == sorted(["another-user.cursor", f"{USER}.cursor"])  # no temp files left
    await store.save(USER, None)
    assert await store.load(USER) is None


@pytest.mark.parametrize("content", [b"", b"\xff\xfe", b"has space", b"x" * 5000, b"a/b"])
async def test_a_damaged_file_is_no_cursor(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / CURSOR_DIR / f"{USER}.cursor"
    await asyncio.to_thread(path.parent.mkdir, parents=True)
    await asyncio.to_thread(path.write_bytes, content)
    assert await CursorStore(tmp_path).load(USER) is None


async def test_without_a_data_dir_it_lives_in_memory() -> None:
    store = CursorStore(None)
    await store.save(USER, "c1")
    assert await store.load(USER) == "c1"
    await store.save(USER, None)
    assert await store.load(USER) is None


async def test_a_user_id_is_never_a_path(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot keep a cursor"):
        await CursorStore(tmp_path).save("../../etc/passwd", "x")


async def test_an_unwritable_dir_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    await asyncio.to_thread(blocker.write_text, "not a directory")
    with pytest.raises(StorageError, match="cannot write the notification cursor"):
        await CursorStore(blocker).save(USER, "x")
