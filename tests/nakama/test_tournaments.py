"""Tournaments through the public ``Client`` on both servers: listing with filters and cursors,
writes with each operator, joins, attempts, max size, authoritative, future, ended and
resetting tournaments, records and records around an owner, deletes, and the durable outbox.

The tournaments are ``support.TOURNAMENTS`` (the Lua module creates the same on Nakama). They
live as long as the Nakama does, so every test plays with fresh players and looks only at its
own records (``owner_ids``, around its own player); no test assumes an empty tournament.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gameservices import AuthError, Client, InvalidArgument, NotFound, Operator, Tournament

from .support import TOURNAMENTS, Target, daily_open, device_id

FAILED_PRECONDITION = 9


async def player(client: Client) -> str:
    session = await client.auth.device(device_id())
    return session.user_id


async def mine(client: Client, tournament_id: str) -> tuple[int, int, int]:
    me = client.session
    assert me is not None
    page = await client.tournaments.records(tournament_id, owner_ids=[me.user_id])
    (record,) = page.owner_records
    return record.score, record.subscore, record.num_score


async def suite_tournaments(client: Client, **filters: int) -> dict[str, Tournament]:
    return {t.id: t async for t in client.tournaments.iterate(**filters) if t.id in TOURNAMENTS}


async def test_listing_shows_each_tournament_as_defined(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        found = await suite_tournaments(client)
        small = found["gs_t_small"]
        if small.next_reset - small.prev_reset != 60:  # a minute's edge fell between the two
            found = await suite_tournaments(client)  # (seen once on Nakama): read them again
    assert "gs_t_ended" not in found  # the default listing: current and future ones only
    assert set(found) == set(TOURNAMENTS) - {"gs_t_ended"}
    best, future, small = found["gs_t_best"], found["gs_t_future"], found["gs_t_small"]
    assert (best.title, best.description, best.category) == ("Best of", "gameservices suite", 1)
    assert (best.operator, best.sort_order.name) == (Operator.BEST, "DESCENDING")
    assert best.can_enter
    assert best.metadata == {"suite": "gameservices"}
    assert (best.max_size, best.max_num_score) == (2**31 - 1, 1_000_000)  # Nakama's defaults
    assert best.duration == 315_360_000
    assert best.end_time is None
    assert best.next_reset == 0
    assert best.start_time is not None
    assert best.start_active == int(best.start_time.timestamp())
    assert found["gs_t_asc"].operator is Operator.SET
    assert found["gs_t_tries"].max_num_score == 2
    assert found["gs_t_join"].join_required
    assert found["gs_t_auth"].authoritative
    assert not future.can_enter
    assert future.start_active == 4102444800
    assert future.end_active == 4102444800 + 3600
    assert small.max_size == 2
    assert small.next_reset - small.prev_reset == 60
    assert small.end_active == small.next_reset  # a 60 s duration fills each minute
    daily = found["gs_t_daily"]
    assert daily.next_reset - daily.end_active == 23 * 3600  # active 12:00-13:00 UTC


async def test_filters_select_by_category_and_time(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        ended = await suite_tournaments(client, category_start=6, category_end=6, end_time=3)
        endless = await suite_tournaments(client, category_start=6, category_end=6, end_time=0)
        later = await suite_tournaments(client, start_time=4102444800)
        four = await suite_tournaments(client, category_start=4, category_end=4)
    assert list(ended) == ["gs_t_ended"]
    assert (ended["gs_t_ended"].end_active, ended["gs_t_ended"].next_reset) == (2, 2)
    assert list(endless) == ["gs_t_future"]
    assert list(later) == ["gs_t_future"]
    assert sorted(four) == ["gs_t_daily", "gs_t_small"]


async def test_pages_follow_the_cursor_without_repeats(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        whole = await client.tournaments.list()
        first = await client.tournaments.list(limit=2)
        second = await client.tournaments.list(limit=2, cursor=first.cursor)
        walked = [t.id async for t in client.tournaments.iterate(page_size=3)]
    assert whole.cursor is None
    assert first.cursor is not None
    assert len(first.tournaments) == 2
    ids = [t.id for t in whole.tournaments]
    assert [t.id for t in (*first.tournaments, *second.tournaments)] == ids[:4]
    assert walked == ids


async def test_list_arguments_are_checked_before_sending(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        with pytest.raises(InvalidArgument, match="greater than category start"):
            await client.tournaments.list(category_start=5, category_end=3)
        with pytest.raises(ValueError, match="category_end must be an int between 0 and 127"):
            await client.tournaments.list(category_end=128)
        with pytest.raises(ValueError, match="limit must be an int between 1 and 100"):
            await client.tournaments.list(limit=101)


async def test_best_keeps_the_better_score_and_counts_every_attempt(target: Target) -> None:
    async with target.client() as client:
        me = await player(client)
        first = await client.tournaments.write("gs_t_best", 10, subscore=2, metadata={"a": 1})
        worse = await client.tournaments.write("gs_t_best", 5, metadata={"b": 2})
        assert (first.score, first.subscore, first.num_score) == (10, 2, 1)
        assert (worse.score, worse.subscore, worse.num_score) == (10, 2, 2)
        assert worse.metadata == {"b": 2}  # a tournament write always counts, metadata too
        assert worse.leaderboard_id == "gs_t_best"
        assert worse.owner_id == me
        assert worse.expiry_time is None
        assert worse.max_num_score == 1_000_000
        assert worse.rank >= 1
        around = await client.tournaments.around("gs_t_best", limit=3)
        assert me in [r.owner_id for r in around.records]
        assert around.prev_cursor == around.next_cursor  # as Nakama answers it
        assert await mine(client, "gs_t_best") == (10, 2, 2)


@pytest.mark.parametrize(
    ("tournament", "operator", "scores", "expected"),
    [
        ("gs_t_asc", None, [30, 10, 20], 20),  # SET, ascending
        ("gs_t_incr", None, [30, 10, 20], 60),
        ("gs_t_best", "decr", [30, 10], 0),  # a first DECREMENT stores 0
        ("gs_t_best", Operator.SET, [30, 10], 10),
    ],
)
async def test_operators(
    target: Target, tournament: str, operator: str | None, scores: list[int], expected: int
) -> None:
    async with target.client() as client:
        await player(client)
        for score in scores:
            record = await client.tournaments.write(tournament, score, operator=operator)
        assert (record.score, record.num_score) == (expected, len(scores))


async def test_a_tournament_that_must_be_joined(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        with pytest.raises(InvalidArgument, match="Must join tournament") as refused:
            await client.tournaments.write("gs_t_join", 5)
        assert refused.value.code == FAILED_PRECONDITION
        await client.tournaments.join("gs_t_join")
        await client.tournaments.join("gs_t_join")  # again: nothing changes
        assert await mine(client, "gs_t_join") == (0, 0, 0)  # joining makes an empty record
        record = await client.tournaments.write("gs_t_join", 7)
        assert (record.score, record.num_score) == (7, 1)
        await client.tournaments.join("gs_t_best")  # no join needed: accepted, nothing made
        page = await client.tournaments.records("gs_t_best", owner_ids=[record.owner_id])
        assert page.owner_records == ()


async def test_attempts_are_limited_by_max_num_score(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        await client.tournaments.write("gs_t_tries", 5)
        second = await client.tournaments.write("gs_t_tries", 3)
        assert (second.score, second.num_score, second.max_num_score) == (5, 2, 2)
        with pytest.raises(InvalidArgument, match="max number of score attempts"):
            await client.tournaments.write("gs_t_tries", 8)
        assert await mine(client, "gs_t_tries") == (5, 0, 2)


async def test_tournaments_that_take_no_scores(target: Target) -> None:
    async with target.client() as client:
        await player(client)
        with pytest.raises(AuthError, match="only allows authoritative") as auth:
            await client.tournaments.write("gs_t_auth", 1)
        assert auth.value.status == 403
        # Not started, and between its daily windows (when the run is not inside one).
        for closed in ("gs_t_future",) if daily_open() else ("gs_t_future", "gs_t_daily"):
            with pytest.raises(InvalidArgument, match="not active") as inactive:
                await client.tournaments.write(closed, 1)
            assert inactive.value.code == FAILED_PRECONDITION
        assert (await client.tournaments.records("gs_t_future")).records == ()
        with pytest.raises(NotFound, match="Tournament not found or has ended"):
            await client.tournaments.write("gs_t_ended", 1)
        with pytest.raises(NotFound, match="Tournament has ended"):
            await client.tournaments.records("gs_t_ended")
        with pytest.raises(InvalidArgument, match="cannot accept new joins"):
            await client.tournaments.join("gs_t_ended")
        assert (await client.tournaments.records("gs_t_ended", expiry=2)).records == ()


async def test_unknown_tournaments_are_not_found(target: Target) -> None:
    async with target.client() as client:
        me = await player(client)
        for call in (
            client.tournaments.write("gs_t_nope", 1),
            client.tournaments.join("gs_t_nope"),
            client.tournaments.records("gs_t_nope"),
            client.tournaments.around("gs_t_nope", me),
        ):
            with pytest.raises(NotFound, match="Tournament not found"):
                await call


async def test_a_deleted_record_is_gone(target: Target) -> None:
    async with target.client() as client:
        me = await player(client)
        await client.tournaments.write("gs_t_best", 3)
        await client.tournaments.delete("gs_t_best")
        page = await client.tournaments.records("gs_t_best", owner_ids=[me])
        assert page.owner_records == ()
        assert (await client.tournaments.around("gs_t_best")).records == ()


async def test_max_size_counts_the_players_of_each_period(target: Target) -> None:
    """gs_t_small takes two players a minute (an earlier run may have taken seats this minute
    already). Should the minute turn during the test (Nakama runs on the wall clock), the new
    period has room again: the test then plays once more."""

    async def small(client: Client) -> Tournament:
        return (await suite_tournaments(client, category_start=4, category_end=4))["gs_t_small"]

    for _ in range(3):
        clients = [target.client() for _ in range(3)]
        try:
            for client in clients:
                await player(client)
            before = await small(clients[0])
            joined, refused = 0, None
            for client in clients:
                try:
                    await client.tournaments.join("gs_t_small")
                except InvalidArgument as exc:
                    refused = exc
                    break
                joined += 1
            after = await small(clients[0])
        finally:
            for client in clients:
                await client.close()
        if after.next_reset != before.next_reset:
            continue  # the minute turned
        assert refused is not None
        assert "reached its max size" in refused.message
        assert joined == 2 - before.size
        assert (after.size, after.can_enter) == (2, False)
        return
    pytest.fail("the minute turned in three tries in a row")


async def test_submitted_tournament_scores_arrive_once(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await player(client)
        first = await client.tournaments.submit("gs_t_incr", 4, subscore=1)
        second = await client.tournaments.submit("gs_t_incr", 6)
        assert (first.seq, second.seq) == (1, 2)
        (pending, _) = await client.outbox.pending()
        assert (pending.kind, pending.board) == ("tournament", "gs_t_incr")
        await client.outbox.flush(timeout=30)
        assert await client.outbox.pending() == []
        assert await mine(client, "gs_t_incr") == (10, 1, 2)


async def test_a_refused_tournament_submit_is_a_dead_letter(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as client:
        await player(client)
        await client.tournaments.submit("gs_t_join", 5)  # not joined: refused for good
        with pytest.raises(InvalidArgument, match="Must join"):
            await client.outbox.flush(timeout=30)
        (dead,) = await client.outbox.dead_letters()
        assert dead.kind == "tournament"
        assert "Must join" in (dead.last_error or "")
