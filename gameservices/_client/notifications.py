"""``client.notifications``: what is new since last time (a cursor kept on disk), and delete.

Rule 1: ``list()`` starts from the cursor saved for the logged-in player and, once the page
        arrived, saves the page's ``cacheable_cursor``: what a call returned counts as seen, so
        a game that restarts sees only what is new. A cursor is per player.
Rule 2: with a ``data_dir`` the cursor lives in ``data_dir/notifications/<user_id>.cursor``,
        written atomically (temp file, fsync, rename) with mode 0600 off the loop thread;
        without one it lives in memory for the client's lifetime. A damaged file reads as no
        cursor (everything is new again), never as an error.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from .._config import DEFAULT
from .._exceptions import StorageError
from .._protocol import notifications as wire
from .._protocol.models import parse_empty
from .._protocol.notifications import Notification, NotificationList
from .._protocol.operations import covers
from .calls import Caller, Timeout
from .session import write_private

__all__ = ["CURSOR_DIR", "NotificationService"]

CURSOR_DIR = "notifications"
_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_.=-]{1,4096}")  # what servers send; anything else: none


class CursorStore:
    """The saved cursor of each player (Rule 2)."""

    def __init__(self, data_dir: Path | None) -> None:
        self._dir = None if data_dir is None else data_dir / CURSOR_DIR
        self._memory: dict[str, str] = {}
        self._lock: asyncio.Lock | None = None

    def _path(self, user_id: str) -> Path:
        assert self._dir is not None
        if not re.fullmatch(r"[0-9A-Za-z-]{1,64}", user_id):  # a user id, never a path
            raise StorageError(f"cannot keep a cursor for the user id {user_id[:64]!r}")
        return self._dir / f"{user_id}.cursor"

    async def load(self, user_id: str) -> str | None:
        if self._dir is None:
            return self._memory.get(user_id)
        path = self._path(user_id)
        try:
            raw = await asyncio.to_thread(_read_text, path)
        except OSError as exc:
            raise StorageError(f"cannot read the notification cursor {path}: {exc}") from exc
        return raw if raw is not None and _CURSOR_TEXT.fullmatch(raw) else None

    async def save(self, user_id: str, cursor: str | None) -> None:
        if self._dir is None:
            if cursor is None:
                self._memory.pop(user_id, None)
            else:
                self._memory[user_id] = cursor
            return
        path = self._path(user_id)
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # saves are serialised: the newest one wins
            try:
                if cursor is None:
                    await asyncio.to_thread(path.unlink, missing_ok=True)
                else:
                    await asyncio.to_thread(write_private, path, cursor.encode("ascii"))
            except OSError as exc:
                raise StorageError(f"cannot write the notification cursor {path}: {exc}") from exc


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("ascii", "replace").strip()
    except FileNotFoundError:
        return None


class NotificationService:
    """Sees its client only through ``Caller`` (and where to keep cursors)."""

    def __init__(self, caller: Caller, data_dir: Path | None) -> None:
        self._caller = caller
        self._cursors = CursorStore(data_dir)

    def _me(self) -> str:
        return self._caller.sessions.require().user_id

    @covers("Nakama_ListNotifications")
    async def list(self, *, limit: int = 100, timeout: Timeout = DEFAULT) -> NotificationList:
        """The next page (1-100, oldest first) of what is new since the last call (Rule 1)."""
        me = self._me()
        cursor = await self._cursors.load(me)
        req = wire.list_notifications(limit=limit, cacheable_cursor=cursor)
        page = await self._caller.send(req, wire.parse_notification_list, timeout)
        if page.cacheable_cursor and page.cacheable_cursor != cursor:
            await self._cursors.save(me, page.cacheable_cursor)
        return page

    @covers("Nakama_ListNotifications")
    async def new(
        self, *, page_size: int = 100, timeout: Timeout = DEFAULT
    ) -> AsyncIterator[Notification]:
        """Everything new since the last call, page by page (each page saved as seen)."""
        while True:
            page = await self.list(limit=page_size, timeout=timeout)
            for note in page.notifications:
                yield note
            if len(page.notifications) < page_size:
                return

    async def forget(self) -> None:
        """Drop the saved cursor: the next ``list()`` starts from the oldest notification."""
        await self._cursors.save(self._me(), None)

    @covers("Nakama_DeleteNotifications")
    async def delete(self, ids: Iterable[str], *, timeout: Timeout = DEFAULT) -> None:
        """Delete these notifications of the logged-in player (unknown ids are ignored)."""
        await self._caller.send(wire.delete_notifications(ids), parse_empty, timeout)
