"""Client behaviour that needs a scripted server: expiry judged by the server's Date header,
exact refresh counts, scripted faults, bodies no real server sends, re-auth and hooks. The
client runs over ``MockTransport(seam.handle)``: no sockets, no ports."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from gameservices import (
    AuthError,
    Client,
    HttpRequest,
    HttpResponse,
    OutcomeUnknown,
    ProtocolError,
    RateLimited,
    RetryPolicy,
    ServerError,
    Session,
    SessionExpired,
    SessionOptions,
    UsageError,
)
from gameservices._protocol import api
from gameservices._runner.ambient import runner_var
from gameservices.testing import MockTransport, ReferenceServer, json_response

from .conftest import Sleeps
from .nakama_seam import NakamaSeam

REFRESH = "POST /v2/account/session/refresh"
LIST = "GET /v2/leaderboard/weekly"
WRITE = "POST /v2/leaderboard/kills"


@pytest.fixture
def seam() -> NakamaSeam:
    return NakamaSeam()


BASE = "http://127.0.0.1:7350"  # never dialled: the transport is a function


def seam_client(seam: NakamaSeam, **options: Any) -> Client:
    return Client(BASE, transport=MockTransport(seam.handle), **options)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(seam: NakamaSeam, sleeps: Sleeps) -> AsyncIterator[Client]:
    retry = RetryPolicy(max_attempts=4, sleep=sleeps, random=lambda: 1.0)
    async with seam_client(seam, retry=retry) as c:
        yield c


async def test_expiry_is_judged_by_the_server_date_header(seam: NakamaSeam) -> None:
    # Our clock runs a day ahead of the server: by our clock the token is long expired.
    local = seam.now + 86_400
    async with seam_client(seam, sessions=SessionOptions(clock=lambda: local)) as client:
        await client.auth.device("device-0001-abcdef")
        await client.leaderboards.list("weekly")
        assert seam.calls[REFRESH] == 0
        seam.now += 3600 - 299  # the server's clock moves into the 5-minute window
        await client.leaderboards.list("weekly")  # learns the new Date, no refresh yet
        await client.leaderboards.list("weekly")
        assert seam.calls[REFRESH] == 1
        assert client.server_time() == pytest.approx(seam.now)


async def test_fifty_concurrent_calls_after_expiry_refresh_once(
    seam: NakamaSeam, client: Client
) -> None:
    await client.auth.device("device-0001-abcdef")
    seam.now += 3600 - 100  # inside the refresh window, not yet expired
    await client.leaderboards.list("weekly")  # sent with the old token; learns the Date
    assert seam.calls[REFRESH] == 0
    results = await asyncio.gather(*(client.leaderboards.list("weekly") for _ in range(50)))
    assert len(results) == 50
    assert seam.calls[REFRESH] == 1
    assert seam.calls[LIST] == 51


class InFlight:
    """Holds the first ``n`` reads until all ``n`` are in flight, as a network would: no answer
    (and so no ``Date`` that shows the expiry) arrives before the last request has left."""

    def __init__(self, seam: NakamaSeam, n: int) -> None:
        self.seam, self.left, self.all_sent = seam, n, asyncio.Event()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and self.left > 0:
            self.left -= 1
            if self.left == 0:
                self.all_sent.set()
            await self.all_sent.wait()
        return self.seam.handle(request)


async def test_fifty_concurrent_401s_refresh_once(seam: NakamaSeam) -> None:
    async with Client(BASE, transport=MockTransport(InFlight(seam, 50).handle)) as client:
        await client.auth.device("device-0001-abcdef")
        seam.now += 3600  # expired by the server's clock, which the client has not seen yet
        results = await asyncio.gather(*(client.leaderboards.list("weekly") for _ in range(50)))
    assert len(results) == 50
    assert seam.calls[REFRESH] == 1
    assert seam.calls[LIST] == 100  # each call: one 401, one resend


async def test_a_401_refreshes_once_and_never_loops(seam: NakamaSeam, client: Client) -> None:
    session = await client.auth.device("device-0001-abcdef")
    seam.scripts.append(
        lambda r: seam.error(401, 16, "Auth token invalid") if r.method == "GET" else None
    )
    with pytest.raises(AuthError) as info:
        await client.leaderboards.list("weekly")
    assert info.value.status == 401
    assert not isinstance(info.value, SessionExpired)
    assert seam.calls[LIST] == 2
    assert seam.calls[REFRESH] == 1
    assert client.session is not session


async def test_dead_refresh_token_raises_session_expired(seam: NakamaSeam, client: Client) -> None:
    await client.auth.device("device-0001-abcdef")
    await client.leaderboards.list("weekly")
    seam.now += 7200  # both tokens dead by the server's clock; the client learns it on a 401
    with pytest.raises(SessionExpired):
        await client.leaderboards.list("weekly")
    assert client.session is None


async def test_dead_refresh_token_with_reauthenticate(seam: NakamaSeam) -> None:
    logins: list[Session] = []

    async def again(c: Client) -> None:
        logins.append(await c.auth.device("device-0001-abcdef"))

    async with seam_client(seam, reauthenticate=again) as client:
        await client.auth.device("device-0001-abcdef")
        await client.leaderboards.list("weekly")
        seam.now += 7200
        page = await client.leaderboards.list("weekly")
        assert page.records == ()
        assert len(logins) == 1
        assert client.session is logins[0]
        assert seam.seen_auth[-1] == f"Bearer {logins[0].token}"  # the new token, not the old


async def test_session_updated_hook_and_persistence(seam: NakamaSeam, tmp_path: Path) -> None:
    seen: list[Session | None] = []
    async with seam_client(seam, data_dir=tmp_path, session_updated=seen.append) as client:
        first = await client.auth.device("device-0001-abcdef")
        second = await client.auth.refresh()
        assert seen == [first, second]
    async with seam_client(seam, data_dir=tmp_path) as again:
        restored = await again.auth.restore()
        assert restored == second
        await again.leaderboards.list("weekly")  # a restored session works (nakama-godot #207)
        await again.auth.logout()
        assert again.session is None
    async with seam_client(seam, data_dir=tmp_path) as third:
        assert await third.auth.restore() is None


async def test_5xx_on_reads_retries_with_injected_sleep(
    seam: NakamaSeam, client: Client, sleeps: Sleeps
) -> None:
    await client.auth.device("device-0001-abcdef")
    failures = iter([503, 502])

    def flaky(request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET":
            return None
        status = next(failures, None)
        return None if status is None else seam.error(status, 14, "unavailable")

    seam.scripts.append(flaky)
    await client.leaderboards.list("weekly")
    assert seam.calls[LIST] == 3
    assert sleeps.delays == [0.5, 1.0]


async def test_429_waits_retry_after(seam: NakamaSeam, client: Client, sleeps: Sleeps) -> None:
    await client.auth.device("device-0001-abcdef")
    answers = iter([True])

    def limited(request: HttpRequest) -> HttpResponse | None:
        if request.method == "GET" and next(answers, False):
            return seam.error(429, 8, "rate limited", {"Retry-After": "4"})
        return None

    seam.scripts.append(limited)
    await client.leaderboards.list("weekly")
    assert sleeps.delays == [4.0]


async def test_increment_without_key_support_is_outcome_unknown(
    seam: NakamaSeam, client: Client, sleeps: Sleeps
) -> None:
    await client.auth.device("device-0001-abcdef")
    seam.scripts.append(
        lambda r: (
            seam.error(503, 14, "down") if r.method == "POST" and "leader" in r.url.path else None
        )
    )
    with pytest.raises(OutcomeUnknown) as info:
        await client.leaderboards.write("kills", 1, operator="incr", idempotency_key="k-42")
    assert info.value.idempotency_key == "k-42"
    assert seam.calls[WRITE] == 1  # never resent blindly
    assert sleeps.delays == []


async def test_increment_is_resent_once_keys_are_echoed(seam: NakamaSeam, client: Client) -> None:
    await client.auth.device("device-0001-abcdef")
    keys: list[str] = []
    failures = iter([False])

    def echoing(request: HttpRequest) -> HttpResponse | None:
        if request.method != "POST" or "leader" not in request.url.path:
            return None
        key = request.headers["Idempotency-Key"]
        keys.append(key)
        echo = {"Idempotency-Key": key}
        if next(failures, False):
            return seam.error(503, 14, "down", echo)
        return json_response({"leaderboard_id": "kills", "score": "1"}, headers=echo)

    seam.scripts.append(echoing)
    await client.leaderboards.write("weekly", 5, operator="best")  # teaches: keys echoed
    assert client.server_honours_idempotency_keys
    failures = iter([True])
    rec = await client.leaderboards.write("kills", 1, operator="incr")
    assert rec.score == 1
    assert len(keys) == 3
    assert keys[1] == keys[2]  # the resend carried the same key


@pytest.mark.parametrize(
    ("status", "ctype", "body", "exc"),
    [
        (200, "application/json", b"{garbage", ProtocolError),
        (200, "text/html", b"<html>ok</html>", ProtocolError),
        (502, "text/html", b"<html><h1>502 Bad Gateway</h1></html>", ServerError),
    ],
)
async def test_bodies_no_real_server_sends(
    seam: NakamaSeam, client: Client, status: int, ctype: str, body: bytes, exc: type[Exception]
) -> None:
    await client.auth.device("device-0001-abcdef")
    seam.scripts.append(
        lambda r: HttpResponse(status, {"Content-Type": ctype}, body) if r.method == "GET" else None
    )
    with pytest.raises(exc):
        await client.leaderboards.list("weekly")


async def test_garbage_answer_to_an_increment_is_outcome_unknown(
    seam: NakamaSeam, client: Client
) -> None:
    await client.auth.device("device-0001-abcdef")
    seam.scripts.append(
        lambda r: (
            HttpResponse(200, {"Content-Type": "application/json"}, b"{oops")
            if r.method == "POST" and "leader" in r.url.path
            else None
        )
    )
    with pytest.raises(OutcomeUnknown):
        await client.leaderboards.write("kills", 1, operator="incr")


async def test_registers_close_with_the_runner(seam: NakamaSeam) -> None:
    closers: list[Callable[[], Awaitable[object]]] = []

    class Runner:
        def on_close(self, fn: Callable[[], Awaitable[object]]) -> None:
            closers.append(fn)

    token = runner_var.set(Runner())
    try:
        client = seam_client(seam)
        await client.auth.device("device-0001-abcdef")
    finally:
        runner_var.reset(token)
    assert closers == [client.close]
    await closers[0]()
    assert client.state.value == "closed"


async def test_no_token_in_logs_errors_or_reprs(
    seam: NakamaSeam, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gameservices")
    texts: list[str] = []
    session = await client.auth.device("device-0001-abcdef")
    await client.leaderboards.list("weekly")
    seam.now += 3600
    await client.leaderboards.list("weekly")  # 401 -> refresh -> resend
    seam.now += 7200
    try:
        await client.leaderboards.list("weekly")
    except SessionExpired as exc:
        texts += [str(exc), repr(exc), str(exc.__cause__), repr(exc.__cause__)]
    texts += [repr(session), repr(client), str(session)]
    logged = caplog.text + "\n".join(texts)
    assert "refreshing" in logged  # the logs did capture the flow
    for secret in seam.issued:
        assert secret not in logged
        assert secret.split(".")[1] not in logged
    assert "defaultkey" not in logged


async def test_a_write_that_may_have_applied_ends_as_outcome_unknown(
    seam: NakamaSeam, client: Client, sleeps: Sleeps
) -> None:
    await client.auth.device("device-0001-abcdef")
    answers = iter([503])

    def ambiguous_then_limited(request: HttpRequest) -> HttpResponse | None:
        if request.method != "POST" or "leader" not in request.url.path:
            return None
        status = next(answers, 429)
        headers = {"Idempotency-Key": request.headers["Idempotency-Key"], "Retry-After": "1"}
        return seam.error(status, 14 if status == 503 else 8, "busy", headers)

    seam.scripts.append(ambiguous_then_limited)
    with pytest.raises(OutcomeUnknown) as info:
        await client.leaderboards.write("kills", 1, operator="incr", idempotency_key="k-7")
    assert info.value.idempotency_key == "k-7"
    assert isinstance(info.value.__cause__, RateLimited)  # the last answer, after a 503
    assert seam.calls[WRITE] == 4


async def test_short_lived_tokens_do_not_refresh_on_every_call(
    seam: NakamaSeam, client: Client
) -> None:
    seam.token_expiry = 120  # shorter than the 5-minute window
    await client.auth.device("device-0001-abcdef")
    for _ in range(3):
        await client.leaderboards.list("weekly")
    assert seam.calls[REFRESH] == 0
    seam.now += 61  # past half the token's life
    await client.leaderboards.list("weekly")
    await client.leaderboards.list("weekly")
    assert seam.calls[REFRESH] == 1


async def test_a_broken_session_hook_is_logged_not_raised(
    seam: NakamaSeam, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(session: Session | None) -> None:
        raise RuntimeError("hook bug")

    async with seam_client(seam, session_updated=broken) as client:
        session = await client.auth.device("device-0001-abcdef")
    assert session.username == "ada"
    assert "session_updated hook raised" in caplog.text


async def test_closed_client_and_other_loops_are_usage_errors() -> None:
    async with ReferenceServer() as server:  # the aiohttp transport binds to its loop
        client = Client(server.url)
        await _closed_and_other_loops(client)


async def _closed_and_other_loops(client: Client) -> None:
    await client.auth.device("device-0001-abcdef")

    def from_another_loop() -> BaseException | None:
        try:
            asyncio.run(client.leaderboards.list("weekly"))
        except UsageError as exc:
            return exc
        return None

    assert isinstance(await asyncio.to_thread(from_another_loop), UsageError)
    await client.close()
    await client.close()  # idempotent
    with pytest.raises(UsageError, match="closed"):
        await client.leaderboards.list("weekly")
    with pytest.raises(UsageError, match="allow_insecure"):
        Client("http://game.example.com")


async def test_big_pages_are_parsed_off_the_loop_thread(seam: NakamaSeam, client: Client) -> None:
    await client.auth.device("device-0001-abcdef")
    record = {"leaderboard_id": "weekly", "owner_id": "o" * 36, "score": "1", "rank": "1"}
    big = {"records": [record] * 3000}  # about 300 KB of JSON
    seam.scripts.append(lambda r: json_response(big) if r.method == "GET" else None)
    where = await client.send(
        api.list_records("weekly", limit=1000), lambda d: threading.get_ident()
    )
    assert where != threading.get_ident()
    page = await client.leaderboards.list("weekly", limit=1000)
    assert len(page.records) == 3000
    seam.scripts.clear()
    small = await client.send(api.list_records("weekly"), lambda d: threading.get_ident())
    assert small == threading.get_ident()


async def test_a_providers_refusal_earns_no_refresh(seam: NakamaSeam, client: Client) -> None:
    """Nakama's 401 for credentials it could not verify is about the credentials, not the
    session: raised at once, with no refresh and no resend."""
    session = await client.auth.device("device-0001-abcdef")
    refused = "Could not authenticate Google profile."
    link = "POST /v2/account/link/google"
    seam.scripts.append(
        lambda r: seam.error(401, 16, refused) if r.url.path.endswith("/google") else None
    )
    with pytest.raises(AuthError) as info:
        await client.auth.link_google("a-google-id-token")
    assert (info.value.status, info.value.code, info.value.message) == (401, 16, refused)
    assert (seam.calls[link], seam.calls[REFRESH]) == (1, 0)
    assert client.session is session
