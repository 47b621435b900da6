"""A token bucket for download bandwidth, shared by every transfer of a sync.

Invariants: tokens refill at ``rate`` per second up to ``burst``; ``take(n)`` always succeeds,
possibly leaving a debt that the caller sleeps off, so a chunk bigger than the burst still
passes and the long-run rate never exceeds ``rate``. Time is injected (``clock``, ``sleep``)
so tests never wait. Used from one event loop only: no locks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from .._checks import positive_number

__all__ = ["TokenBucket"]


class TokenBucket:
    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.rate = positive_number("max_bytes_per_s", rate)
        # A quarter second of burst keeps the pace smooth without starving small chunks.
        self.burst = float(burst) if burst is not None else max(self.rate / 4, 1.0)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def take(self, n: int) -> None:
        """Spend ``n`` tokens, sleeping until the bucket is out of debt."""
        self._refill()
        self._tokens -= n
        if self._tokens < 0:
            await self._sleep(-self._tokens / self.rate)

    def chunk_hint(self) -> int:
        """A read size that lets the cap act smoothly: about 1/20 s of transfer."""
        return max(1024, min(1 << 18, int(self.rate / 20)))
