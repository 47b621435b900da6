"""Delivery through an injected send and an injected sleep: nothing here waits for real."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from gameservices import (
    ConnectError,
    InvalidArgument,
    OutcomeUnknown,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
    ServerError,
    SessionExpired,
    StorageError,
    UsageError,
)
from gameservices._outbox.db import OutboxEntry
from gameservices._outbox.outbox import Outbox, is_permanent
from gameservices._outbox.store import OutboxStore


class FakeServer:
    """A send seam: ``failures`` are raised first, in order; then each write is applied."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.attempts: list[OutboxEntry] = []
        self.applied: dict[str, int] = {}  # idempotency key -> score, like our server

    async def send(self, entry: OutboxEntry) -> None:
        self.attempts.append(entry)
        if self.failures:
            raise self.failures.pop(0)
        self.applied.setdefault(entry.idempotency_key, entry.score)


class FakeSleep:
    """Records delays; returns at once unless ``block`` is set (then waits for a kick/cancel)."""

    def __init__(self, *, block: bool = False) -> None:
        self.delays: list[float] = []
        self.block = block

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.block:
            await asyncio.Event().wait()


def _outbox(
    path: Path, send: Callable[[OutboxEntry], Awaitable[object]], sleep: FakeSleep
) -> Outbox:
    retry = RetryPolicy(base=0.5, cap=8.0, sleep=sleep, random=lambda: 1.0)
    return Outbox(OutboxStore(path), send, retry=retry)


def _api(cls: type[Exception], status: int, **kw: object) -> Exception:
    return cls("refused", status=status, **kw)


async def test_retry_then_success_resends_the_same_key(tmp_path: Path) -> None:
    server, sleep = FakeServer(_api(ServerError, 503), OutcomeUnknown("lost")), FakeSleep()
    outbox = _outbox(tmp_path, server.send, sleep)
    sub = await outbox.submit("kills", 1, operator="incr")
    await outbox.flush()
    assert [a.idempotency_key for a in server.attempts] == [sub.idempotency_key] * 3
    assert server.applied == {sub.idempotency_key: 1}
    assert sleep.delays == [0.5, 1.0]  # full jitter with random() == 1: base * 2**n
    assert await outbox.pending() == []
    await outbox.close()


async def test_an_offline_period_backs_off_to_the_cap_then_delivers_in_order(
    tmp_path: Path,
) -> None:
    server, sleep = FakeServer(*[ConnectError("refused")] * 8), FakeSleep()
    outbox = _outbox(tmp_path, server.send, sleep)
    subs = [await outbox.submit("weekly", n) for n in range(3)]
    await outbox.flush()
    assert sleep.delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert list(server.applied) == [s.idempotency_key for s in subs]
    assert [a.seq for a in server.attempts] == [1] * 9 + [2, 3]
    await outbox.close()


async def test_failed_attempts_are_recorded_on_the_entry(tmp_path: Path) -> None:
    server, sleep = FakeServer(ConnectError("refused"), ConnectError("refused")), FakeSleep()
    outbox = _outbox(tmp_path, server.send, sleep)
    await outbox.submit("weekly", 5)
    await outbox.flush()
    third = server.attempts[2]  # each attempt reads the entry from disk afresh
    assert (third.attempts, third.last_error) == (2, "ConnectError: refused")
    await outbox.close()


async def test_a_permanent_failure_is_dead_lettered_and_flush_raises_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    refused = _api(InvalidArgument, 400)

    async def send(entry: OutboxEntry) -> None:
        if entry.score == 2:
            raise refused
        server.applied[entry.idempotency_key] = entry.score

    server, sleep = FakeServer(), FakeSleep()
    outbox = _outbox(tmp_path, send, sleep)
    for n in (1, 2, 3):
        await outbox.submit("weekly", n)
    with pytest.raises(InvalidArgument) as info:
        await outbox.flush()
    assert info.value is refused
    assert sorted(server.applied.values()) == [1, 3]  # the queue moved past the bad entry
    (dead,) = await outbox.dead_letters()
    assert (dead.score, dead.dead, dead.attempts) == (2, True, 1)
    assert dead.last_error is not None
    assert "HTTP 400" in dead.last_error
    assert await outbox.pending() == []
    assert "refused score #2" in caplog.text
    await outbox.flush()  # the failure belonged to the previous flush
    assert await outbox.purge_dead_letters() == 1
    assert sleep.delays == []  # a permanent failure is not retried
    await outbox.close()


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        ("leaderboard", "score #1 for board 'weekly'"),
        ("tournament", "score #1 for tournament 'weekly'"),
        ("event", "event #1 'weekly'"),
    ],
)
async def test_log_lines_name_the_entry_by_its_kind(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str, named: str
) -> None:
    server, sleep = FakeServer(ConnectError("refused"), _api(InvalidArgument, 400)), FakeSleep()
    outbox = _outbox(tmp_path, server.send, sleep)
    caplog.set_level("INFO", logger="gameservices.outbox")
    await outbox.submit("weekly", 0, kind=kind)
    with pytest.raises(InvalidArgument):
        await outbox.flush()
    assert f"outbox: {named} not sent yet (1 failures in a row)" in caplog.text
    assert f"the server refused {named} for good" in caplog.text
    await outbox.close()


async def test_without_a_data_dir_the_refusal_names_the_call(tmp_path: Path) -> None:
    outbox = Outbox(None, FakeServer().send)
    with pytest.raises(UsageError, match=r"^events\.send needs Client\(data_dir=\.\.\.\)"):
        await outbox.submit("level_end", 0, kind="event")
    with pytest.raises(UsageError, match=r"^tournaments\.submit needs"):
        await outbox.submit("cup", 1, kind="tournament")


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (_api(InvalidArgument, 400), True),
        (_api(ServerError, 404), True),
        (_api(ServerError, 409), True),
        (_api(SessionExpired, 401), False),
        (_api(ServerError, 408), False),
        (_api(RateLimited, 429), False),
        (_api(ServerError, 500), False),
        (ConnectError("down"), False),
        (OutcomeUnknown("lost"), False),
        (RuntimeError("bug"), False),
    ],
)
def test_only_a_refusal_by_the_server_is_permanent(exc: Exception, permanent: bool) -> None:
    assert is_permanent(exc) is permanent


async def test_429_waits_at_least_retry_after(tmp_path: Path) -> None:
    server, sleep = FakeServer(_api(RateLimited, 429, retry_after=30.0)), FakeSleep()
    outbox = _outbox(tmp_path, server.send, sleep)
    await outbox.submit("weekly", 1)
    await outbox.flush()
    assert sleep.delays == [30.0]
    await outbox.close()


async def test_a_bug_in_send_is_logged_and_retried_not_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server, sleep = FakeServer(KeyError("oops")), FakeSleep()
    outbox = _outbox(tmp_path, server.send, sleep)
    await outbox.submit("weekly", 1)
    await outbox.flush()
    assert len(server.applied) == 1
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)
    await outbox.close()


async def test_entries_from_a_previous_run_are_sent_on_start(tmp_path: Path) -> None:
    async def never(entry: OutboxEntry) -> None:
        await asyncio.Event().wait()  # the "previous run" never reaches the server

    first = _outbox(tmp_path, never, FakeSleep())
    subs = [await first.submit("weekly", n) for n in range(3)]
    await first.close()  # cancels the in-flight send; entries stay on disk

    server = FakeServer()
    second = _outbox(tmp_path, server.send, FakeSleep())
    await second.start()
    await second.flush()
    assert list(server.applied) == [s.idempotency_key for s in subs]
    await second.close()


async def test_flush_kicks_a_long_backoff(tmp_path: Path) -> None:
    server, sleep = FakeServer(ConnectError("offline")), FakeSleep(block=True)
    outbox = _outbox(tmp_path, server.send, sleep)
    await outbox.submit("weekly", 1)
    await outbox.flush()  # the blocked backoff ends because flush asks to retry now
    assert len(sleep.delays) == 1
    assert len(server.applied) == 1
    await outbox.close()


async def test_flush_times_out_while_offline_with_a_clear_error(tmp_path: Path) -> None:
    server, sleep = FakeServer(*[ConnectError("offline")] * 3), FakeSleep(block=True)
    outbox = _outbox(tmp_path, server.send, sleep)
    await outbox.submit("weekly", 1)
    with pytest.raises(RequestTimeout, match=r"1 entries pending \(last error: offline\)"):
        await outbox.flush(timeout=0.05)
    assert len(await outbox.pending()) == 1
    await outbox.close()


async def test_close_stops_delivery_cleanly_and_flush_after_close_is_a_usage_error(
    tmp_path: Path,
) -> None:
    started = asyncio.Event()

    async def hang(entry: OutboxEntry) -> None:
        started.set()
        await asyncio.Event().wait()

    outbox = _outbox(tmp_path, hang, FakeSleep())
    await outbox.submit("weekly", 1)
    flushing = asyncio.ensure_future(outbox.flush())
    await started.wait()
    await outbox.close()
    with pytest.raises(UsageError, match="closed while its outbox was flushing"):
        await flushing
    with pytest.raises(UsageError, match="closed"):
        await outbox.submit("weekly", 2)
    await outbox.close()  # idempotent


async def test_cancelling_flush_propagates(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path, FakeServer(ConnectError("x")).send, FakeSleep(block=True))
    await outbox.submit("weekly", 1)
    flushing = asyncio.ensure_future(outbox.flush())
    await asyncio.sleep(0)
    flushing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await flushing
    await outbox.close()


async def test_delivery_runs_outside_the_submitters_context(tmp_path: Path) -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    seen: list[str] = []

    async def send(entry: OutboxEntry) -> None:
        seen.append(var.get())

    outbox = _outbox(tmp_path, send, FakeSleep())
    var.set("runner task")
    await outbox.submit("weekly", 1)
    await outbox.flush()
    assert seen == ["unset"]
    await outbox.close()


async def test_without_a_data_dir_submit_is_refused_and_the_rest_is_empty() -> None:
    outbox = Outbox(None, FakeServer().send)
    with pytest.raises(UsageError, match="data_dir"):
        await outbox.submit("weekly", 1)
    assert await outbox.pending() == []
    await outbox.flush()
    await outbox.close()


async def test_start_without_an_outbox_file_creates_nothing(tmp_path: Path) -> None:
    outbox = _outbox(tmp_path / "data", FakeServer().send, FakeSleep())
    await outbox.start()
    assert not await asyncio.to_thread((tmp_path / "data").exists)
    await outbox.close()


async def test_start_logs_storage_trouble_and_submit_raises_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = _outbox(tmp_path, FakeServer(ConnectError("x")).send, FakeSleep(block=True))
    await holder.submit("weekly", 1)  # holds the file's exclusive lock
    second = _outbox(tmp_path, FakeServer().send, FakeSleep())
    await second.start()  # does not raise: the game can still play online
    assert "cannot resume sending" in caplog.text
    with pytest.raises(StorageError, match="in use by another process or client"):
        await second.submit("weekly", 2)
    await second.close()
    await holder.close()
