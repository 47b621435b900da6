"""Leaderboards through the public ``Client`` on both servers: write (BEST, SET, INCREMENT,
DECREMENT, per-write operators), list with cursors and ``owner_ids``, around, iterate, delete,
ascending and descending boards, a board without ranks and one with a weekly reset.

Boards on a long-lived Nakama already hold records from earlier runs. A test that needs the top
of a board therefore scores above (descending) or below (ascending) everything there first
(``Podium``), and counts are compared as differences (``rank_count`` after minus before).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from gameservices import Client, InvalidArgument, LeaderboardRecord, NotFound, ServerError, Session

from .support import BOARDS, Target, device_id

MISSING_BOARD = "gs_no_such_board"
MAX_NUM_SCORE = 1_000_000  # Nakama's default for a board created without a max_num_score


@dataclass(frozen=True)
class Podium:
    """Scores above everything already on a descending board: ``score(0)`` is the best.

    Nakama refuses negative scores (its table has CHECK (score >= 0)), so an ascending board
    cannot be topped that way once some run wrote a 0: ascending tests use a ``Band`` instead.
    """

    base: int
    rank_count: int  # records on the board before the test wrote any

    @classmethod
    async def above(cls, client: Client, board: str) -> Podium:
        assert BOARDS[board].descending
        if client.session is None:
            await new_player(client)
        page = await client.leaderboards.list(board, limit=1)
        top = page.records[0].score if page.records else 0
        return cls(top + 1000, page.rank_count)

    def score(self, place: int) -> int:
        return self.base - place


@dataclass(frozen=True)
class Band:
    """A random run of scores nobody else uses (10^12-10^15), so records written there are
    neighbours on the board whatever else it holds: their ranks are consecutive."""

    base: int

    @classmethod
    def random(cls) -> Band:
        return cls(10**12 + uuid.uuid4().int % (10**15 - 10**12))

    def score(self, offset: int) -> int:
        return self.base + offset


async def new_player(client: Client) -> Session:
    """Log the client in as a player nobody has seen before."""
    return await client.auth.device(device_id())


async def write_as_new_players(
    client: Client, board: str, scores: list[int]
) -> list[LeaderboardRecord]:
    records = []
    for score in scores:
        await new_player(client)
        records.append(await client.leaderboards.write(board, score))
    return records


def summary(records: tuple[LeaderboardRecord, ...] | list[LeaderboardRecord]) -> list[Any]:
    return [(r.owner_id, r.score, r.rank) for r in records]


async def test_write_returns_the_stored_record(target: Target) -> None:
    async with target.client() as client:
        podium = await Podium.above(client, "gs_best_desc")
        me = await new_player(client)
        rec = await client.leaderboards.write(
            "gs_best_desc", podium.score(0), subscore=3, metadata={"lvl": 2, "name": "ada"}
        )
        assert (rec.leaderboard_id, rec.owner_id, rec.username) == (
            "gs_best_desc",
            me.user_id,
            me.username,
        )
        assert (rec.score, rec.subscore, rec.num_score, rec.rank) == (podium.score(0), 3, 1, 1)
        assert rec.metadata == {"lvl": 2, "name": "ada"}
        assert rec.create_time is not None
        assert rec.create_time.tzinfo is not None
        assert rec.update_time == rec.create_time
        assert rec.expiry_time is None  # a board without a reset schedule never expires


async def test_records_carry_max_num_score(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        rec = await client.leaderboards.write("gs_best_desc", 1)
        assert rec.max_num_score == MAX_NUM_SCORE
        page = await client.leaderboards.list("gs_best_desc", limit=1)
        assert page.records[0].max_num_score == MAX_NUM_SCORE


async def test_best_keeps_the_better_score(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        scores = [
            (await client.leaderboards.write("gs_best_desc", s)).score for s in (100, 90, 110)
        ]
        assert scores == [100, 100, 110]


async def test_best_on_an_ascending_board_keeps_the_lower_score(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        scores = [(await client.leaderboards.write("gs_best_asc", s)).score for s in (100, 110, 90)]
        assert scores == [100, 100, 90]


async def test_num_score_counts_only_writes_that_changed_the_record(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        counts = [
            (await client.leaderboards.write("gs_best_desc", s)).num_score for s in (100, 90, 110)
        ]
        assert counts == [1, 1, 2]


async def test_best_takes_the_greater_score_and_subscore_separately(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        await client.leaderboards.write("gs_best_desc", 100, subscore=1)
        rec = await client.leaderboards.write("gs_best_desc", 90, subscore=5)
        assert (rec.score, rec.subscore) == (100, 5)


async def test_set_replaces_in_both_directions(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        results = []
        for score, sub in ((100, 9), (50, 1), (70, 4)):
            rec = await client.leaderboards.write("gs_set", score, subscore=sub)
            results.append((rec.score, rec.subscore, rec.num_score))
        assert results == [(100, 9, 1), (50, 1, 2), (70, 4, 3)]


async def test_increment_adds_score_and_subscore(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        results = []
        for score, sub in ((5, 1), (7, 2), (0, 4)):
            rec = await client.leaderboards.write("gs_incr", score, subscore=sub)
            results.append((rec.score, rec.subscore, rec.num_score))
        assert results == [(5, 1, 1), (12, 3, 2), (12, 7, 3)]


async def test_decrement_subtracts_and_stops_at_zero(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        first = await client.leaderboards.write("gs_decr", 10)
        assert first.score == 0
        up = await client.leaderboards.write("gs_decr", 10, operator="incr")
        down = await client.leaderboards.write("gs_decr", 3)
        floor = await client.leaderboards.write("gs_decr", 20)
        assert [up.score, down.score, floor.score] == [10, 7, 0]


async def test_a_write_may_override_the_board_operator(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        steps = [(100, None), (50, "set"), (5, "incr"), (10, "decr"), (40, "best"), (1, "best")]
        scores = [
            (await client.leaderboards.write("gs_best_desc", s, operator=op)).score
            for s, op in steps
        ]
        assert scores == [100, 50, 55, 45, 45, 45]


async def test_list_pages_the_top_with_cursors(target: Target) -> None:
    async with target.client() as client:
        podium = await Podium.above(client, "gs_best_desc")
        # Written worst first, so the order on the board is not the order of writing.
        mine = await write_as_new_players(
            client, "gs_best_desc", [podium.score(p) for p in (4, 3, 2, 1, 0)]
        )
        best = [(r.owner_id, r.score) for r in reversed(mine)]

        first = await client.leaderboards.list("gs_best_desc", limit=2)
        assert summary(first.records) == [(*best[0], 1), (*best[1], 2)]
        assert first.rank_count == podium.rank_count + 5
        assert first.next_cursor
        assert first.prev_cursor is None
        second = await client.leaderboards.list("gs_best_desc", limit=2, cursor=first.next_cursor)
        assert summary(second.records) == [(*best[2], 3), (*best[3], 4)]
        assert second.prev_cursor
        back = await client.leaderboards.list("gs_best_desc", limit=2, cursor=second.prev_cursor)
        assert summary(back.records) == summary(first.records)


async def test_an_ascending_board_ranks_the_lowest_first(target: Target) -> None:
    band = Band.random()
    async with target.client() as client:
        mine = await write_as_new_players(
            client, "gs_best_asc", [band.score(p) for p in (3, 0, 4, 2, 1)]
        )
        page = await client.leaderboards.list(
            "gs_best_asc", limit=1, owner_ids=[r.owner_id for r in mine]
        )
        ranked = sorted(page.owner_records, key=lambda r: r.rank)
        assert [r.score for r in ranked] == [band.score(p) for p in range(5)]
        first = ranked[0].rank
        assert [r.rank for r in ranked] == list(range(first, first + 5))


async def test_cursors_page_an_ascending_board(target: Target) -> None:
    band = Band.random()
    async with target.client() as client:
        await write_as_new_players(client, "gs_best_asc", [band.score(p) for p in range(5)])
        first = await client.leaderboards.list("gs_best_asc", limit=2)
        assert first.next_cursor
        second = await client.leaderboards.list("gs_best_asc", limit=2, cursor=first.next_cursor)
        assert [r.rank for r in first.records + second.records] == [1, 2, 3, 4]
        scores = [r.score for r in first.records + second.records]
        assert scores == sorted(scores)
        assert second.prev_cursor
        back = await client.leaderboards.list("gs_best_asc", limit=2, cursor=second.prev_cursor)
        assert summary(back.records) == summary(first.records)


async def test_iterate_walks_the_board_in_rank_order(target: Target) -> None:
    async with target.client() as client:
        podium = await Podium.above(client, "gs_best_desc")
        mine = await write_as_new_players(
            client, "gs_best_desc", [podium.score(p) for p in (2, 0, 4, 1, 3)]
        )
        seen: list[LeaderboardRecord] = []
        async with contextlib.aclosing(
            client.leaderboards.iterate("gs_best_desc", page_size=2)
        ) as records:
            async for record in records:
                seen.append(record)
                if len(seen) == 5:
                    break
        by_score = sorted(mine, key=lambda r: -r.score)
        assert [(r.owner_id, r.rank) for r in seen] == [
            (r.owner_id, rank) for rank, r in enumerate(by_score, 1)
        ]


async def test_owner_ids_fill_owner_records(target: Target) -> None:
    async with target.client() as client:
        podium = await Podium.above(client, "gs_best_desc")
        first, second = await write_as_new_players(
            client, "gs_best_desc", [podium.score(0), podium.score(1)]
        )
        silent = await new_player(client)  # has no record on the board
        page = await client.leaderboards.list(
            "gs_best_desc", limit=1, owner_ids=[second.owner_id, silent.user_id, first.owner_id]
        )
        assert summary(page.records) == [(first.owner_id, first.score, 1)]
        assert sorted(summary(page.owner_records)) == sorted(
            [(first.owner_id, first.score, 1), (second.owner_id, second.score, 2)]
        )
        assert page.rank_count == podium.rank_count + 2


@pytest.mark.parametrize(
    ("owner", "limit", "ranks"),
    [(2, 3, [2, 3, 4]), (2, 1, [3]), (2, 2, [3, 4]), (0, 3, [1, 2, 3]), (2, 5, [1, 2, 3, 4, 5])],
)
async def test_around_an_owner(target: Target, owner: int, limit: int, ranks: list[int]) -> None:
    async with target.client() as client:
        podium = await Podium.above(client, "gs_best_desc")
        mine = await write_as_new_players(
            client, "gs_best_desc", [podium.score(p) for p in range(5)]
        )
        page = await client.leaderboards.around("gs_best_desc", mine[owner].owner_id, limit=limit)
        assert [r.rank for r in page.records] == ranks
        assert [r.owner_id for r in page.records] == [mine[rank - 1].owner_id for rank in ranks]
        assert page.rank_count == podium.rank_count + 5


async def test_around_on_an_ascending_board(target: Target) -> None:
    band = Band.random()
    async with target.client() as client:
        mine = await write_as_new_players(client, "gs_best_asc", [band.score(p) for p in (2, 0, 1)])
        # The logged-in player is the last one, with the middle score of the three.
        page = await client.leaderboards.around("gs_best_asc", limit=3)
        assert [r.score for r in page.records] == [band.score(p) for p in (0, 1, 2)]
        ranks = [r.rank for r in page.records]
        assert ranks == list(range(ranks[0], ranks[0] + 3))
        me = await client.leaderboards.around("gs_best_asc", limit=1)
        assert [r.owner_id for r in me.records] == [mine[2].owner_id]


async def test_around_a_player_without_a_record_is_empty(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        page = await client.leaderboards.around("gs_best_desc", limit=3)
        assert page.records == ()


async def test_delete_removes_my_record(target: Target) -> None:
    async with target.client() as client:
        me = await new_player(client)
        await client.leaderboards.write("gs_best_desc", 12)
        before = await client.leaderboards.list("gs_best_desc", limit=1, owner_ids=[me.user_id])
        assert [r.owner_id for r in before.owner_records] == [me.user_id]
        await client.leaderboards.delete("gs_best_desc")
        after = await client.leaderboards.list("gs_best_desc", limit=1, owner_ids=[me.user_id])
        assert after.owner_records == ()
        assert after.rank_count == before.rank_count - 1
        await client.leaderboards.delete("gs_best_desc")  # nothing left to delete: still fine
        again = await client.leaderboards.write("gs_best_desc", 3)  # a fresh record
        assert (again.score, again.num_score) == (3, 1)


async def test_an_unknown_board_is_not_found(target: Target) -> None:
    async with target.client() as client:
        me = await new_player(client)
        calls = [
            client.leaderboards.write(MISSING_BOARD, 1),
            client.leaderboards.list(MISSING_BOARD),
            client.leaderboards.around(MISSING_BOARD, me.user_id),
            client.leaderboards.delete(MISSING_BOARD),
        ]
        for call in calls:
            with pytest.raises(NotFound) as caught:
                await call
            assert (caught.value.status, caught.value.code, caught.value.message) == (
                404,
                5,
                "Leaderboard not found.",
            )


async def test_metadata_round_trips(target: Target) -> None:
    metadata = {"level": 3, "path": ["a", "b"], "nested": {"ok": True, "ratio": 0.5}, "e": "é"}
    async with target.client() as client:
        me = await new_player(client)
        rec = await client.leaderboards.write("gs_best_desc", 5, metadata=metadata)
        assert rec.metadata == metadata
        page = await client.leaderboards.list("gs_best_desc", limit=1, owner_ids=[me.user_id])
        assert page.owner_records[0].metadata == metadata


async def test_a_lower_best_score_keeps_the_old_metadata(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        await client.leaderboards.write("gs_best_desc", 50, metadata={"run": 1})
        rec = await client.leaderboards.write("gs_best_desc", 10, metadata={"run": 2})
        assert (rec.score, rec.metadata) == (50, {"run": 1})


async def test_a_board_without_ranks(target: Target) -> None:
    async with target.client() as client:
        me = await new_player(client)
        rec = await client.leaderboards.write("gs_noranks", 5)
        assert rec.rank == 0
        page = await client.leaderboards.list("gs_noranks", limit=1, owner_ids=[me.user_id])
        assert [r.rank for r in page.owner_records] == [0]
        assert page.rank_count == 0
        near = await client.leaderboards.around("gs_noranks", limit=1)
        assert [(r.owner_id, r.rank) for r in near.records] == [(me.user_id, 0)]


def next_monday(moment: datetime) -> datetime:
    """The first Monday 00:00 UTC after ``moment`` (the cron "0 0 * * 1")."""
    day = moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=7 - day.weekday())


async def test_a_weekly_board_expires_records_at_the_next_reset(target: Target) -> None:
    async with target.client() as client:
        me = await new_player(client)
        rec = await client.leaderboards.write("gs_weekly", 5)
        assert rec.create_time is not None
        assert rec.expiry_time == next_monday(rec.create_time)
        assert rec.rank >= 1
        expiry = int(rec.expiry_time.timestamp())
        owner = [me.user_id]
        this_week = await client.leaderboards.list("gs_weekly", expiry=expiry, owner_ids=owner)
        assert [r.owner_id for r in this_week.owner_records] == [me.user_id]
        current = await client.leaderboards.list("gs_weekly", expiry=0, owner_ids=owner)
        assert [r.owner_id for r in current.owner_records] == [me.user_id]
        last_week = await client.leaderboards.list(
            "gs_weekly", expiry=expiry - 7 * 86400, owner_ids=owner
        )
        assert last_week.owner_records == ()


async def test_expiry_on_a_board_without_resets_selects_nothing(target: Target) -> None:
    async with target.client() as client:
        me = await new_player(client)
        await client.leaderboards.write("gs_best_desc", 5)
        page = await client.leaderboards.list("gs_best_desc", expiry=1000, owner_ids=[me.user_id])
        assert page.owner_records == ()
        now = await client.leaderboards.list("gs_best_desc", expiry=0, owner_ids=[me.user_id])
        assert [r.owner_id for r in now.owner_records] == [me.user_id]


async def test_idempotency_keys_are_an_extension_of_the_reference_server(target: Target) -> None:
    """A deliberate difference (docs/server.md): Nakama ignores ``Idempotency-Key``."""
    async with target.client() as client:
        await new_player(client)
        first = await client.leaderboards.write("gs_incr", 5, idempotency_key="gs-key-1")
        again = await client.leaderboards.write("gs_incr", 5, idempotency_key="gs-key-1")
        if target.is_nakama:
            assert (first.score, again.score) == (5, 10)  # applied twice
            assert not client.server_honours_idempotency_keys
        else:
            assert (first.score, again.score) == (5, 5)  # replayed
            assert client.server_honours_idempotency_keys


@pytest.mark.parametrize(("score", "subscore"), [(-5, 0), (5, -1)])
async def test_negative_scores_are_refused(target: Target, score: int, subscore: int) -> None:
    async with target.client() as client:
        me = await new_player(client)
        await client.leaderboards.write("gs_set", 7)
        with pytest.raises((ServerError, InvalidArgument)) as caught:
            # operator="set" is idempotent, so the client resends a 500 and then raises it as it
            # is (with the board's default operator it would be an OutcomeUnknown).
            await client.leaderboards.write("gs_set", score, subscore=subscore, operator="set")
        if target.is_nakama:
            assert isinstance(caught.value, ServerError)
            expected = (500, 13, "Error writing score to leaderboard.")
            assert (caught.value.status, caught.value.code, caught.value.message) == expected
        else:  # deliberate: a 400 where Nakama answers 500 to bad input
            assert isinstance(caught.value, InvalidArgument)
            assert (caught.value.status, caught.value.code) == (400, 3)
        page = await client.leaderboards.list("gs_set", limit=1, owner_ids=[me.user_id])
        assert [r.score for r in page.owner_records] == [7]  # nothing was applied


async def test_a_negative_decrement_adds(target: Target) -> None:
    async with target.client() as client:
        await new_player(client)
        await client.leaderboards.write("gs_decr", 5, operator="incr")
        rec = await client.leaderboards.write("gs_decr", -3)
        assert rec.score == 8
