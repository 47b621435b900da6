"""The save slots on disk: one JSON file per slot and player, ``data_dir/saves/<user>/<slot>``.

Invariants:
- Rule 1: a slot file is written atomically (a temporary file, fsync, rename, fsync of the
  directory) with mode 0600: after a crash at any instant it holds the old state or the new one,
  never a mix. ``write`` returns only once the rename is durable.
- Rule 2: file work runs on ONE worker thread (never the loop), which also serialises it: the
  order of calls is the order of their effects on disk.
- Rule 3: a file name is the slot's UTF-8 bytes in hex (no path tricks, no case folding on
  case-insensitive disks); the file holds the slot's name too.
- Rule 4: every OSError leaves as ``StorageError`` naming the file; a damaged file (not ours, cut
  short by a foreign tool) is ``StorageError`` too, with what to do: nothing is guessed.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from .._exceptions import StorageError
from .session import write_private

__all__ = ["SLOT_MAX_BYTES", "SaveFiles", "SlotState", "check_slot"]

SLOT_MAX_BYTES = 100  # hex doubles it: file names stay under the usual 255-byte limit
_FORMAT = "gameservices-save-1"
_SUFFIX = ".save.json"
T = TypeVar("T")


def check_slot(slot: object) -> str:
    if not isinstance(slot, str):
        raise TypeError(f"slot must be a str, not {type(slot).__name__}")
    if not 1 <= len(slot.encode()) <= SLOT_MAX_BYTES:
        raise ValueError(f"slot must be 1-{SLOT_MAX_BYTES} UTF-8 bytes, got {slot!r}")
    return slot


@dataclass(frozen=True)
class SlotState:
    """One slot as kept on disk.

    ``value``: the newest value this device knows (what ``load`` returns). ``seq``: the order of
    the last local save (delivery goes oldest first). ``pending``: ``value`` has not reached the
    server yet. ``base``: the server version ``value`` replaces (None: none known, so the write
    asks for an absent object). ``remote``/``remote_version``: a server copy changed elsewhere,
    kept beside ``value`` until a merge or ``resolve`` decides. ``error``: why the server refused
    the value for good (delivery of this slot stopped until it is saved again).
    """

    slot: str
    value: dict[str, Any]
    seq: int
    pending: bool
    base: str | None = None
    remote: dict[str, Any] | None = None
    remote_version: str | None = None
    error: str | None = None

    @property
    def conflicted(self) -> bool:
        return self.remote_version is not None

    def to_json(self) -> dict[str, Any]:
        return {"format": _FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> SlotState:
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a gameservices save file")
        fields = {k: v for k, v in data.items() if k != "format"}
        state = cls(**fields)
        if not isinstance(state.slot, str) or not isinstance(state.value, dict):
            raise ValueError("a save file without its slot or value")
        return state

    def but(self, **changes: Any) -> SlotState:
        return replace(self, **changes)


def _name(slot: str) -> str:
    return slot.encode().hex() + _SUFFIX


class SaveFiles:
    """One player's slot files; every method hops to the worker thread (Rule 2)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="gameservices-saves")

    def path(self, slot: str) -> Path:
        return self.folder / _name(slot)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def write(self, state: SlotState) -> None:
        """Durably replace the slot's file (Rule 1)."""
        data = json.dumps(state.to_json(), ensure_ascii=False, sort_keys=True).encode()
        await self._run(self._write, self.path(state.slot), data)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            write_private(path, data)
        except OSError as exc:
            raise StorageError(
                exc.errno, f"cannot write the save file {path}: {exc.strerror or exc}"
            ) from exc

    async def load_all(self) -> list[SlotState]:
        """Every slot of this player, from disk."""
        return await self._run(self._load_all)

    def _load_all(self) -> list[SlotState]:
        try:
            names = sorted(p for p in self.folder.iterdir() if p.name.endswith(_SUFFIX))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"cannot list the save folder {self.folder}: {exc}") from exc
        return [self._read(path) for path in names]

    def _read(self, path: Path) -> SlotState:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise StorageError(f"cannot read the save file {path}: {exc}") from exc
        try:
            return SlotState.from_json(json.loads(raw))
        except (ValueError, TypeError, RecursionError) as exc:
            raise StorageError(
                f"the save file {path} is damaged ({exc}); move it aside to go on without it"
            ) from None

    async def close(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, wait=True)
