"""A per-client-IP token bucket, answered with 429, ``Retry-After`` and Nakama code 8.

Invariants:
- Time comes only from the injected clock, so tests step it instead of sleeping.
- A bucket holds at most ``burst`` tokens and refills at ``rate_per_s``; a request takes one.
- Memory is bounded: buckets are kept in least-recently-used order; a bucket idle long enough to
  be full again is the same as a new one and is dropped, and never more than ``max_clients``
  buckets are kept.
- The key is the peer address of the connection; ``X-Forwarded-For`` is not trusted.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from .._checks import is_int, is_number
from .._protocol.responses import format_retry_after
from .._protocol.routes import API_PREFIX
from .._protocol.wire import GrpcCode
from .errors import error_response

__all__ = ["RateLimit", "TokenBuckets", "rate_limit_middleware"]

Clock = Callable[[], float]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DEFAULT_MAX_CLIENTS = 10_000


@dataclass(frozen=True)
class RateLimit:
    """``rate_per_s`` sustained requests per client IP, with bursts of up to ``burst``.

    ``paths`` are the path prefixes it applies to (the API by default, not asset downloads).
    """

    rate_per_s: float
    burst: int
    paths: tuple[str, ...] = (API_PREFIX,)
    max_clients: int = DEFAULT_MAX_CLIENTS

    def __post_init__(self) -> None:
        rate = self.rate_per_s
        if not is_number(rate) or not math.isfinite(rate) or rate <= 0:
            raise ValueError("invalid RateLimit: rate_per_s must be a number > 0")
        if not is_int(self.burst) or self.burst < 1:
            raise ValueError("invalid RateLimit: burst must be an integer >= 1")
        if not is_int(self.max_clients) or self.max_clients < 1:
            raise ValueError("invalid RateLimit: max_clients must be an integer >= 1")
        if not isinstance(self.paths, tuple) or not all(isinstance(p, str) for p in self.paths):
            raise ValueError("invalid RateLimit: paths must be a tuple of path prefixes")


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """The buckets of every client seen recently."""

    def __init__(self, limit: RateLimit, clock: Clock) -> None:
        self.limit = limit
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._refill_time = limit.burst / limit.rate_per_s  # empty to full

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if allowed, else the seconds until one is available."""
        now = self.clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(float(self.limit.burst), now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(self.limit.burst, bucket.tokens + elapsed * self.limit.rate_per_s)
        bucket.updated = now
        self._buckets[key] = bucket  # most recently used goes last
        self._evict(now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.limit.rate_per_s

    def _evict(self, now: float) -> None:
        while self._buckets:
            key, oldest = next(iter(self._buckets.items()))
            idle_full = now - oldest.updated >= self._refill_time
            if not idle_full and len(self._buckets) <= self.limit.max_clients:
                return
            del self._buckets[key]


def rate_limit_middleware(limit: RateLimit | None, clock: Clock) -> Middleware:
    """An aiohttp middleware enforcing ``limit`` per client IP (``None``: a pass-through)."""
    buckets = TokenBuckets(limit, clock) if limit is not None else None

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if buckets is None or not request.path.startswith(buckets.limit.paths):
            return await handler(request)
        wait = buckets.take(request.remote or "unknown")
        if wait > 0:
            # At least 1 s: "0" would invite an immediate retry into an empty bucket.
            headers = {"Retry-After": format_retry_after(max(1.0, wait))}
            return error_response(429, GrpcCode.RESOURCE_EXHAUSTED, "Rate limit exceeded.", headers)
        return await handler(request)

    return middleware
