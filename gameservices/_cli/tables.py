"""Tables for people and JSON shapes for machines (the CLI's and the demo's leaderboards).

Invariants: pure formatting; a ``TextTable`` is plain data, drawn by rich when the ``cli`` extra
is installed (``to_rich``) and as aligned plain text otherwise (``plain``), so no command needs
rich to work and ``--json`` never touches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._protocol.models import LeaderboardRecord

__all__ = ["Column", "TextTable", "plain", "record_json", "records_table", "to_rich"]

# What the "Writes" column counts, in a game developer's words (Nakama calls it num_score).
WRITES_NOTE = "Writes: how many scores that player has posted to this board"


@dataclass(frozen=True)
class Column:
    name: str
    right: bool = False  # numbers align right


@dataclass(frozen=True)
class TextTable:
    """A titled table of strings; ``highlight`` is the index of the row to stand out."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]] = ()
    caption: str | None = None
    highlight: int | None = None


def records_table(
    title: str, records: Iterable[LeaderboardRecord], me: str | None = None
) -> TextTable:
    """A rank / player / score / writes table; the row of ``me`` (a user id) is highlighted."""
    rows, mine = [], None
    for i, r in enumerate(records):
        if me is not None and r.owner_id == me:
            mine = i
        rows.append((str(r.rank), r.username or r.owner_id[:8], f"{r.score:,}", str(r.num_score)))
    columns = (
        Column("Rank", True),
        Column("Player"),
        Column("Score", True),
        Column("Writes", True),
    )
    caption = WRITES_NOTE if rows else "(no records)"
    return TextTable(title, columns, rows, caption=caption, highlight=mine)


def plain(table: TextTable) -> str:
    """The table as aligned text: title, header, rule, rows (``>`` marks the highlight)."""
    cells = [[c.name for c in table.columns], *[list(r) for r in table.rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]

    def line(row: Sequence[str], mark: str = " ") -> str:
        parts = [
            cell.rjust(w) if col.right else cell.ljust(w)
            for cell, w, col in zip(row, widths, table.columns, strict=True)
        ]
        return (mark + " " + "  ".join(parts)).rstrip()

    out = [table.title, line(cells[0]), "  " + "  ".join("-" * w for w in widths)]
    out += [line(r, ">" if i == table.highlight else " ") for i, r in enumerate(table.rows)]
    if table.caption:
        out.append(table.caption)
    return "\n".join(out)


def to_rich(table: TextTable) -> Any:
    """The same table as a ``rich.table.Table`` (needs the ``cli`` extra)."""
    from rich.table import Table

    out = Table(title=table.title, title_justify="left", min_width=40, caption=table.caption,
                caption_justify="left")  # fmt: skip
    for col in table.columns:
        out.add_column(col.name, justify="right" if col.right else "left")
    for i, row in enumerate(table.rows):
        out.add_row(*row, style="bold green" if i == table.highlight else None)
    return out


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
