"""Handles, owners and the delivery queue between the event loop and the game thread.

Invariants:
- Rule 1: callbacks (``on_done``, ``on_error``, ``on_progress``) run only inside ``drain()``,
  which the runner calls from ``tick()`` on the game thread, in the order events were queued.
- Rule 2: a handle's visible state (``done()``, ``result()``...) changes only on the game thread:
  when its outcome is drained, or when ``cancel()`` is called. A cancelled handle delivers nothing.
- Rule 3: progress is coalesced: a handle has at most one progress event queued, carrying the
  latest value, and ``drain()`` only handles events queued before it started, so each handle gets
  at most one ``on_progress`` per tick.
- Rule 4: a handle whose owner is gone (garbage-collected, or ``owner.invalid`` is true, as with
  BGE's ``KX_GameObject``) is cancelled and delivers nothing.
- Rule 5: a long-lived source (the realtime socket) pushes events with ``push_event(fanout,
  item)``; the drain hands each to ``fanout.deliver(item, call)``, which calls ``call(sub,
  value)`` per ``Subscription``: a cancelled subscription, or one whose owner is gone (it is
  cancelled then), gets nothing; callbacks are timed and their errors logged as ``on_done``'s.
The loop side only appends to the queue (``collections.deque`` appends are atomic), so the queue
needs no lock in either runner mode, and the drain never waits for the loop thread: it takes no
lock at all. The ``threading.Event`` behind ``wait()`` is set only while a headless caller waits
(its lock would otherwise be taken per pushed event, and shared with the drain).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sized
from typing import Any, Generic, Protocol, TypeVar

from .._exceptions import UsageError
from .slowticks import TickDetail
from .stats import Counters

__all__ = [
    "DeliveryQueue",
    "EventFanout",
    "Handle",
    "OwnerRef",
    "Subscription",
    "TaskEnd",
    "logger",
]

logger = logging.getLogger("gameservices")

T = TypeVar("T")


class _State(enum.Enum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TaskEnd(enum.Enum):
    """How a task ended, as seen by the loop."""

    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


Callback = Callable[..., object]
Stored = Callable[..., object] | weakref.WeakMethod[Callback]


def _hold(fn: Callback | None, owner: object) -> Stored | None:
    """Keep ``fn`` weakly if it is a bound method of ``owner``: ``on_done=self.show,
    owner=self`` must not keep ``self`` alive, or it could never be garbage-collected."""
    if fn is not None and owner is not None and getattr(fn, "__self__", None) is owner:
        try:
            return weakref.WeakMethod(fn)
        except TypeError:  # the owner cannot be weak-referenced: it reports ``invalid``
            return fn
    return fn


class OwnerRef:
    """Tracks whether an owner is still alive without keeping it alive when possible."""

    __slots__ = ("_get",)

    def __init__(self, owner: object) -> None:
        try:
            self._get: Callable[[], object | None] = weakref.ref(owner)
        except TypeError:  # e.g. KX_GameObject: no weakrefs, but it has ``invalid``
            self._get = lambda: owner

    def get(self) -> object | None:
        return self._get()

    def alive(self) -> bool:
        obj = self._get()
        return obj is not None and not getattr(obj, "invalid", False)


class Handle(Generic[T]):
    """The game thread's view of one submitted coroutine.

    Nothing here blocks: ``result()`` and ``exception()`` raise ``UsageError`` until the outcome
    has been delivered by a ``tick()``; ``cancel()`` only asks the loop to cancel the task.
    """

    __slots__ = (
        "_cancel_task",
        "_error",
        "_result",
        "_state",
        "label",
        "on_done",
        "on_error",
        "on_progress",
        "owner",
        "progress",
        "progress_queued",
    )

    def __init__(
        self,
        label: str,
        *,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        on_progress: Callable[[int, int | None], object] | None = None,
        owner: object = None,
        cancel_task: Callable[[], None] = lambda: None,
    ) -> None:
        self.label = label
        self.on_done = _hold(on_done, owner)
        self.on_error = _hold(on_error, owner)
        self.on_progress = _hold(on_progress, owner)
        self.owner = None if owner is None else OwnerRef(owner)
        self._cancel_task = cancel_task
        self._state = _State.PENDING
        self._result: T | None = None
        self._error: BaseException | None = None
        self.progress: tuple[int, int | None] = (0, None)
        self.progress_queued = False

    def __repr__(self) -> str:
        return f"<Handle {self.label} {self._state.value}>"

    def done(self) -> bool:
        """True once the outcome was delivered by ``tick()``, or the handle was cancelled."""
        return self._state is not _State.PENDING

    def cancelled(self) -> bool:
        return self._state is _State.CANCELLED

    def cancel(self) -> bool:
        """Cancel the task without waiting for it; nothing is delivered afterwards.

        Returns False if the outcome was already delivered.
        """
        if self._state is not _State.PENDING:
            return self._state is _State.CANCELLED
        self._state = _State.CANCELLED
        self._cancel_task()
        return True

    def result(self) -> T:
        """The coroutine's return value; raises its exception, or ``CancelledError``."""
        error = self.exception()
        if error is not None:
            raise error
        return self._result  # type: ignore[return-value]  # DONE implies a T was stored

    def exception(self) -> BaseException | None:
        if self._state is _State.PENDING:
            raise UsageError(
                f"{self!r} is not done yet: its outcome arrives in a later tick() "
                "(use on_done/on_error, or poll done() after tick())"
            )
        if self._state is _State.CANCELLED:
            raise asyncio.CancelledError(f"{self!r} was cancelled")
        return self._error

    # The game thread's side of delivery (called by DeliveryQueue.drain only).

    def _finish(self, outcome: TaskEnd, value: Any) -> None:
        if outcome is TaskEnd.DONE:
            self._state, self._result = _State.DONE, value
        elif outcome is TaskEnd.FAILED:
            self._state, self._error = _State.FAILED, value
        else:
            self._state = _State.CANCELLED


_PROGRESS = object()  # queue marker: "deliver this handle's latest progress"
_EVENT = object()  # queue marker: "hand this item to its fanout" (Rule 5)


class Subscription:
    """One ``on(kind, callback, owner=...)`` registration of a long-lived event source.

    ``cancel()`` stops deliveries (from the game thread, or anywhere: it only clears a flag).
    A bound method of ``owner`` is held weakly, as a handle's callbacks are.
    """

    __slots__ = ("active", "fn", "kind", "owner")

    def __init__(self, kind: str, fn: Callable[[Any], object], owner: object = None) -> None:
        self.kind = kind
        self.fn = _hold(fn, owner)
        self.owner = None if owner is None else OwnerRef(owner)
        self.active = True

    def __repr__(self) -> str:
        return f"<Subscription {self.kind} {'active' if self.active else 'cancelled'}>"

    def cancel(self) -> None:
        self.active = False

    def live(self) -> bool:
        """Active and its owner (if any) alive; a dead owner cancels it."""
        if self.active and self.owner is not None and not self.owner.alive():
            self.active = False
        return self.active


SubscriberCall = Callable[[Subscription, object], None]


class EventFanout(Protocol):
    """What ``push_event`` hands an item to, on the game thread (Rule 5)."""

    def deliver(self, item: Any, call: SubscriberCall) -> None: ...


class DeliveryQueue:
    """Events from the loop (any thread) to the game thread, drained once per tick."""

    def __init__(
        self,
        counters: Counters,
        forget: Callable[[Handle[Any]], None],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._events: deque[tuple[Any, object, object]] = deque()  # a Handle, or a fanout
        # The same deque, for the runner's idle check: its truth is one C call, no method.
        self.events: Sized = self._events
        self._counters = counters
        self._forget = forget  # every job reports exactly one outcome: the handle is finished
        self._clock = clock  # times the game's callbacks, for the slow-tick record
        self._arrived = threading.Event()  # set by pushes while a headless caller waits
        self._waiting = False
        self._detail = TickDetail()
        self.first_callback_error: BaseException | None = None

    def __len__(self) -> int:
        return len(self._events)

    def push_outcome(self, handle: Handle[Any], outcome: TaskEnd, value: object) -> None:
        self._events.append((handle, outcome, value))
        if self._waiting:
            self._arrived.set()

    def push_progress(self, handle: Handle[Any], done: int, total: int | None) -> None:
        handle.progress = (done, total)
        if not handle.progress_queued:
            handle.progress_queued = True
            self._events.append((handle, _PROGRESS, None))
            if self._waiting:
                self._arrived.set()

    def push_event(self, fanout: EventFanout, item: object) -> None:
        """Queue ``item`` for ``fanout.deliver`` in the next drain (Rule 5)."""
        self._events.append((fanout, _EVENT, item))
        if self._waiting:
            self._arrived.set()

    def call_subscriber(self, sub: Subscription, value: object) -> None:
        """Call one subscriber (game thread, inside a drain): live owners only, timed."""
        if not sub.live():
            if sub.owner is not None:
                self._counters.dropped += 1
            return
        assert sub.fn is not None
        self._call(sub, sub.fn, value)

    def wait(self, timeout: float | None) -> bool:
        """Block until an event is queued (thread mode, headless only); False on timeout."""
        if self._events:
            return True
        self._arrived.clear()
        self._waiting = True  # published before the last look at the queue: no lost wake-up
        try:
            return bool(self._events) or self._arrived.wait(timeout)
        finally:
            self._waiting = False

    def clear(self) -> None:
        self._events.clear()

    def drain(self, keep_going: Callable[[], bool], detail: TickDetail) -> BaseException | None:
        """Deliver the events queued before this call, in order, while ``keep_going()``.

        Returns the first exception a callback raised (already logged), or None. The slowest
        callback is noted in ``detail``.
        """
        self._detail = detail
        self.first_callback_error = None
        for _ in range(len(self._events)):
            if not keep_going():
                break
            handle, kind, value = self._events.popleft()
            if kind is _EVENT:
                fanout: Any = handle  # an EventFanout, queued by push_event
                fanout.deliver(value, self.call_subscriber)
            elif kind is _PROGRESS:
                self._deliver_progress(handle)
            else:
                assert isinstance(kind, TaskEnd)
                self._deliver_outcome(handle, kind, value)
        return self.first_callback_error

    def _deliver_progress(self, handle: Handle[Any]) -> None:
        handle.progress_queued = False
        if handle.done() or handle.on_progress is None:
            return
        if handle.owner is not None and not handle.owner.alive():
            self._drop(handle)
            return
        self._call(handle, handle.on_progress, *handle.progress)

    def _deliver_outcome(self, handle: Handle[Any], outcome: TaskEnd, value: object) -> None:
        self._forget(handle)
        if outcome is TaskEnd.FAILED:
            self._counters.failed += 1
        if handle.done():  # cancelled by the game (or dropped): deliver nothing
            self._counters.cancelled += 1
            return
        if handle.owner is not None and not handle.owner.alive():
            self._drop(handle)
            return
        handle._finish(outcome, value)
        if outcome is TaskEnd.CANCELLED:
            self._counters.cancelled += 1
        elif outcome is TaskEnd.DONE:
            self._counters.delivered += 1
            if handle.on_done is not None:
                self._call(handle, handle.on_done, value)
        else:
            assert isinstance(value, BaseException)
            self._counters.delivered += 1
            if handle.on_error is not None:
                self._call(handle, handle.on_error, value)
            else:
                _log_unhandled(handle, value)

    def _drop(self, handle: Handle[Any]) -> None:
        self._counters.dropped += 1
        handle.cancel()

    def _call(self, handle: Handle[Any] | Subscription, stored: Stored, *args: object) -> None:
        fn = stored() if isinstance(stored, weakref.WeakMethod) else stored
        if fn is None:  # its owner died since the liveness check
            return
        began = self._clock()
        try:
            fn(*args)
        except Exception as exc:  # errors never escape into the game loop (unless asked)
            self._counters.callback_errors += 1
            logger.exception("callback %r of %r raised", fn, handle)
            if self.first_callback_error is None:
                self.first_callback_error = exc
        took = self._clock() - began
        detail = self._detail
        if took > detail.slowest_callback_took:
            detail.slowest_callback_took = took
            detail.slowest_callback = getattr(fn, "__qualname__", type(fn).__name__)


def _log_unhandled(handle: Handle[Any], exc: BaseException) -> None:
    """One line at ERROR (what failed and why); the traceback, library internals mostly, at
    DEBUG for whoever turns it on."""
    what = " ".join(str(exc).split()) or "(no message)"
    logger.error(
        "%r failed: %s: %s (pass on_error= to handle it; traceback at DEBUG level)",
        handle, type(exc).__name__, what,
    )  # fmt: skip
    logger.debug("traceback of %r", handle, exc_info=exc)
