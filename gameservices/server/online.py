"""Who is online, as Nakama 3.40 reports ``apiUser.online``: a user with at least one realtime
socket whose status presence is tracked (opened with ``status=true`` and not since set to
appear offline by a ``status_update`` without a status). A socket opened without
``status=true`` does not count, as on Nakama.

Invariants: the realtime hub updates it on the event loop only; REST handlers take a
``snapshot()`` on the loop and hand that immutable set to the store's threads, so the counts are
never read off the loop. ``disconnect(user_id)`` (an account delete) closes every socket of the
user through the hub that serves them, as Nakama's session registry does.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["OnlineUsers"]


class OnlineUsers:
    """Per user, how many of its sockets show it online."""

    def __init__(self) -> None:
        self._sessions: dict[str, int] = {}
        self._closer: Callable[[str], None] | None = None

    def arrive(self, user_id: str) -> None:
        self._sessions[user_id] = self._sessions.get(user_id, 0) + 1

    def depart(self, user_id: str) -> None:
        left = self._sessions.get(user_id, 0) - 1
        if left > 0:
            self._sessions[user_id] = left
        else:
            self._sessions.pop(user_id, None)

    def snapshot(self) -> frozenset[str]:
        return frozenset(self._sessions)

    def serve_disconnects(self, closer: Callable[[str], None]) -> None:
        """Called by the hub serving the sockets (one per server state)."""
        self._closer = closer

    def disconnect(self, user_id: str) -> None:
        """Close every realtime socket of ``user_id`` (none open: nothing happens)."""
        if self._closer is not None:
            self._closer(user_id)
