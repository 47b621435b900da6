"""The matchmaker's stats on Nakama's wire (``GET /v2/matchmaker/stats``), both directions: the
record and its parser, the request, and the body a server answers with (pure).

Rule 1: ``ticket_count`` counts the tickets waiting; ``oldest_ticket_create_time`` is the oldest
        one's (None with no ticket); ``completions`` are the latest matched tickets (at most
        ``COMPLETIONS_KEPT``, oldest first), each with when it was made and when it matched.
Rule 2: Nakama answers a snapshot taken at its matchmaker's last interval (15 s by default), so
        its figures may lag a ticket just made; zeros are omitted, as everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._exceptions import ProtocolError
from . import routes
from .api import Request
from .fields import as_object, format_rfc3339, list_field, time_field
from .wire import omit_zero

__all__ = [
    "COMPLETIONS_KEPT",
    "MatchmakerCompletion",
    "MatchmakerStats",
    "matchmaker_stats",
    "matchmaker_stats_json",
    "parse_matchmaker_stats",
]

COMPLETIONS_KEPT = 10  # Nakama keeps the last 10


@dataclass(frozen=True)
class MatchmakerCompletion:
    """One matched ticket: made at ``create_time``, matched at ``complete_time``."""

    create_time: datetime | None = None
    complete_time: datetime | None = None


@dataclass(frozen=True)
class MatchmakerStats:
    ticket_count: int = 0
    oldest_ticket_create_time: datetime | None = None
    completions: tuple[MatchmakerCompletion, ...] = ()


def matchmaker_stats() -> Request:
    return Request("GET", routes.MATCHMAKER_STATS)


def parse_matchmaker_stats(obj: object) -> MatchmakerStats:
    o = as_object(obj, "matchmaker stats")
    count = o.get("ticket_count", 0)
    if count.__class__ is not int or not 0 <= count < 2**31:
        raise ProtocolError(f"server sent ticket_count as {count!r}, expected an int32 number")
    done = []
    for item in list_field(o, "completions"):
        c = as_object(item, "a matchmaker completion")
        times = time_field(c, "create_time"), time_field(c, "complete_time")
        done.append(MatchmakerCompletion(*times))
    return MatchmakerStats(count, time_field(o, "oldest_ticket_create_time"), tuple(done))


def matchmaker_stats_json(
    ticket_times: Iterable[float], completions: Iterable[tuple[float, float]]
) -> dict[str, Any]:
    """A server's answer (Rule 1) from its tickets' creation times and its latest completions
    (creation, match), epoch seconds."""
    times = list(ticket_times)
    done = [
        {"create_time": format_rfc3339(int(made)), "complete_time": format_rfc3339(int(matched))}
        for made, matched in list(completions)[-COMPLETIONS_KEPT:]
    ]
    oldest = format_rfc3339(int(min(times))) if times else ""
    return omit_zero(
        {"ticket_count": len(times), "oldest_ticket_create_time": oldest, "completions": done}
    )
