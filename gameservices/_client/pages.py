"""Following a listing's cursor: the one loop behind every ``iterate``.

Rule: yield each page's items in order; stop at a page without a cursor or without items (Nakama
sends a cursor with a last, empty page on some listings). A cursor the server already sent would
loop forever: that answer is a lie, raised as ``ProtocolError`` instead of spinning.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

from .._exceptions import ProtocolError

__all__ = ["follow_cursor"]

Page = TypeVar("Page")
Item = TypeVar("Item")


async def follow_cursor(
    fetch: Callable[[str | None], Awaitable[Page]],
    split: Callable[[Page], tuple[Sequence[Item], str | None]],
) -> AsyncIterator[Item]:
    """Every item of ``fetch(cursor)``'s pages; ``split`` gives a page's items and next cursor."""
    seen: set[str] = set()
    cursor: str | None = None
    while True:
        items, cursor = split(await fetch(cursor))
        for item in items:
            yield item
        if not cursor or not items:
            return
        if cursor in seen:
            raise ProtocolError("the server sent a listing cursor again: following it would loop")
        seen.add(cursor)
