"""The client against the real reference server on 127.0.0.1 port 0: happy paths, the server's
fault injection (5xx, 429 bursts, latency), expiry by the server's clock, single-flight refresh,
persistence and idempotent increments."""

from __future__ import annotations

import asyncio
import logging
import stat
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gameservices import (
    AiohttpTransport,
    AuthError,
    Client,
    Conflict,
    InvalidArgument,
    LeaderboardRecord,
    NotFound,
    RateLimited,
    RetryPolicy,
    Timeouts,
)
from gameservices.server.http_dates import stamp_date
from gameservices.testing import Faults, ReferenceServer

from .conftest import Sleeps

DEVICE = "device-0001-abcdef"
REFRESH_PATH = "/v2/account/session/refresh"


def counting_trace() -> tuple[aiohttp.TraceConfig, Counter[str]]:
    """Counts requests by path as they leave the client."""
    counts: Counter[str] = Counter()

    async def on_start(
        session: aiohttp.ClientSession, ctx: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        counts[params.url.path] += 1

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    return trace, counts


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer() as srv:
        yield srv


async def test_login_write_list_around_delete(server: ReferenceServer) -> None:
    async with Client(server.url) as client:
        session = await client.auth.device(DEVICE, create=True, username="ada")
        assert (session.username, session.created) == ("ada", True)
        assert session.expires_at > datetime.now(timezone.utc)
        rec = await client.leaderboards.write(
            "weekly", 1200, subscore=3, metadata={"lvl": 2}, operator="best"
        )
        assert isinstance(rec, LeaderboardRecord)
        assert (rec.score, rec.subscore, rec.metadata, rec.username) == (1200, 3, {"lvl": 2}, "ada")
        assert rec.owner_id == session.user_id
        assert rec.create_time is not None
        assert rec.create_time.tzinfo is not None
        page = await client.leaderboards.list("weekly", limit=10, owner_ids=[session.user_id])
        assert [(r.score, r.rank) for r in page.records] == [(1200, 1)]
        assert page.owner_records[0].owner_id == session.user_id
        near = await client.leaderboards.around("weekly", limit=5)
        assert [r.owner_id for r in near.records] == [session.user_id]
        await client.leaderboards.delete("weekly")
        empty = await client.leaderboards.list("weekly")
        assert empty.records == ()
        again = await client.auth.device(DEVICE, create=False)
        assert again.created is False
        assert again.user_id == session.user_id


async def test_iterate_follows_cursors(server: ReferenceServer) -> None:
    clients = [Client(server.url) for _ in range(7)]
    try:
        for n, c in enumerate(clients):
            await c.auth.custom(f"player-{n:04d}", username=f"p{n}")
            await c.leaderboards.write("alltime", 100 + n)
        scores = [r.score async for r in clients[0].leaderboards.iterate("alltime", page_size=3)]
    finally:
        for c in clients:
            await c.close()
    assert scores == sorted((100 + n for n in range(7)), reverse=True)


async def test_other_logins_and_their_errors(server: ReferenceServer) -> None:
    async with Client(server.url) as client:
        await client.auth.email("ada@example.com", "correct horse", username="ada")
        with pytest.raises(NotFound):
            await client.auth.custom("nobody-here", create=False)
        with pytest.raises(Conflict):
            await client.auth.device(DEVICE, username="ada")  # taken
        with pytest.raises(InvalidArgument, match="Device ID"):
            await client.auth.device("short")
        with pytest.raises(NotFound):
            await client.leaderboards.list("no-such-board")
        with pytest.raises(AuthError):
            await client.auth.email("ada@example.com", "wrong password!", create=False)


async def test_logout_revokes_the_refresh_token(server: ReferenceServer) -> None:
    async with Client(server.url) as client:
        session = await client.auth.device(DEVICE)
        await client.auth.logout()
        assert client.session is None
        await client.auth.adopt(session)  # a stale copy of the revoked session
        with pytest.raises(AuthError):
            await client.auth.refresh()


async def test_expiry_by_the_server_clock_and_single_flight_refresh() -> None:
    now = [1_900_000_000.0]
    trace, counts = counting_trace()
    async with (
        ReferenceServer(clock=lambda: now[0], token_expiry=600) as server,
        Client(server.url, transport=AiohttpTransport(trace_configs=[trace])) as client,
    ):
        first = await client.auth.device(DEVICE)
        await client.leaderboards.write("weekly", 10)
        now[0] += 601  # the server says the token is dead; our clock and its Date do not
        pages = await asyncio.gather(*(client.leaderboards.list("weekly") for _ in range(50)))
        assert len(pages) == 50
        assert counts[REFRESH_PATH] == 1
        assert client.session is not None
        assert client.session.token != first.token
        assert counts["/v2/leaderboard/weekly"] == 1 + 50 + 50  # write, 50 x (401 + resend)


async def test_dead_refresh_token_with_the_real_server(tmp_path: Path) -> None:
    now = [1_900_000_000.0]
    async with ReferenceServer(clock=lambda: now[0], refresh_expiry=3600) as server:
        logins: list[object] = []

        async def again(c: Client) -> None:
            logins.append(await c.auth.device(DEVICE))

        async with Client(server.url, reauthenticate=again) as client:
            await client.auth.device(DEVICE)
            now[0] += 7200
            await client.leaderboards.list("weekly")
            assert len(logins) == 1


async def test_session_persists_with_mode_0600(server: ReferenceServer, tmp_path: Path) -> None:
    async with Client(server.url, data_dir=tmp_path) as client:
        session = await client.auth.device(DEVICE)
    mode = (await asyncio.to_thread((tmp_path / "session.json").stat)).st_mode
    assert stat.S_IMODE(mode) == 0o600
    async with Client(server.url, data_dir=tmp_path) as client:
        assert await client.auth.restore() == session
        rec = await client.leaderboards.write("weekly", 7)
        assert rec.owner_id == session.user_id


def retrying(sleeps: Sleeps, **kw: Any) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, random=lambda: 1.0, **kw)


async def test_5xx_faults_are_retried() -> None:
    sleeps = Sleeps()
    faults = Faults(error_rate=1.0, error_status=503, times=2)
    async with (
        ReferenceServer(faults=faults) as server,
        Client(server.url, retry=retrying(sleeps)) as client,
    ):
        session = await client.auth.device(DEVICE)
    assert session.user_id
    assert sleeps.delays == [0.5, 1.0]


async def test_429_bursts_honour_retry_after() -> None:
    sleeps = Sleeps()
    faults = Faults(rate_limit_burst=2, retry_after=3)
    async with (
        ReferenceServer(faults=faults) as server,
        Client(server.url, retry=retrying(sleeps)) as client,
    ):
        await client.auth.device(DEVICE)
    assert sleeps.delays == [3.0, 3.0]


async def test_429_after_the_last_attempt_raises_rate_limited() -> None:
    faults = Faults(rate_limit_burst=5, retry_after=2)
    async with ReferenceServer(faults=faults) as server:
        policy = retrying(Sleeps(), max_attempts=2)
        async with Client(server.url, retry=policy) as client:
            with pytest.raises(RateLimited) as info:
                await client.auth.device(DEVICE)
    assert info.value.retry_after == 2.0


async def test_latency_past_the_timeout_is_retried_then_succeeds() -> None:
    sleeps = Sleeps()
    faults = Faults(latency=0.3, times=1, paths=("/v2/leaderboard/",))
    async with ReferenceServer(faults=faults) as server:
        no_limit = Timeouts(total=None, connect=None)
        async with Client(server.url, retry=retrying(sleeps), timeouts=no_limit) as client:
            await client.auth.device(DEVICE)
            page = await client.leaderboards.list("weekly", timeout=Timeouts(total=0.05))
            assert page.records == ()
    assert sleeps.delays == [0.5]  # one timeout (the per-call limit), then a clean retry


async def test_increment_survives_a_5xx_and_applies_once() -> None:
    sleeps = Sleeps()
    faults = Faults(error_rate=1.0, error_status=503, times=1, paths=("/v2/leaderboard/kills",))
    async with (
        ReferenceServer(faults=faults) as server,
        Client(server.url, retry=retrying(sleeps)) as client,
    ):
        await client.auth.device(DEVICE)
        rec = await client.leaderboards.write("kills", 1, idempotency_key="kill-0001")
        assert client.server_honours_idempotency_keys  # the 503 echoed the key
        assert rec.score == 1
        replay = await client.leaderboards.write("kills", 1, idempotency_key="kill-0001")
        assert replay.score == 1  # the same key again: applied at most once
        page = await client.leaderboards.list("kills")
        assert [(r.score, r.num_score) for r in page.records] == [(1, 1)]
    assert sleeps.delays == [0.5]


async def test_expiry_is_judged_by_the_server_date(caplog: pytest.LogCaptureFixture) -> None:
    """The server's clock runs two days behind ours; its Date header says so."""
    now = [time.time() - 2 * 86_400]
    trace, counts = counting_trace()
    server = ReferenceServer(clock=lambda: now[0], token_expiry=3600)
    # The server's clock, shown in its Date (create_app may already do this; twice is harmless).
    server.app.on_response_prepare.append(stamp_date(lambda: now[0]))
    async with (
        server,
        Client(server.url, transport=AiohttpTransport(trace_configs=[trace])) as client,
    ):
        session = await client.auth.device(DEVICE)
        assert session.expires_at.timestamp() < time.time()  # dead by our clock
        for _ in range(3):
            await client.leaderboards.list("weekly")
        assert counts[REFRESH_PATH] == 0  # alive by the server's, which is what counts
        now[0] += 3600 - 200  # into the refresh window
        await client.leaderboards.list("weekly")  # sent as is; learns the new Date
        await client.leaderboards.list("weekly")
        assert counts[REFRESH_PATH] == 1
        assert counts["/v2/leaderboard/weekly"] == 5  # no 401 was needed


async def test_no_secret_in_logs_or_errors_with_the_real_server(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG, logger="gameservices")
    now = [1_900_000_000.0]
    texts: list[str] = []
    key = "s3rver-key-not-for-logs"
    async with (
        ReferenceServer(clock=lambda: now[0], server_key=key, refresh_expiry=7200) as srv,
        Client(srv.url, server_key=key, data_dir=tmp_path) as client,
    ):
        session = await client.auth.email("ada@example.com", "hunter2-password")
        await client.leaderboards.write("weekly", 5)
        now[0] += 3601
        await client.leaderboards.list("weekly")  # 401 -> refresh -> resend
        refreshed = client.session
        with pytest.raises(AuthError) as wrong:
            await client.auth.email("ada@example.com", "not-the-password", create=False)
        now[0] += 7200
        with pytest.raises(AuthError) as dead:
            await client.leaderboards.list("weekly")
        for exc in (wrong.value, dead.value, dead.value.__cause__):
            texts += [str(exc), repr(exc)]
        texts += [repr(session), repr(refreshed), repr(client)]
    logged = caplog.text + "\n".join(texts)
    assert "refreshing" in logged  # the flow was logged
    assert refreshed is not None
    for secret in (session.token, session.refresh_token, refreshed.token, key, "hunter2-password"):
        assert secret not in logged


async def test_a_restored_expired_session_refreshes_and_is_saved(tmp_path: Path) -> None:
    """nakama-godot #207: a session restored from disk after its token expired must refresh."""
    now = [time.time()]
    trace, counts = counting_trace()
    async with ReferenceServer(clock=lambda: now[0]) as srv:
        async with Client(srv.url, data_dir=tmp_path) as client:
            first = await client.auth.device(DEVICE)
        now[0] += 3600 + 60  # the token is dead by the server's clock; the refresh token lives
        async with Client(
            srv.url, data_dir=tmp_path, transport=AiohttpTransport(trace_configs=[trace])
        ) as client:
            assert await client.auth.restore() == first
            await client.leaderboards.write("weekly", 42)
            refreshed = client.session
        assert counts[REFRESH_PATH] == 1
        assert refreshed is not None
        assert refreshed != first
        assert refreshed.user_id == first.user_id
        async with Client(srv.url, data_dir=tmp_path) as client:
            assert await client.auth.restore() == refreshed  # the new pair was persisted
            page = await client.leaderboards.list("weekly")
            assert [(r.owner_id, r.score) for r in page.records] == [(first.user_id, 42)]


async def test_a_restored_short_lived_session_does_not_refresh_on_every_call(
    tmp_path: Path,
) -> None:
    """Tokens living 60 s (under the 300 s default window) are refreshed when due, not per call."""
    now = [time.time()]
    trace, counts = counting_trace()
    server = ReferenceServer(clock=lambda: now[0], token_expiry=60)
    server.app.on_response_prepare.append(stamp_date(lambda: now[0]))
    async with server as srv:
        async with Client(srv.url, data_dir=tmp_path) as client:
            await client.auth.device(DEVICE)
        async with Client(
            srv.url, data_dir=tmp_path, transport=AiohttpTransport(trace_configs=[trace])
        ) as client:
            await client.auth.restore()
            for _ in range(3):
                await client.leaderboards.list("weekly")
            assert counts[REFRESH_PATH] == 0
            now[0] += 45  # inside the last half of the token's life
            await client.leaderboards.list("weekly")  # learns the server's new Date
            await client.leaderboards.list("weekly")
            assert counts[REFRESH_PATH] == 1
