"""The durable score outbox's storage: a queue of leaderboard writes kept in ``data_dir``.

Invariants:
- Rule 1: no disk work on the event loop. Every call runs on ONE dedicated worker thread (a
  single-thread executor), which also serialises calls: appends never race, and the order of
  calls is the order of their effects on disk.
- Rule 2: ``append`` returns only after its entry is committed and fsync'd (``_outbox_db``).
  Its idempotency key (a uuid4) is fixed then and sent unchanged on every delivery attempt.
- Rule 3: bad arguments are refused (TypeError/ValueError) before anything reaches the disk, so
  only writes the server can accept are queued; disk trouble is StorageError (OutboxFull at the
  cap); using a closed store is UsageError.
- Rule 4: a call cancelled while its job runs on the worker thread still takes effect (an
  append may be on disk although ``submit`` raised CancelledError); delivery copes with that.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .._checks import is_int
from .._exceptions import UsageError
from .._lifecycle import Lifecycle
from .._protocol.limits import METADATA_MAX_BYTES
from .._protocol.wire import Operator, check_int64, dumps, parse_operator
from .db import KINDS, NewEntry, OutboxDB, OutboxEntry

__all__ = [
    "DEFAULT_MAX_DEAD",
    "DEFAULT_MAX_ENTRIES",
    "OutboxStore",
    "Submission",
    "new_entry",
]

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_DEAD = 1_000
T = TypeVar("T")


@dataclass(frozen=True)
class Submission:
    """What ``leaderboards.submit`` returns once the write is durable on disk."""

    seq: int
    idempotency_key: str


def new_entry(
    board: str,
    score: int,
    subscore: int = 0,
    metadata: Mapping[str, Any] | None = None,
    operator: Operator | str | int | None = None,
    *,
    owner: str | None = None,
    clock: Callable[[], float] = time.time,
    kind: str = "leaderboard",
) -> NewEntry:
    """Validate a write and give it its idempotency key (pure apart from uuid4 and the clock)."""
    if not isinstance(board, str) or not board:
        raise TypeError(f"board must be a non-empty str, not {board!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    _check_int64("score", score)
    _check_int64("subscore", subscore)
    return NewEntry(
        board=board,
        score=score,
        subscore=subscore,
        metadata=_check_metadata(metadata),
        operator=None if operator is None else parse_operator(operator).name,
        key=str(uuid.uuid4()),
        created=clock(),
        owner=owner,
        kind=kind,
    )


def _check_int64(name: str, value: object) -> None:
    if not is_int(value):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    check_int64(value, name)  # the wire's int64 rule


def _check_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a dict or None, not {type(metadata).__name__}")
    try:
        text = dumps(
            dict(metadata)
        )  # the very text write_record sends, measured as the server does
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metadata must be JSON-serialisable: {exc}") from None
    if len(text.encode()) > METADATA_MAX_BYTES:
        raise ValueError(f"metadata is over {METADATA_MAX_BYTES} bytes of JSON")
    loaded: dict[str, Any] = json.loads(text)  # a detached copy: later caller edits don't leak in
    return loaded


class OutboxStore:
    """Async face of the outbox file; every method hops to the worker thread (Rule 1)."""

    def __init__(
        self,
        data_dir: str | Path,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_dead: int = DEFAULT_MAX_DEAD,
    ) -> None:
        if max_entries < 1 or max_dead < 0:
            raise ValueError("max_entries must be >= 1 and max_dead >= 0")
        self.state = Lifecycle.NEW
        self._db = OutboxDB(Path(data_dir), max_entries=max_entries, max_dead=max_dead)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="gameservices-outbox")
        self._opening: asyncio.Lock | None = None

    @property
    def path(self) -> Path:
        return self._db.path

    @property
    def active_count(self) -> int:
        """Entries waiting for delivery (known without disk work once open)."""
        return self._db.active_count

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.state is Lifecycle.CLOSED:
            raise UsageError(f"the outbox {self.path} is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def open(self) -> None:
        """Open (creating data_dir and the file if needed); idempotent and single-flight."""
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self.state is Lifecycle.NEW:
                await self._run(self._db.open)
                self.state = Lifecycle.OPEN

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self.state is Lifecycle.NEW:
            await self.open()
        return await self._run(fn, *args)

    async def append(self, new: NewEntry) -> OutboxEntry:
        return await self._call(self._db.append, new)

    async def peek(self) -> OutboxEntry | None:
        return await self._call(self._db.peek)

    async def remove(self, seq: int) -> None:
        await self._call(self._db.remove, seq)

    async def record_failure(self, seq: int, error: str) -> None:
        await self._call(self._db.record_failure, seq, error)

    async def bury(self, seq: int, error: str) -> None:
        await self._call(self._db.bury, seq, error)

    async def pending(self) -> list[OutboxEntry]:
        return await self._call(functools.partial(self._db.entries, dead=False))

    async def dead_letters(self) -> list[OutboxEntry]:
        return await self._call(functools.partial(self._db.entries, dead=True))

    async def purge_dead_letters(self) -> int:
        return await self._call(self._db.purge_dead)

    async def last_seq(self) -> int:
        return await self._call(self._db.last_seq)

    async def close(self) -> None:
        """Close the file and join the worker thread (off the loop); idempotent."""
        if self.state is Lifecycle.CLOSED:
            return
        if self._opening is not None:
            async with self._opening:  # let an open in flight finish, so its file gets closed
                pass
        if self.state is Lifecycle.OPEN:
            await self._run(self._db.close)
        self.state = Lifecycle.CLOSED
        await asyncio.to_thread(self._executor.shutdown, wait=True)
