"""Rich tables and JSON shapes for leaderboard records (the CLI's and the demo's).

Invariant: pure formatting; records in, a ``rich`` Table or plain JSON-ready dicts out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table

from .._protocol.models import LeaderboardRecord

__all__ = ["record_json", "records_table"]


def records_table(title: str, records: Iterable[LeaderboardRecord], me: str | None = None) -> Table:
    """A rank / player / score table; the row of ``me`` (a user id) is highlighted."""
    table = Table(title=title, title_justify="left", min_width=40)
    table.add_column("Rank", justify="right")
    table.add_column("Player")
    table.add_column("Score", justify="right")
    table.add_column("Writes", justify="right")
    for r in records:
        style = "bold green" if me is not None and r.owner_id == me else None
        name = r.username or r.owner_id[:8]
        table.add_row(str(r.rank), name, f"{r.score:,}", str(r.num_score), style=style)
    return table


def record_json(r: LeaderboardRecord) -> dict[str, Any]:
    """A record as plain JSON (ints as numbers, times as ISO 8601)."""
    return {
        "rank": r.rank,
        "owner_id": r.owner_id,
        "username": r.username,
        "score": r.score,
        "subscore": r.subscore,
        "num_score": r.num_score,
        "metadata": dict(r.metadata),
        "update_time": r.update_time.isoformat() if r.update_time else None,
    }
