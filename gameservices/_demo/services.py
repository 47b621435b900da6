"""What each service did in the demo's game: one row per service, for the report and its JSON.

Invariants: rows are written only by runner callbacks (inside ``tick()``, on the game thread),
each a few assignments; a failed service keeps its error text and never stops the others;
``SERVICES`` fixes the rows and their order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["SERVICES", "ServiceLog", "ServiceRow", "StepFailed", "timed", "within"]

T = TypeVar("T")

# (key, the client API the row is about)
SERVICES: tuple[tuple[str, str], ...] = (
    ("auth", "client.auth"),
    ("leaderboards", "client.leaderboards"),
    ("outbox", "client.outbox"),
    ("assets", "client.assets"),
    ("saves", "client.saves"),
    ("storage", "client.storage"),
    ("account", "client.account, .users"),
    ("friends", "client.friends"),
    ("groups", "client.groups"),
    ("tournaments", "client.tournaments"),
    ("events", "client.events"),
    ("rpc", "client.rpc"),
    ("notifications", "client.notifications"),
    ("realtime", "client.realtime()"),
    ("chat", "rt: clan chat"),
    ("match", "rt: matchmaker, match"),
)


class StepFailed(RuntimeError):
    """A step of the demo's game could not do its part (what was missing, in the message)."""


@dataclass
class ServiceRow:
    """``state``: "ok", "failed" or "not reached"; ``latency`` in seconds (what ``detail``
    says it measured); ``counts``: the figures the smoke test checks."""

    state: str = "not reached"
    detail: str = ""
    latency: float | None = None
    counts: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServiceLog:
    rows: dict[str, ServiceRow] = field(
        default_factory=lambda: {key: ServiceRow() for key, _ in SERVICES}
    )

    def ok(self, name: str, detail: str, latency: float | None = None, **counts: Any) -> None:
        row = self.rows[name]
        if row.state == "failed":  # a later success does not hide an earlier failure
            row.detail = f"{row.detail}; then {detail}"
        else:
            row.state, row.detail = "ok", detail
        row.latency = latency if latency is not None else row.latency
        row.counts.update(counts)

    def failed(self, name: str, exc: BaseException) -> None:
        row = self.rows[name]
        row.state = "failed"
        row.detail = f"{type(exc).__name__}: {exc}"

    def count(self, name: str, key: str, by: int = 1) -> None:
        counts = self.rows[name].counts
        counts[key] = counts.get(key, 0) + by

    def on_error(self, name: str) -> Callable[[BaseException], None]:
        return lambda exc: self.failed(name, exc)

    def problems(self) -> list[str]:
        return [f"{name}: {row.detail}" if row.state == "failed" else f"{name}: {row.state}"
                for name, row in self.rows.items() if row.state != "ok"]  # fmt: skip


async def timed(call: Awaitable[T]) -> tuple[T, float]:
    """``call``'s result and how long it took (seconds), measured on the runner's loop."""
    start = time.perf_counter()
    value = await call
    return value, time.perf_counter() - start


async def within(call: Awaitable[T], seconds: float, what: str) -> T:
    """``call``, or ``StepFailed`` naming ``what`` did not come within ``seconds``."""
    try:
        return await asyncio.wait_for(call, seconds)
    except asyncio.TimeoutError:
        raise StepFailed(f"no {what} within {seconds:g} s") from None
