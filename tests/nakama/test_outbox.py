"""The durable outbox (``leaderboards.submit`` + ``outbox.flush``) on both servers, and the game
loop's view: a ``TickRunner`` driving the client from a game thread."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gameservices import (
    Client,
    LeaderboardRecordList,
    NotFound,
    TickRunner,
)
from gameservices.testing import tick_until

from .support import Target, device_id


async def my_record(client: Client, board: str) -> tuple[int, int, int]:
    session = client.session
    assert session is not None
    page = await client.leaderboards.list(board, limit=1, owner_ids=[session.user_id])
    (record,) = page.owner_records
    return record.score, record.subscore, record.num_score


async def test_submitted_increments_are_delivered_in_order(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await client.auth.device(device_id())
        subs = [await client.leaderboards.submit("gs_incr", n, subscore=1) for n in (1, 2, 3)]
        assert [s.seq for s in subs] == [1, 2, 3]
        await client.outbox.flush(timeout=30)
        assert await client.outbox.pending() == []
        assert await client.outbox.dead_letters() == []
        assert await my_record(client, "gs_incr") == (6, 3, 3)


@pytest.mark.parametrize(
    ("board", "operator", "scores", "expected"),
    [
        ("gs_best_desc", None, [30, 10, 20], 30),
        ("gs_best_asc", None, [30, 10, 20], 10),
        ("gs_set", None, [30, 10, 20], 20),
        ("gs_decr", None, [30, 10, 20], 0),
        ("gs_best_desc", "set", [30, 10, 20], 20),
        ("gs_set", "incr", [30, 10, 20], 60),
    ],
)
async def test_submitted_scores_apply_the_operator(
    target: Target,
    tmp_path: Path,
    board: str,
    operator: str | None,
    scores: list[int],
    expected: int,
) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await client.auth.device(device_id())
        for score in scores:
            await client.leaderboards.submit(board, score, operator=operator)
        await client.outbox.flush(timeout=30)
        score, _, _ = await my_record(client, board)
        assert score == expected


async def test_submitted_metadata_arrives(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        me = await client.auth.device(device_id())
        await client.leaderboards.submit("gs_best_desc", 9, metadata={"map": "dunes", "laps": 3})
        await client.outbox.flush(timeout=30)
        page = await client.leaderboards.list("gs_best_desc", limit=1, owner_ids=[me.user_id])
        assert page.owner_records[0].metadata == {"map": "dunes", "laps": 3}


async def test_a_refused_submit_becomes_a_dead_letter(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await client.auth.device(device_id())
        await client.leaderboards.submit("gs_no_such_board", 1)
        queued = await client.leaderboards.submit("gs_incr", 4)
        with pytest.raises(NotFound):
            await client.outbox.flush(timeout=30)
        await client.outbox.flush(timeout=30)  # the entry behind the dead letter still goes
        (dead,) = await client.outbox.dead_letters()
        assert (dead.board, dead.score) == ("gs_no_such_board", 1)
        assert "Leaderboard not found." in (dead.last_error or "")
        assert await client.outbox.pending() == []
        assert await my_record(client, "gs_incr") == (4, 0, 1)
        assert queued.seq == dead.seq + 1
        assert await client.outbox.purge_dead_letters() == 1


async def test_queued_scores_survive_a_restart(target: Target, tmp_path: Path) -> None:
    device = device_id()
    async with target.client(data_dir=tmp_path) as first:
        await first.auth.device(device)
        # SET is idempotent: whether or not the first client got it out before closing, the
        # board ends with exactly this score.
        await first.leaderboards.submit("gs_set", 77)
    async with target.client(data_dir=tmp_path) as second:
        assert await second.auth.restore() is not None
        await second.outbox.flush(timeout=30)
        assert await second.outbox.pending() == []
        score, _, _ = await my_record(second, "gs_set")
        assert score == 77


async def test_a_tick_runner_drives_the_client(target: Target, tmp_path: Path) -> None:
    """The README's loop: coroutines submitted to a runner, results delivered by ``tick()`` on
    the game thread (here a worker thread, so this test's loop keeps serving the reference
    server)."""

    async def start(client: Client) -> LeaderboardRecordList:
        me = await client.auth.device(device_id())
        await client.leaderboards.submit("gs_incr", 12)
        await client.outbox.flush(timeout=30)
        return await client.leaderboards.list("gs_incr", limit=1, owner_ids=[me.user_id])

    def game() -> tuple[list[LeaderboardRecordList], list[BaseException]]:
        done: list[LeaderboardRecordList] = []
        errors: list[BaseException] = []
        runner = TickRunner(mode="thread")
        try:
            client = target.client(data_dir=tmp_path)
            runner.submit(start(client), on_done=done.append, on_error=errors.append)
            tick_until(runner, lambda: bool(done or errors), wait=30)
        finally:
            runner.close()  # also closes the client
        return done, errors

    done, errors = await asyncio.to_thread(game)
    assert errors == []
    (page,) = done
    assert [(r.score, r.num_score) for r in page.owner_records] == [(12, 1)]
