"""What the two-server suite shares: where the real Nakama is, the boards both servers hold, unique
names, and the one marker that names a divergence of the reference server from Nakama.

The suite asserts **Nakama's** behaviour. Where the reference server differs today, the test (or
differential case) carries ``reference_diverges("what differs")``: it is then an expected failure
(strict) whenever it runs against the reference server, and must pass against Nakama. Strict, so
a fix on the server flips it to XPASS, which fails the run until the mark is removed.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from gameservices import Client, RetryPolicy
from gameservices.server import Board, Operator, SortOrder, Tournament

__all__ = [
    "BOARDS",
    "DIVERGENCE_MARK",
    "HTTP_KEY_ENV",
    "MODULES_DIR",
    "NAKAMA_SKIP_REASON",
    "NO_WAIT_RETRY",
    "REFERENCE_LIFETIMES",
    "SERVER_KEY_ENV",
    "TOURNAMENTS",
    "URL_ENV",
    "BoardSpec",
    "Target",
    "apply_divergence",
    "device_id",
    "nakama_http_key",
    "nakama_server_key",
    "nakama_url",
    "reference_diverges",
    "resolve_http_key",
    "resolved_http_key",
    "username",
]

URL_ENV = "GAMESERVICES_NAKAMA_URL"
CI_HTTP_KEY = "httpkey"  # .ci/run: NAKAMA_ARGS="--runtime.http_key httpkey"
NAKAMA_DEFAULT_HTTP_KEY = "defaulthttpkey"
SERVER_KEY_ENV = "GAMESERVICES_NAKAMA_SERVER_KEY"
HTTP_KEY_ENV = "GAMESERVICES_NAKAMA_HTTP_KEY"
NAKAMA_SKIP_REASON = (
    f"{URL_ENV} is not set: no real Nakama to test against (start one with "
    "../shared/nakama/start.sh --runtime tests/nakama/modules and export the URL it prints)"
)
MODULES_DIR = Path(__file__).parent / "modules"
DIVERGENCE_MARK = "reference_divergence"

# Nakama's own defaults (60 s session tokens, 3600 s refresh tokens): the reference server runs
# with the same lifetimes here, so the client takes the same refresh paths against both.
REFERENCE_LIFETIMES = {"token_expiry": 60, "refresh_expiry": 3600}


async def _no_wait(delay: float) -> None:
    return None


# Retries without waiting (the suite never sleeps); the jitter is fixed.
NO_WAIT_RETRY = RetryPolicy(sleep=_no_wait, random=lambda: 0.5)


@dataclass(frozen=True)
class BoardSpec:
    """One leaderboard as tests/nakama/modules/gameservices_boards.lua creates it on Nakama."""

    id: str
    sort: SortOrder
    operator: Operator
    reset: str | None = None  # cron schedule (reset_schedule)
    ranks: bool = True  # enable_ranks

    @property
    def board(self) -> Board:
        """The reference server's definition of the same board."""
        return Board(self.id, self.sort, self.operator, ranks=self.ranks, reset=self.reset)

    @property
    def descending(self) -> bool:
        return self.sort is SortOrder.DESCENDING


_DESC, _ASC = SortOrder.DESCENDING, SortOrder.ASCENDING
BOARDS: dict[str, BoardSpec] = {
    spec.id: spec
    for spec in (
        BoardSpec("gs_best_desc", _DESC, Operator.BEST),
        BoardSpec("gs_best_asc", _ASC, Operator.BEST),
        BoardSpec("gs_set", _DESC, Operator.SET),
        BoardSpec("gs_incr", _DESC, Operator.INCREMENT),
        BoardSpec("gs_decr", _DESC, Operator.DECREMENT),
        BoardSpec("gs_noranks", _DESC, Operator.BEST, ranks=False),
        BoardSpec("gs_weekly", _DESC, Operator.BEST, reset="0 0 * * 1"),
    )
}


TEN_YEARS = 315_360_000
_SUITE = {"suite": "gameservices"}


def _tournament(
    id: str, title: str, category: int, duration: int = TEN_YEARS, **rules: object
) -> Tournament:
    return Tournament(id, duration, title=title, description="gameservices suite",
                      category=category, metadata=_SUITE, **rules)  # type: ignore[arg-type]  # fmt: skip


# gs_t_daily is open one hour a day (the module's "0 12 * * *", 3600 s). Tests that expect it
# closed, or write to it expecting a refusal, ask first: a suite run between 12:00 and 13:00 UTC
# would find it open (and its writes would then leave records on a shared Nakama).
DAILY_HOUR = 12


def daily_open(now: float | None = None) -> bool:
    """Is gs_t_daily's window open at ``now`` (default: this moment)?"""
    return time.gmtime(now).tm_hour == DAILY_HOUR


# As tests/nakama/modules/gameservices_tournaments.lua creates them on Nakama.
TOURNAMENTS: dict[str, Tournament] = {
    t.id: t
    for t in (
        _tournament("gs_t_best", "Best of", 1),
        _tournament("gs_t_asc", "Fastest", 2, sort=_ASC, operator=Operator.SET),
        _tournament("gs_t_incr", "Totals", 2, operator=Operator.INCREMENT),
        _tournament("gs_t_join", "Members", 3, join_required=True),
        _tournament("gs_t_tries", "Two tries", 3, max_num_score=2),
        _tournament(
            "gs_t_small", "Pairs", 4, 60, reset="* * * * *", max_size=2, join_required=True
        ),
        _tournament("gs_t_daily", "Lunch", 4, 3600, reset=f"0 {DAILY_HOUR} * * *"),
        _tournament("gs_t_auth", "Server only", 5, authoritative=True),
        _tournament("gs_t_future", "Next century", 6, 3600, start_time=4102444800),
        _tournament("gs_t_ended", "Long ago", 6, 1, start_time=1, end_time=2, join_required=True),
    )
}


def nakama_url() -> str | None:
    url = os.environ.get(URL_ENV, "").strip()
    return url.rstrip("/") or None


def nakama_server_key() -> str:
    return os.environ.get(SERVER_KEY_ENV, "").strip() or "defaultkey"


def nakama_http_key() -> str:
    """The runtime HTTP key (Nakama's ``--runtime.http_key``) the suite's RPCs carry:
    ``GAMESERVICES_NAKAMA_HTTP_KEY``, else "httpkey", what .ci/run starts Nakama with."""
    return os.environ.get(HTTP_KEY_ENV, "").strip() or CI_HTTP_KEY


_http_keys: dict[str, str] = {}


def resolved_http_key() -> str:
    """The key ``resolve_http_key`` found for the suite's Nakama (``nakama_http_key()`` before
    that): what the differential test configures its reference server with."""
    url = nakama_url()
    return _http_keys.get(url, nakama_http_key()) if url else nakama_http_key()


async def resolve_http_key(http: aiohttp.ClientSession, url: str) -> str:
    """The HTTP key the Nakama at ``url`` takes: ``nakama_http_key()``, or, when that variable
    is unset and Nakama refuses "httpkey", Nakama's own default ("defaulthttpkey": a kit
    started without NAKAMA_ARGS). Nakama judges the key before the function's id, so an
    unknown id answers 404 for the right key and 401 for a wrong one."""
    if url in _http_keys:
        return _http_keys[url]
    candidates = [nakama_http_key()]
    if not os.environ.get(HTTP_KEY_ENV, "").strip():
        candidates.append(NAKAMA_DEFAULT_HTTP_KEY)
    for key in candidates:
        probe = f"{url}/v2/rpc/gs_no_such_function?http_key={key}"
        async with http.post(probe, data=b"") as resp:
            if resp.status != 401:
                _http_keys[url] = key
                return key
    pytest.fail(
        f"Nakama at {url} refuses the runtime HTTP key {candidates[0]!r}: start it with "
        f'NAKAMA_ARGS="--runtime.http_key {CI_HTTP_KEY}" or set {HTTP_KEY_ENV} to its key'
    )


def reference_diverges(reason: str) -> pytest.MarkDecorator:
    """Mark a test (or a differential case) the reference server fails for ``reason``.

    Against the reference server it becomes ``xfail(strict=True, reason="reference divergence:
    ...")``; against Nakama it must pass. ``reason`` names the fix to make.
    """
    return getattr(pytest.mark, DIVERGENCE_MARK)(reason)


def divergence_xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"reference divergence: {reason}")


def apply_divergence(request: pytest.FixtureRequest) -> None:
    """Called by every fixture that puts the reference server under a test."""
    marks = list(request.node.iter_markers(DIVERGENCE_MARK))
    if marks:
        request.applymarker(divergence_xfail("; ".join(str(m.args[0]) for m in marks)))


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def device_id() -> str:
    """A device id nobody used before (so the suite can run again and again on one Nakama)."""
    return unique("gs-device-")


def username() -> str:
    return unique("gs_")[:27]


@dataclass(frozen=True)
class Target:
    """One server under test: the reference server (in-process) or a real Nakama."""

    name: str  # "reference" or "nakama"
    url: str
    server_key: str
    http_key: str = ""  # the runtime HTTP key server-to-server RPCs carry

    @property
    def is_nakama(self) -> bool:
        return self.name == "nakama"

    def client(self, **kwargs: object) -> Client:
        options: dict[str, object] = {"server_key": self.server_key, "retry": NO_WAIT_RETRY}
        options.update(kwargs)
        return Client(self.url, **options)  # type: ignore[arg-type]
