"""The player's progress across runs (a cloud save slot) and the game's last online steps.

``progress`` is what the slot holds: rounds played in all runs, the best score, runs started.
``wrap_up`` runs after the outbox flushed: the last save and its sync, the server's copy of it
(``client.storage``), the cup's standings and the new notifications; each part is guarded, so
one failure fills its own row (``record``) and the others still report.

Invariants: a slot is saved only after it was loaded (a failed load never overwrites the
previous runs' progress); ``record`` runs in a callback: a few assignments per row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._client.client import Client
from .._protocol.models import LeaderboardRecordList
from .._protocol.notifications import NotificationList
from .._protocol.storage import StorageId
from .services import ServiceLog, StepFailed, timed
from .world import CUP, REWARD_CODE

__all__ = ["SAVE_EVERY", "SLOT", "SaveCheck", "WrapUp", "progress", "record", "wrap_up"]

SLOT = "progress"
SAVES_COLLECTION = "saves"  # where client.saves keeps its slots (docs/storage.md)
SAVE_EVERY = 4  # rounds; saved on rounds 1, 5, 9... and at the end
T = TypeVar("T")
Outcome = Any  # a part's result, or the exception that ended it


def progress(loaded: dict[str, Any] | None, rounds: int, best: int) -> dict[str, Any]:
    """The slot's value after this run's ``rounds`` so far, on top of what was ``loaded``."""
    before = loaded or {}
    return {
        "rounds": int(before.get("rounds", 0)) + rounds,
        "best": max(int(before.get("best", 0)), best),
        "runs": int(before.get("runs", 0)) + 1,
    }


@dataclass(frozen=True)
class SaveCheck:
    saved: dict[str, Any]
    pending: list[str]
    server_copy: dict[str, Any] | None
    read_seconds: float  # the storage read of the server's copy


@dataclass(frozen=True)
class WrapUp:
    save: Outcome  # SaveCheck
    cup: Outcome  # LeaderboardRecordList
    notes: Outcome  # NotificationList


async def _guard(call: Awaitable[T]) -> T | BaseException:
    try:
        return await call
    except Exception as exc:  # reported in its row; the other parts go on
        return exc


async def _last_save(client: Client, value: dict[str, Any] | None, timeout: float) -> SaveCheck:
    if value is None:
        raise StepFailed("the save never loaded, so it is not overwritten")
    await client.saves.save(SLOT, value)
    await client.saves.flush(timeout=timeout)  # raises unless the slot reached the server
    pending = await client.saves.pending()
    found, secs = await timed(client.storage.read([StorageId(SAVES_COLLECTION, SLOT)]))
    return SaveCheck(value, pending, dict(found[0].value) if found else None, secs)


async def wrap_up(
    client: Client, value: dict[str, Any] | None, me: str, cup_joined: bool, timeout: float
) -> WrapUp:
    """The last save, the cup's standing and the notifications, each guarded."""

    async def cup() -> LeaderboardRecordList:
        if not cup_joined:
            raise StepFailed("the cup was never joined")
        return await client.tournaments.records(CUP, owner_ids=[me], limit=10)

    save = await _guard(_last_save(client, value, timeout))
    standing, notes = await asyncio.gather(_guard(cup()), _guard(client.notifications.list()))
    return WrapUp(save, standing, notes)


def record(log: ServiceLog, wrap: WrapUp, me: str) -> None:
    """Fill the saves, storage, tournaments and notifications rows from ``wrap``."""
    _record_save(log, wrap.save)
    if isinstance(wrap.cup, BaseException):
        log.failed("tournaments", wrap.cup)
    else:
        mine = [r for r in wrap.cup.owner_records if r.owner_id == me]
        if mine:
            r = mine[0]
            line = f"rank {r.rank}, best {r.score:,} ({r.num_score} writes)"
            log.ok("tournaments", f"{log.rows['tournaments'].detail}; {line}", rank=r.rank,
                   num_score=r.num_score)  # fmt: skip
        else:
            log.failed("tournaments", StepFailed("no record of the player in the cup"))
    if isinstance(wrap.notes, BaseException):
        log.failed("notifications", wrap.notes)
    else:
        _record_notes(log, wrap.notes)


def _record_save(log: ServiceLog, check: Outcome) -> None:
    if isinstance(check, BaseException):
        log.failed("saves", check)
        log.failed("storage", StepFailed("no last save to compare"))
        return
    row = log.rows["saves"]
    saves = row.counts.get("saves", 0) + 1
    log.ok("saves", f"{row.detail}; saved {saves} times, synced, {len(check.pending)} pending",
           saves=saves, pending=len(check.pending), last=check.saved)  # fmt: skip
    if check.server_copy == check.saved:
        log.ok("storage", f"read the server's copy of {SLOT!r}: it is the last save",
               check.read_seconds, matches=True)  # fmt: skip
    else:
        log.failed("storage", StepFailed(f"the server holds {check.server_copy!r}"))


def _record_notes(log: ServiceLog, notes: NotificationList) -> None:
    codes = [n.code for n in notes.notifications]
    rewards = sum(1 for c in codes if c == REWARD_CODE)
    subjects = ", ".join(dict.fromkeys(n.subject for n in notes.notifications)) or "none"
    log.ok("notifications", f"{len(codes)} new since the last run: {subjects}",
           listed=len(codes), rewards=rewards, codes=sorted(codes))  # fmt: skip
