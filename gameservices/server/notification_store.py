"""Notifications: the one way server code creates them, their table, and the listener hook.

Invariants:
- ``await notify(state, notes)`` is the ONE function other server code calls to create
  notifications (friend requests and accepts, group join requests and adds, RPC handlers,
  anything later). It stores the persistent ones in one write job, then hands every one of
  them (persistent or not) to the listeners, in order, on the event loop, after the commit:
  a listener never sees a notification the database could still lose.
- Listeners: ``state.notifications.listen(fn)`` registers ``fn(note: StoredNotification)`` (a
  plain function, called on the loop; it must not block: queue the push and return) and
  returns a function that removes it. This is how the realtime socket pushes notifications as
  they are created. A listener that raises is logged and the others still run.
- Lists are oldest first by ``seq`` (creation order); a cursor names the last ``seq`` seen, so
  a list from it returns only newer ones. Deletes only touch the caller's own notifications.
- ``content`` is stored as ``jsonb`` prints it (Nakama stores it in a JSONB column).
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._protocol.jsonb import jsonb_text
from .._protocol.notifications import notification_json
from .._protocol.wire import dumps
from .sqlite_store import Txn

if TYPE_CHECKING:
    from .state import ServerState

__all__ = [
    "NewNotification",
    "NotificationHub",
    "StoredNotification",
    "delete_notifications",
    "list_notifications",
    "notify",
]

log = logging.getLogger("gameservices.server")


@dataclass(frozen=True)
class NewNotification:
    """A notification to create for ``user_id``; ``sender_id`` "" means the server."""

    user_id: str
    subject: str
    content: Mapping[str, Any]
    code: int
    sender_id: str = ""
    persistent: bool = True


@dataclass(frozen=True)
class StoredNotification:
    """A created notification (stored if ``persistent``); ``json()`` is its wire body."""

    id: str
    user_id: str
    subject: str
    content: str  # JSON text, as jsonb prints it
    code: int
    sender_id: str
    create_time: int
    persistent: bool

    def json(self) -> dict[str, Any]:
        return notification_json(
            self.id,
            self.subject,
            self.content,
            self.code,
            self.sender_id,
            self.create_time,
            self.persistent,
        )


Listener = Callable[[StoredNotification], None]


@dataclass
class NotificationHub:
    """The listener hook on ``ServerState.notifications``."""

    _listeners: list[Listener] = field(default_factory=list)

    def listen(self, fn: Listener) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def created(self, notes: Sequence[StoredNotification]) -> None:
        for note in notes:
            for fn in list(self._listeners):
                try:
                    fn(note)
                except Exception:  # one broken listener must not stop the others
                    log.exception("notification listener %r failed", fn)


def _insert(txn: Txn, notes: Sequence[StoredNotification]) -> None:
    txn.conn.executemany(
        "INSERT INTO notifications(id, user_id, subject, content, code, sender_id, create_time)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (n.id, n.user_id, n.subject, n.content, n.code, n.sender_id, n.create_time)
            for n in notes
            if n.persistent
        ],
    )


async def notify(state: ServerState, notes: Sequence[NewNotification]) -> list[StoredNotification]:
    """Create ``notes``: store the persistent ones, then tell the listeners (see above)."""
    now = int(state.config.clock())
    created = [
        StoredNotification(
            str(uuid.uuid4()),
            n.user_id,
            n.subject,
            jsonb_text(dumps(dict(n.content))),
            n.code,
            n.sender_id,
            now,
            n.persistent,
        )
        for n in notes
    ]
    if any(n.persistent for n in created):
        await state.store.write(lambda txn: _insert(txn, created))
    state.notifications.created(created)
    return created


def list_notifications(
    conn: sqlite3.Connection, user_id: str, limit: int, after: int
) -> tuple[list[StoredNotification], int | None]:
    """Up to ``limit`` of ``user_id``'s notifications after ``seq`` ``after``, oldest first,
    and the ``seq`` of the last one returned (None if none)."""
    rows = conn.execute(
        "SELECT seq, id, subject, content, code, sender_id, create_time FROM notifications"
        " WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (user_id, after, limit),
    ).fetchall()
    notes = [StoredNotification(r[1], user_id, r[2], r[3], r[4], r[5], r[6], True) for r in rows]
    return notes, (rows[-1][0] if rows else None)


def delete_notifications(txn: Txn, user_id: str, ids: Sequence[str]) -> None:
    txn.conn.executemany(
        "DELETE FROM notifications WHERE user_id = ? AND id = ?", [(user_id, i) for i in ids]
    )
