"""``client.events``: analytics events, durable through the outbox (on disk before ``send``
returns, delivered in order, across crashes and offline periods) to Nakama's ``POST /v2/event``.

Invariants: an event is validated and its properties turned into Nakama's strings
(``_protocol.events``) before it is queued, so the queue holds only events the server takes; its
time is fixed at ``send``; it is queued as an outbox entry of kind ``"event"`` (``board``: the
name, ``metadata``: properties and time) and delivered by the outbox's one sender, so scores and
events reach the server in the order the game made them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime

from .._checks import is_number
from .._config import DEFAULT
from .._outbox.db import OutboxEntry
from .._outbox.outbox import Outbox
from .._outbox.store import Submission
from .._protocol import events
from .._protocol.models import parse_empty
from .._protocol.operations import covers
from .calls import Caller, Timeout

__all__ = ["EventService"]


def _epoch(timestamp: datetime | float | None, clock: Callable[[], float]) -> float:
    if timestamp is None:
        return clock()
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            raise ValueError("timestamp must be timezone-aware (e.g. datetime.now(timezone.utc))")
        return timestamp.timestamp()
    if not is_number(timestamp):
        raise TypeError(f"timestamp must be a datetime or epoch seconds, not {timestamp!r}")
    return float(timestamp)


class EventService:
    """Sees its client through ``Caller``, and the outbox that makes events durable."""

    def __init__(
        self, caller: Caller, outbox: Outbox, clock: Callable[[], float] = time.time
    ) -> None:
        self._caller, self._outbox, self._clock = caller, outbox, clock

    async def send(
        self,
        name: str,
        properties: Mapping[str, object] | None = None,
        *,
        timestamp: datetime | float | None = None,
    ) -> Submission:
        """Queue an event; returns once it is on disk (``Client(data_dir=...)`` needed)."""
        props = events.event_properties(properties)
        detail = {"properties": props, "timestamp": _epoch(timestamp, self._clock)}
        return await self._outbox.submit(events.check_name(name), 0, 0, detail, kind="event")

    @covers("Nakama_Event")
    async def post(self, entry: OutboxEntry, *, timeout: Timeout = DEFAULT) -> None:
        """Deliver one queued event (the outbox's sender calls this)."""
        detail = entry.metadata or {}
        req = events.send_event(entry.board, detail.get("properties", {}), detail["timestamp"])
        await self._caller.send(req, parse_empty, timeout)
