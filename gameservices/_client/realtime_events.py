"""Where the realtime socket's events go: ``on()`` callbacks, ``events()`` iterators, ``poll()``.

Rule 1: events leave the socket's reader in arrival order, one at a time (``Fanout.publish``,
        loop thread); each consumer sees them in that order, each at most once.
Rule 2: callbacks run through the TickRunner when the socket was opened inside one
        (``runner.post_event``: on the game thread, inside ``tick()``, live owners only, the
        same rules as ``on_done``); without a runner, on the loop, at once. A callback that
        raises is logged and the others still run.
Rule 3: each consumer keeps at most ``max_match_data`` undelivered ``match_data`` events; a
        newer one pushes out the oldest undelivered (dropped: stale positions are worth less
        than fresh ones), counted in ``dropped``. Other kinds are never dropped.
Rule 4: ``poll()`` buffers (opt-in) are shared by the loop and the game thread under a lock
        held for a few appends or one swap, never across a callback.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._protocol.realtime import Channel, Match, Party
from .._runner.ambient import RunnerHooks
from .._runner.handles import SubscriberCall, Subscription, logger

__all__ = [
    "KINDS",
    "MATCH_DATA",
    "ConnectionLost",
    "Event",
    "EventBuffer",
    "Fanout",
    "Reconnected",
    "iterate",
]

MATCH_DATA = "match_data"
# Nakama's names for the pushes a client receives, and the socket's own two.
KINDS = frozenset(
    {
        "channel_message",
        "channel_presence_event",
        "error",
        "match_data",
        "match_presence_event",
        "matchmaker_matched",
        "notifications",
        "party",
        "party_close",
        "party_data",
        "party_join_request",
        "party_leader",
        "party_matchmaker_ticket",
        "party_presence_event",
        "party_update",
        "status_presence_event",
        "disconnected",
        "reconnected",
    }
)


@dataclass(frozen=True)
class ConnectionLost:
    """The socket closed. ``reconnecting``: the client is reopening it (a ``reconnected``
    event follows when it succeeds); ``reason`` says why it closed."""

    reason: str
    reconnecting: bool


@dataclass(frozen=True)
class Reconnected:
    """The socket is open again after ``attempts`` tries, and what it held is restored:
    ``channels`` re-joined (new ``Channel`` replies), ``followed`` user ids followed again,
    ``tickets`` old matchmaker ticket -> new ticket, ``matches`` the matches it was in and
    joined again (new ``Match`` replies: a new presence, the others saw a leave and a join);
    ``matches_left``: those it could not (a relayed match ends with its last member, or with
    its server); ``channels_left``: channels the server no longer lets it join (a group's
    after a kick); ``parties``: the open parties it was in and is back in (their new
    ``party`` pushes: a new presence, the newest member; a leader it was is not given back);
    ``parties_left``: those it is not back in: gone (it was the last member), full, or
    closed (a join request now waits for the leader; a ``party`` event comes if accepted)."""

    attempts: int
    channels: tuple[Channel, ...] = ()
    followed: tuple[str, ...] = ()
    tickets: Mapping[str, str] = field(default_factory=dict)
    matches_left: tuple[str, ...] = ()
    matches: tuple[Match, ...] = ()
    channels_left: tuple[str, ...] = ()
    parties_left: tuple[str, ...] = ()
    parties: tuple[Party, ...] = ()


@dataclass(frozen=True)
class Event:
    """One event as ``events()`` and ``poll()`` give it: Nakama's ``kind`` and its record."""

    kind: str
    data: Any


class _Slot:
    """One event in one consumer's queue; ``taken`` once handed out, ``dropped`` by Rule 3."""

    __slots__ = ("dropped", "event", "taken")

    def __init__(self, event: Event) -> None:
        self.event, self.dropped, self.taken = event, False, False


class _MatchBound:
    """Rule 3 for one consumer: the undelivered match data slots, oldest first."""

    def __init__(self, limit: int, counter: Callable[[], None]) -> None:
        self._slots: deque[_Slot] = deque()
        self._limit, self._counter = limit, counter

    def admit(self, slot: _Slot) -> None:
        slots = self._slots
        while slots and (slots[0].dropped or slots[0].taken):
            slots.popleft()
        if len(slots) >= self._limit:
            slots.popleft().dropped = True
            self._counter()
        slots.append(slot)


class EventBuffer:
    """A consumer's queue (an ``events()`` iterator, or ``poll()``), Rules 3 and 4."""

    def __init__(self, kinds: frozenset[str] | None, limit: int, counter: Callable[[], None]):
        self.kinds = kinds
        self._slots: deque[_Slot] = deque()
        self._bound = _MatchBound(limit, counter)
        self._lock = threading.Lock()
        self._wake: asyncio.Event | None = None
        self.closed = False

    def put(self, event: Event) -> None:
        slot = _Slot(event)
        with self._lock:
            if event.kind == MATCH_DATA:
                self._bound.admit(slot)
            self._slots.append(slot)
        if self._wake is not None:
            self._wake.set()

    def take_all(self) -> list[Event]:
        with self._lock:
            slots, self._slots = self._slots, deque()
            for slot in slots:
                slot.taken = True
        return [s.event for s in slots if not s.dropped]

    async def next(self) -> Event | None:
        """The next event (loop thread), or None once closed and empty."""
        while True:
            with self._lock:
                while self._slots:
                    slot = self._slots.popleft()
                    slot.taken = True
                    if not slot.dropped:
                        return slot.event
            if self.closed:
                return None
            self._wake = self._wake or asyncio.Event()
            self._wake.clear()
            await self._wake.wait()

    def close(self) -> None:
        self.closed = True
        if self._wake is not None:
            self._wake.set()


class Fanout:
    """The socket's one publisher (Rule 1); an ``EventFanout`` for the runner (Rule 2)."""

    def __init__(self, max_match_data: int) -> None:
        self.max_match_data = max_match_data
        self.runner: RunnerHooks | None = None
        self.dropped = 0
        self._subs: dict[str, list[Subscription]] = {}
        self._buffers: list[EventBuffer] = []
        self._bound = _MatchBound(max_match_data, self._count_drop)

    def _count_drop(self) -> None:
        self.dropped += 1

    # -- consumers ------------------------------------------------------------------------------

    def subscribe(self, kind: str, fn: Callable[[Any], object], owner: object) -> Subscription:
        if kind not in KINDS:
            raise ValueError(f"unknown realtime event kind {kind!r}; one of {sorted(KINDS)}")
        if not callable(fn):
            raise TypeError(f"callback must be callable, not {type(fn).__name__}")
        sub = Subscription(kind, fn, owner)
        self._subs.setdefault(kind, []).append(sub)
        return sub

    def buffer(self, kinds: Iterable[str] | None) -> EventBuffer:
        chosen = None if kinds is None else frozenset(kinds)
        unknown = (chosen or frozenset()) - KINDS
        if unknown:
            raise ValueError(f"unknown realtime event kinds {sorted(unknown)}")
        buffer = EventBuffer(chosen, self.max_match_data, self._count_drop)
        self._buffers.append(buffer)
        return buffer

    def release(self, buffer: EventBuffer) -> None:
        buffer.close()
        if buffer in self._buffers:
            self._buffers.remove(buffer)

    # -- publishing (loop thread) -------------------------------------------------------------

    def publish(self, kind: str, data: Any) -> None:
        event = Event(kind, data)
        for buffer in self._buffers:
            if buffer.kinds is None or kind in buffer.kinds:
                buffer.put(event)
        if not self._subs.get(kind):
            return
        slot = _Slot(event)
        if self.runner is None:
            self.deliver(slot, _call_now)
            return
        if kind == MATCH_DATA:
            self._bound.admit(slot)
        self.runner.post_event(self, slot)

    # -- delivering (the game thread, or the loop without a runner) -----------------------------

    def deliver(self, item: Any, call: SubscriberCall) -> None:
        slot: _Slot = item
        slot.taken = True
        if slot.dropped:
            return
        subs = self._subs.get(slot.event.kind, [])
        for sub in list(subs):
            call(sub, slot.event.data)
        if any(not s.active for s in subs):
            subs[:] = [s for s in subs if s.active]

    def close(self) -> None:
        for buffer in list(self._buffers):
            self.release(buffer)


def _call_now(sub: Subscription, value: object) -> None:
    """Rule 2 without a runner: on the loop, at once; errors logged."""
    if not sub.live():
        return
    stored = sub.fn
    fn = stored() if isinstance(stored, weakref.WeakMethod) else stored
    if fn is None:
        return
    try:
        fn(value)
    except Exception:  # one subscriber's bug must not stop the socket or the others
        logger.exception("realtime callback %r raised", sub)


async def iterate(
    buffer: EventBuffer, release: Callable[[EventBuffer], None]
) -> AsyncIterator[Event]:
    """``rt.events()``: the buffer's events until the socket closes for good."""
    try:
        while (event := await buffer.next()) is not None:
            yield event
    finally:
        release(buffer)
