"""Immutable, validated configuration values.

Invariants: every value object is frozen and validated in ``__post_init__``; defaults are
module constants; ``None`` means "no limit / off"; ``DEFAULT`` means "use the client default".
"""

from __future__ import annotations

import asyncio
import enum
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ._checks import is_int, is_number

__all__ = ["DEFAULT", "Default", "RealtimeOptions", "RetryPolicy", "SessionOptions", "Timeouts"]

DEFAULT_TOTAL_TIMEOUT = 15.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_CAP = 8.0
DEFAULT_REFRESH_WINDOW = 300.0
_MAX_EXPONENT = 60  # base * 2**60 is far past any cap; keeps the float finite for ever-retriers


class Default(enum.Enum):
    """Sentinel type: "use the configured default" (distinct from ``None``, which means off)."""

    DEFAULT = "DEFAULT"

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = Default.DEFAULT


def _check_seconds(name: str, value: float | None) -> None:
    if value is None:
        return
    if not is_number(value):
        raise TypeError(f"{name} must be a number of seconds or None, not {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0 seconds or None, got {value!r}")


@dataclass(frozen=True)
class Timeouts:
    """Request time limits in seconds. ``None`` means no limit."""

    total: float | None = DEFAULT_TOTAL_TIMEOUT
    connect: float | None = DEFAULT_CONNECT_TIMEOUT

    def __post_init__(self) -> None:
        _check_seconds("total", self.total)
        _check_seconds("connect", self.connect)


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff: attempt n waits ``random() * min(cap, base * 2**n)``.

    ``sleep`` and ``random`` are injectable so tests never wait.
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base: float = DEFAULT_BACKOFF_BASE
    cap: float = DEFAULT_BACKOFF_CAP
    sleep: Callable[[float], Awaitable[object]] = field(default=asyncio.sleep, compare=False)
    random: Callable[[], float] = field(default=_random.random, compare=False)

    def __post_init__(self) -> None:
        if not is_int(self.max_attempts):
            raise TypeError("max_attempts must be an int")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        _check_seconds("base", self.base)
        _check_seconds("cap", self.cap)
        if self.cap < self.base:
            raise ValueError(f"cap ({self.cap}) must be >= base ({self.base})")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based), any size."""
        ceiling: float = min(self.cap, self.base * (2 ** min(attempt, _MAX_EXPONENT)))
        return self.random() * ceiling

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_attempts=1)


@dataclass(frozen=True)
class SessionOptions:
    """How the client judges its session fresh.

    ``refresh_window``: refresh before a call when the token has less than this many seconds
    left, by the server's clock (0: only on a 401). ``clock``: our wall clock in epoch seconds,
    against which the server's ``Date`` is measured (tests inject one).
    """

    refresh_window: float = DEFAULT_REFRESH_WINDOW
    clock: Callable[[], float] = field(default=time.time, compare=False)

    def __post_init__(self) -> None:
        if not is_number(self.refresh_window):
            raise TypeError(
                f"refresh_window must be a number of seconds, not {self.refresh_window!r}"
            )
        if self.refresh_window < 0:
            raise ValueError(f"refresh_window must be >= 0 seconds, got {self.refresh_window}")
        if not callable(self.clock):
            raise TypeError(f"clock must be a function returning epoch seconds, not {self.clock!r}")


DEFAULT_DEAD_AFTER = 15.0
DEFAULT_PING_INTERVAL = 5.0
DEFAULT_HEARTBEAT = 10.0
DEFAULT_REPLY_TIMEOUT = 15.0
DEFAULT_MAX_MATCH_DATA = 256


@dataclass(frozen=True)
class RealtimeOptions:
    """How the realtime socket stays connected and queues events.

    - ``dead_after``: a socket that received nothing (not even a pong) for this many seconds
      is dead: closed and, with ``reconnect``, reopened. ``ping_interval``: send an app-level
      ``ping`` after this long without traffic (must be less than ``dead_after``).
    - ``heartbeat``: the WebSocket ping period in seconds (None: off), a second detector.
    - ``reply_timeout``: how long a call waits for its reply (None: as long as the socket
      lives).
    - ``reconnect``: reopen a lost socket with the client's retry policy (full jitter),
      refreshing the session first, then re-join channels, re-follow users, re-add tickets
      and re-join matches and parties.
    - ``max_match_data``: undelivered ``match_data`` events kept per consumer; beyond it the
      oldest is dropped (counted in ``rt.match_data_dropped``). Other events are never dropped.
    - ``poll``: keep events for ``rt.poll()`` (off by default: nobody would drain them).
    - ``clock``/``sleep``: monotonic seconds and the watchdog's sleep (tests inject both).
    """

    dead_after: float = DEFAULT_DEAD_AFTER
    ping_interval: float = DEFAULT_PING_INTERVAL
    heartbeat: float | None = DEFAULT_HEARTBEAT
    reply_timeout: float | None = DEFAULT_REPLY_TIMEOUT
    reconnect: bool = True
    max_match_data: int = DEFAULT_MAX_MATCH_DATA
    poll: bool = False
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    sleep: Callable[[float], Awaitable[object]] = field(default=asyncio.sleep, compare=False)

    def __post_init__(self) -> None:
        for name in ("dead_after", "ping_interval", "heartbeat", "reply_timeout"):
            value = getattr(self, name)
            if value is None and name in ("heartbeat", "reply_timeout"):
                continue
            if not is_number(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.ping_interval >= self.dead_after:
            raise ValueError(
                f"ping_interval ({self.ping_interval}) must be less than dead_after "
                f"({self.dead_after}): a ping must have time to be answered"
            )
        if not is_int(self.max_match_data) or self.max_match_data < 1:
            raise ValueError(f"max_match_data must be an int >= 1, not {self.max_match_data!r}")
