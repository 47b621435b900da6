"""Fault injection for the reference server: what a flaky network and a busy server do, on demand.

Invariants:
- ``Faults`` is a frozen, validated value; all runtime state (counters, the seeded random source)
  lives in one ``FaultInjector`` per server, so two servers with the same ``Faults`` and the same
  requests fail in exactly the same places.
- ``times`` caps how often each kind of fault fires (latency, error, 429, truncate, drop, drip are
  counted separately); after that the server behaves normally, so a retry or a resume succeeds.
- API-level faults (latency, 5xx, 429 bursts) apply to requests whose path starts with one of
  ``paths``; body faults (truncate, drop, drip) apply to asset file bodies only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from aiohttp import web
from aiohttp.typedefs import Middleware

from .._checks import is_int, is_number
from .._protocol.responses import format_retry_after
from .._protocol.routes import API_PREFIX
from .._protocol.wire import GrpcCode, grpc_code_for_status
from .errors import error_response

__all__ = ["BodyPlan", "FaultInjector", "Faults", "Sleep", "faults_middleware"]

Sleep = Callable[[float], Awaitable[None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Faults:
    """What to break, and how often. Every field defaults to "off".

    - ``latency``: seconds added before each API response.
    - ``error_rate`` (0-1) and ``error_status`` (a 5xx): that share of API requests fails with a
      Nakama error body (code 13 for 500, 14 for 503, ...).
    - ``rate_limit_burst`` and ``rate_limit_every``: ``burst`` consecutive API requests get 429
      with ``Retry-After: retry_after`` and code 8; the burst repeats every ``every`` requests
      (0: once, at the start).
    - ``truncate_at`` (bytes): asset bodies stop after that many bytes and the connection is
      closed, so the body is shorter than its Content-Length.
    - ``drop_at``: a float in (0, 1) is a fraction of the body, an int a byte offset; the
      connection is aborted there.
    - ``drip_bytes_per_s``: asset bodies are sent at that rate.
    - ``times``: each fault fires at most this many times (``None``: always).
    - ``seed``: the random source behind ``error_rate``.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    rate_limit_burst: int = 0
    rate_limit_every: int = 0
    retry_after: int = 1
    truncate_at: int | None = None
    drop_at: float | int | None = None
    drip_bytes_per_s: int | None = None
    times: int | None = None
    seed: int = 0
    paths: tuple[str, ...] = (API_PREFIX,)

    def __post_init__(self) -> None:
        _check(_is_number(self.latency) and self.latency >= 0, "latency must be >= 0 seconds")
        _check(_is_number(self.error_rate) and 0 <= self.error_rate <= 1, "error_rate must be 0-1")
        _check(is_int(self.error_status) and 500 <= self.error_status <= 599, "error_status 5xx")
        _check(is_int(self.rate_limit_burst) and self.rate_limit_burst >= 0, "rate_limit_burst")
        every_ok = self.rate_limit_every == 0 or self.rate_limit_every > self.rate_limit_burst
        _check(is_int(self.rate_limit_every) and every_ok, "rate_limit_every must be 0 or > burst")
        _check(is_int(self.retry_after) and self.retry_after >= 0, "retry_after must be >= 0")
        _check(_opt_int(self.truncate_at, 0), "truncate_at must be a byte count >= 0")
        _check(_valid_drop(self.drop_at), "drop_at must be a fraction in (0, 1) or a byte count")
        _check(_opt_int(self.drip_bytes_per_s, 1), "drip_bytes_per_s must be >= 1")
        _check(_opt_int(self.times, 0), "times must be None or >= 0")
        _check(is_int(self.seed), "seed must be an integer")
        paths_ok = isinstance(self.paths, tuple) and all(isinstance(p, str) for p in self.paths)
        _check(paths_ok, "paths must be a tuple of path prefixes")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Faults:
        """Faults from a dict (e.g. parsed ``--faults`` JSON); unknown keys are a ValueError."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        kwargs = dict(values)
        if isinstance(kwargs.get("paths"), list):
            kwargs["paths"] = tuple(kwargs["paths"])
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> Faults:
        """Faults from JSON text such as ``'{"error_rate": 0.1}'``."""
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"faults must be a JSON object: {exc}") from None
        if not isinstance(values, dict):
            raise ValueError("faults must be a JSON object")
        return cls.from_mapping(values)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(f"invalid Faults: {message}")


def _is_number(value: object) -> TypeGuard[float]:
    return is_number(value) and math.isfinite(value)


def _opt_int(value: object, minimum: int) -> bool:
    return value is None or (is_int(value) and value >= minimum)


def _valid_drop(value: object) -> bool:
    if value is None or (is_int(value) and value >= 0):
        return True
    return isinstance(value, float) and 0 < value < 1


@dataclass(frozen=True)
class BodyPlan:
    """How one asset body is to be sent: cut where (if at all), how, and at what rate."""

    cut_at: int | None = None
    abort: bool = False
    bytes_per_s: int | None = None


class FaultInjector:
    """The runtime side of ``Faults``: counts firings and draws from the seeded random source."""

    def __init__(self, faults: Faults, sleep: Sleep = asyncio.sleep) -> None:
        self.faults = faults
        self.sleep = sleep
        self.fired: dict[str, int] = {}
        self._random = random.Random(faults.seed)
        self._api_requests = 0

    def _fire(self, kind: str) -> bool:
        """Record one firing of ``kind`` unless ``times`` is used up."""
        count = self.fired.get(kind, 0)
        if self.faults.times is not None and count >= self.faults.times:
            return False
        self.fired[kind] = count + 1
        return True

    def applies_to(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.faults.paths)

    def api_fault(self) -> web.Response | None:
        """The error response this API request gets, if any (429 bursts before 5xx)."""
        f = self.faults
        index = self._api_requests
        self._api_requests += 1
        position = index % f.rate_limit_every if f.rate_limit_every else index
        if position < f.rate_limit_burst and self._fire("rate_limit"):
            headers = {"Retry-After": format_retry_after(f.retry_after)}
            return error_response(429, GrpcCode.RESOURCE_EXHAUSTED, "Rate limited.", headers)
        # Draw on every request, so the sequence of failures depends only on the seed.
        if self._random.random() < f.error_rate and self._fire("error"):
            code = grpc_code_for_status(f.error_status)
            return error_response(f.error_status, code, "Injected server error.")
        return None

    async def delay(self) -> None:
        if self.faults.latency > 0 and self._fire("latency"):
            await self.sleep(self.faults.latency)

    def body_plan(self, length: int) -> BodyPlan:
        """The faults for an asset body of ``length`` bytes (drop wins over truncate).

        A cut that lies beyond this body (say, a short resume) does not fire, so it does not
        use up ``times``.
        """
        f = self.faults
        drop = f.drop_at
        drop_at = None if drop is None else int(length * drop) if isinstance(drop, float) else drop
        cut_at: int | None = None
        abort = False
        if drop_at is not None and drop_at < length and self._fire("drop"):
            cut_at, abort = drop_at, True
        elif f.truncate_at is not None and f.truncate_at < length and self._fire("truncate"):
            cut_at = f.truncate_at
        drip = f.drip_bytes_per_s if f.drip_bytes_per_s and self._fire("drip") else None
        return BodyPlan(cut_at=cut_at, abort=abort, bytes_per_s=drip)


def faults_middleware(
    faults: Faults | FaultInjector, *, sleep: Sleep = asyncio.sleep
) -> Middleware:
    """An aiohttp middleware applying latency, 5xx and 429 bursts to matching requests."""
    injector = faults if isinstance(faults, FaultInjector) else FaultInjector(faults, sleep)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not injector.applies_to(request.path):
            return await handler(request)
        await injector.delay()
        failure = injector.api_fault()
        if failure is not None:
            return failure
        return await handler(request)

    return middleware
