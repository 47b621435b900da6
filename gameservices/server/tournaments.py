"""Tournaments the server defines (``Tournament``) and their schedule: when each is active, when
it resets, and how it answers ``GET /v2/tournament``.

Invariants:
- A tournament is defined by config, as boards are (``ServerConfig.tournaments``; Nakama:
  ``nk.tournament_create``), and validated as Nakama validates one: a positive duration, a
  category 0-127, an end after the start and after the first reset, sizes not negative.
- Its records are board records (``records`` table, rank index) under the tournament's id, in
  the period ending at ``expiry`` (the next reset, or the end time, or 0 for neither).
- ``deadlines`` is Nakama's ``calculateTournamentDeadlines`` (start of the active window, its
  end, the period's expiry), on croniter: a schedule's ``next`` is strictly after a time, its
  ``last`` at or before it.
- A tournament without a start time starts when the server first saw it (its create time,
  kept in the database), as Nakama starts one at its creation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from croniter import croniter

from .._protocol.jsonb import jsonb_text
from .._protocol.tournaments import CATEGORY_MAX
from .._protocol.wire import Operator, SortOrder, dumps

if TYPE_CHECKING:
    from .config import Board

__all__ = [
    "DEFAULT_MAX_NUM_SCORE",
    "NO_MAX_SIZE",
    "Tournament",
    "deadlines",
    "list_order",
    "listing",
    "tournament_from_json",
]

NO_MAX_SIZE = 2**31 - 1  # what Nakama stores (and answers) for a tournament without a max size
DEFAULT_MAX_NUM_SCORE = 1_000_000


@dataclass(frozen=True)
class Tournament:
    """A tournament: a board (id, sort, operator, ranks, reset schedule) with a schedule and
    rules. Times are epoch seconds; ``start_time`` None: when the server first saw it;
    ``end_time`` None: never ends; ``max_size``/``max_num_score`` None: unbounded/1,000,000."""

    id: str
    duration: int
    sort: SortOrder = SortOrder.DESCENDING
    operator: Operator = Operator.BEST
    reset: str | None = None
    title: str = ""
    description: str = ""
    category: int = 0
    start_time: int | None = None
    end_time: int | None = None
    max_size: int | None = None
    max_num_score: int | None = None
    join_required: bool = False
    authoritative: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)
    ranks: bool = True

    def __post_init__(self) -> None:
        board = self.board  # checks the id, sort, operator and schedule as a board's
        object.__setattr__(self, "sort", board.sort)
        object.__setattr__(self, "operator", board.operator)
        object.__setattr__(self, "reset", board.reset)
        where = f"tournament {self.id!r}"
        _count(where, "duration", self.duration, low=1)
        _count(where, "category", self.category, low=0, high=CATEGORY_MAX)
        for name in ("start_time", "end_time", "max_size", "max_num_score"):
            value = getattr(self, name)
            if value is not None:
                _count(where, name, value, low=0, high=2**32 - 1)
        start, end = self.start_time or 0, self.end_time or 0
        if end and end <= start:
            raise ValueError(f"{where}: end_time must be after start_time")
        if end and self.reset is not None and end <= _next(self.reset, start):
            raise ValueError(f"{where}: end_time must be after the first reset")
        for name in ("title", "description"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{where}: {name} must be a string")
        for name in ("join_required", "authoritative"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{where}: {name} must be true or false")
        if not isinstance(self.metadata, Mapping):
            raise TypeError(f"{where}: metadata must be a JSON object")
        object.__setattr__(self, "metadata", dict(self.metadata))

    @property
    def board(self) -> Board:
        """The board its records live on (the rank index and record jobs work on boards)."""
        from .config import Board  # config imports this module for ServerConfig.tournaments

        return Board(self.id, self.sort, self.operator, self.ranks, self.reset)

    @property
    def size_limit(self) -> int:
        return self.max_size or NO_MAX_SIZE

    @property
    def attempts(self) -> int:
        return self.max_num_score or DEFAULT_MAX_NUM_SCORE

    def metadata_text(self) -> str:
        return jsonb_text(dumps(dict(self.metadata)))


def _count(where: str, name: str, value: object, *, low: int, high: int = 2**31 - 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where}: {name} must be an integer")
    if not low <= value <= high:
        raise ValueError(f"{where}: {name} must be {low}-{high}, got {value}")


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _next(schedule: str, after: int) -> int:
    """The first reset strictly after ``after``."""
    return int(croniter(schedule, _utc(after)).get_next(float))


def _last(schedule: str, at: int) -> int:
    """The last reset at or before ``at``."""
    return int(croniter(schedule, _utc(at + 1)).get_prev(float))


def deadlines(t: Tournament, start: int, now: int) -> tuple[int, int, int]:
    """(start_active, end_active, expiry) at ``now`` for a tournament starting at ``start``."""
    end, duration = t.end_time or 0, t.duration
    if t.reset is None:
        end_active = start + duration
        if end and end_active > end:
            end_active = end
        return start, end_active, end
    schedule = t.reset
    start_active = _next(schedule, start) if now < start else _last(schedule, now)
    expiry = _next(schedule, start_active)
    end_active = min(start_active + duration, expiry)
    if start > end_active:
        start_active = _next(schedule, start)
        expiry = _next(schedule, start_active)
        end_active = min(start_active + duration, expiry)
    elif start > start_active:
        start_active = start
    if end and expiry > end:
        expiry = end
        end_active = min(end_active, expiry)
    return start_active, end_active, expiry


def listing(t: Tournament, created: int, size: int, now: int) -> dict[str, Any]:
    """The values of its ``apiTournament`` (``_protocol.tournaments.tournament_json``)."""
    start = t.start_time or created
    start_active, end_active, expiry = deadlines(t, start, now)
    counted = size if t.max_size else 0  # Nakama counts players only against a max size
    can_enter = start_active <= now <= end_active and counted < t.size_limit
    prev_reset = 0 if t.reset is None or start > now else _last(t.reset, now)
    return {
        "id": t.id,
        "title": t.title,
        "description": t.description,
        "category": t.category,
        "sort_order": t.sort,
        "size": counted,
        "max_size": t.size_limit,
        "max_num_score": t.attempts,
        "can_enter": can_enter,
        "end_active": end_active,
        "next_reset": expiry,
        "metadata": t.metadata_text(),
        "create_time": created,
        "start_time": start,
        "end_time": t.end_time or 0,
        "duration": t.duration,
        "start_active": start_active,
        "prev_reset": prev_reset,
        "operator": t.operator,
        "authoritative": t.authoritative,
        "join_required": t.join_required,
    }


def list_order(t: Tournament, created: int) -> tuple[int, float, int, str]:
    """Nakama's order of tournaments: start time, then end time (later first; never-ending
    last), category, id."""
    end = t.end_time or 0
    return (t.start_time or created, -end if end else math.inf, t.category, t.id)


_SORTS = {"desc": SortOrder.DESCENDING, "asc": SortOrder.ASCENDING}
_FIELDS = frozenset(Tournament.__dataclass_fields__)


def tournament_from_json(item: object) -> Tournament:
    """A tournament of a config file: an object of ``Tournament``'s fields, ``sort`` as
    ``desc``/``asc`` and ``operator`` as ``best``/``set``/``incr``/``decr``."""
    from .._protocol.wire import OPERATOR_NAMES

    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        raise ValueError(f"a tournament must be an object with an id, not {item!r}")
    unknown = set(item) - _FIELDS
    if unknown:
        raise ValueError(f"tournament {item['id']!r}: unknown keys {sorted(unknown)}")
    values = dict(item)
    for key, names in (("sort", _SORTS), ("operator", OPERATOR_NAMES)):
        if key in values:
            if values[key] not in names:
                raise ValueError(f"tournament {item['id']!r}: {key} must be one of {sorted(names)}")
            values[key] = names[values[key]]
    return Tournament(**values)
