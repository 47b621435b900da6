"""The writer thread: backpressure bounds memory; abandon never blocks; one writer per path."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path
from typing import BinaryIO

from gameservices._assets.filesink import FileSink, open_part


class Gated:
    """An opener whose file's writes wait for ``release`` (a slow disk we control)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, path: Path) -> BinaryIO:
        f = open_part(path)
        real_write = f.write

        def write(data: bytes) -> int:  # type: ignore[override]  # buffer-protocol subset
            self.release.wait()
            return real_write(data)

        f.write = write  # type: ignore[method-assign]  # test double
        return f


async def test_write_waits_once_more_than_max_pending_is_queued(tmp_path: Path) -> None:
    disk = Gated()
    sink = FileSink(tmp_path / "f.part", label="f", expected_size=24, opener=disk, max_pending=10)
    assert await sink.opened() == 0
    await sink.write(b"a" * 8)  # 8 pending: under the limit
    blocked = asyncio.ensure_future(sink.write(b"b" * 8))  # 16 pending: must wait
    for _ in range(5):
        await asyncio.sleep(0)
    assert not blocked.done()
    disk.release.set()
    await blocked
    await sink.write(b"c" * 8)
    size, digest = await sink.finish()
    assert size == 24
    assert digest == hashlib.sha256(b"a" * 8 + b"b" * 8 + b"c" * 8).hexdigest()


async def test_abandon_returns_at_once_and_keeps_what_was_received(tmp_path: Path) -> None:
    disk = Gated()
    path = tmp_path / "f.part"
    sink = FileSink(path, label="f", expected_size=100, opener=disk)
    await sink.opened()
    await sink.write(b"x" * 10)
    sink.abandon()  # the thread is stuck in write(): abandon must not wait for it
    # A second sink on the same path waits (in its thread) for the first to close.
    second = FileSink(path, label="f", expected_size=100)
    opening = asyncio.ensure_future(second.opened())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not opening.done()
    disk.release.set()
    assert await opening == 10  # resumes after the abandoned writer's bytes
    await second.write(b"y" * 5)
    size, digest = await second.finish()
    assert (size, digest) == (15, hashlib.sha256(b"x" * 10 + b"y" * 5).hexdigest())


async def test_reset_truncates_and_restarts_the_hash(tmp_path: Path) -> None:
    path = tmp_path / "f.part"
    await asyncio.to_thread(path.write_bytes, b"stale bytes")
    sink = FileSink(path, label="f", expected_size=3)
    assert await sink.opened() == 11
    sink.reset()
    await sink.write(b"new")
    assert await sink.finish() == (3, hashlib.sha256(b"new").hexdigest())
    assert await asyncio.to_thread(path.read_bytes) == b"new"


async def test_discard_removes_the_part(tmp_path: Path) -> None:
    path = tmp_path / "f.part"
    sink = FileSink(path, label="f", expected_size=3)
    await sink.opened()
    await sink.write(b"bad")
    sink.discard()
    await sink.closed()
    assert not await asyncio.to_thread(path.exists)
