"""The outbox wired to the real client and the real reference server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gameservices import (
    Client,
    ConnectError,
    NotFound,
    OutboxEntry,
    OutcomeUnknown,
    RequestTimeout,
    RetryPolicy,
)
from gameservices._lifecycle import Lifecycle
from gameservices.server.faults import Faults
from gameservices.testing import ReferenceServer

DEVICE = "outbox-device-0001"


async def _no_wait(delay: float) -> None:
    return None


RETRY = RetryPolicy(sleep=_no_wait, random=lambda: 0.5)


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer() as server:
        yield server


async def _score(client: Client, board: str) -> tuple[int, int]:
    session = client.session
    assert session is not None
    page = await client.leaderboards.list(board, owner_ids=[session.user_id])
    (record,) = page.owner_records
    return record.score, record.num_score


async def test_submit_is_durable_then_delivered(server: ReferenceServer, tmp_path: Path) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=RETRY) as client:
        await client.auth.device(DEVICE, create=True)
        subs = [await client.leaderboards.submit("kills", n) for n in (1, 2, 3)]
        assert [s.seq for s in subs] == [1, 2, 3]
        await client.outbox.flush(timeout=10)
        assert await client.outbox.pending() == []
        assert await _score(client, "kills") == (6, 3)


async def test_a_resend_after_an_unknown_outcome_is_applied_once(
    server: ReferenceServer, tmp_path: Path
) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=RETRY) as client:
        await client.auth.device(DEVICE, create=True)
        send, keys = client.outbox._send, []

        async def lose_first_answer(entry: OutboxEntry) -> None:
            await send(entry)  # the server applies the write...
            keys.append(entry.idempotency_key)
            if len(keys) == 1:  # ...and its answer is lost on the way back
                raise OutcomeUnknown("the answer was lost", idempotency_key=keys[0])

        client.outbox._send = lose_first_answer
        await client.leaderboards.submit("kills", 5, operator="incr")
        await client.outbox.flush(timeout=10)
        assert len(keys) == 2
        assert keys[0] == keys[1]
        assert await _score(client, "kills") == (5, 1)  # applied once, replayed once


async def _submit_offline(data_dir: Path, count: int) -> None:
    """A run that queues ``count`` INCREMENTs of 1 and ends before any can be delivered."""
    async with ReferenceServer() as gone:
        dead_url = gone.url  # nothing listens there once this block ends
    async with Client(dead_url, data_dir=data_dir, retry=RETRY) as offline:
        for _ in range(count):
            await offline.leaderboards.submit("kills", 1, operator="incr")
        assert len(await offline.outbox.pending()) == count


async def test_entries_left_by_a_run_offline_are_sent_after_login_on_the_next_start(
    server: ReferenceServer, tmp_path: Path
) -> None:
    await _submit_offline(tmp_path, 3)

    async with Client(server.url, data_dir=tmp_path, retry=RETRY) as client:
        await client.auth.device(DEVICE, create=True)  # login wakes the resumed delivery
        await client.outbox.flush(timeout=10)
        assert await _score(client, "kills") == (3, 3)


async def test_a_refused_write_is_dead_lettered_and_the_queue_goes_on(
    server: ReferenceServer, tmp_path: Path
) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=RETRY) as client:
        await client.auth.device(DEVICE, create=True)
        await client.leaderboards.submit("no-such-board", 1)
        await client.leaderboards.submit("kills", 4)
        with pytest.raises(NotFound):
            await client.outbox.flush(timeout=10)
        (dead,) = await client.outbox.dead_letters()
        assert dead.board == "no-such-board"
        assert await _score(client, "kills") == (4, 1)


async def test_server_errors_and_rate_limits_are_ridden_out(tmp_path: Path) -> None:
    faults = Faults(
        error_rate=0.5,
        rate_limit_burst=2,
        rate_limit_every=7,
        retry_after=0,
        seed=3,
        times=8,
        paths=("/v2/leaderboard",),
    )
    async with (
        ReferenceServer(faults=faults) as server,
        Client(server.url, data_dir=tmp_path, retry=RETRY) as client,
    ):
        await client.auth.device(DEVICE, create=True)
        for _ in range(20):
            await client.leaderboards.submit("kills", 1, operator="incr")
        await client.outbox.flush(timeout=20)
        assert (await _score(client, "kills"))[0] == 20


async def test_login_resumes_leftovers_without_async_with(
    server: ReferenceServer, tmp_path: Path
) -> None:
    await _submit_offline(tmp_path, 2)
    client = Client(server.url, data_dir=tmp_path, retry=RETRY)  # used lazily, as via a runner
    assert client.outbox.state is Lifecycle.NEW
    await client.auth.device(DEVICE, create=True)
    assert client.outbox.state is Lifecycle.OPEN  # the login resumed delivery
    await client.outbox.flush(timeout=10)
    assert await _score(client, "kills") == (2, 2)
    await client.close()


async def test_a_score_is_only_ever_credited_to_the_player_who_submitted_it(
    server: ReferenceServer, tmp_path: Path
) -> None:
    async with Client(server.url, data_dir=tmp_path, retry=RETRY) as client:
        ada = await client.auth.device(DEVICE, create=True)
        client.outbox._send, send = _offline, client.outbox._send
        await client.leaderboards.submit("kills", 7)  # queued while offline, owned by ada
        bob = await client.auth.device("outbox-device-0002", create=True)
        client.outbox._send = send  # back online, but bob is logged in
        with pytest.raises(RequestTimeout, match=f"submitted by user {ada.user_id}"):
            await client.outbox.flush(timeout=0.2)
        await client.leaderboards.write("kills", 1)
        assert await _score(client, "kills") == (1, 1)  # bob got nothing of ada's
        await client.auth.device(DEVICE)  # ada again: her score goes out
        await client.outbox.flush(timeout=10)
        assert await _score(client, "kills") == (7, 1)
        assert bob.user_id != ada.user_id


async def _offline(entry: OutboxEntry) -> None:
    raise ConnectError("offline")


async def test_tokens_reach_neither_the_outbox_file_nor_its_logs(
    server: ReferenceServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="gameservices")
    async with Client(server.url, data_dir=tmp_path, retry=RETRY) as client:
        session = await client.auth.device(DEVICE, create=True)
        await client.leaderboards.submit("no-such-board", 1)  # refused: a dead letter
        with pytest.raises(NotFound) as refused:
            await client.outbox.flush(timeout=10)
    stored = await asyncio.to_thread((tmp_path / "outbox.sqlite3").read_bytes)
    wal = tmp_path / "outbox.sqlite3-wal"
    if await asyncio.to_thread(wal.exists):
        stored += await asyncio.to_thread(wal.read_bytes)
    assert b"no-such-board" in stored  # the entry and its error are there...
    for secret in (session.token, session.refresh_token, "defaultkey"):
        assert secret.encode() not in stored  # ...and no credential
        assert secret not in caplog.text
        assert secret not in str(refused.value)
