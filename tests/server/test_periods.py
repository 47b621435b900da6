"""Boards that reset on a schedule, boards without ranks, and Nakama's order of full ties, on a
clock the test moves."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from gameservices.server import Board, SortOrder
from tests.server.conftest import Api, FakeClock, MakeApi

# Wednesday 2027-01-13 12:00:00 UTC; the next Monday 00:00 is 2027-01-18.
WEDNESDAY = datetime(2027, 1, 13, 12, tzinfo=timezone.utc).timestamp()
MONDAY = int(datetime(2027, 1, 18, tzinfo=timezone.utc).timestamp())
WEEK = 7 * 86400
BOARDS = (
    Board("weekly", reset="0 0 * * 1"),
    Board("casual", ranks=False),
    Board("alltime"),
    Board("asc", SortOrder.ASCENDING),
)


async def _api(make_api: MakeApi, clock: FakeClock) -> Api:
    clock.now = WEDNESDAY
    return await make_api(boards=BOARDS, token_expiry=30 * 86400, refresh_expiry=60 * 86400)


async def _write(api: Api, headers: dict[str, str], board: str, score: int) -> Any:
    status, record = await api.call(
        "POST", f"/v2/leaderboard/{board}", headers, json={"score": score}
    )
    assert status == 200, record
    return record


async def test_a_record_expires_at_the_next_reset(make_api: MakeApi, clock: FakeClock) -> None:
    api = await _api(make_api, clock)
    ada = await api.login("device-weekly-a")
    record = await _write(api, ada, "weekly", 5)
    assert record["expiry_time"] == "2027-01-18T00:00:00Z"
    assert "expiry_time" not in await _write(api, ada, "alltime", 5)
    for expiry in (0, MONDAY):
        status, page = await api.call("GET", f"/v2/leaderboard/weekly?limit=5&expiry={expiry}", ada)
        assert [r["score"] for r in page["records"]] == ["5"]
    for expiry in (MONDAY - 1, MONDAY + 1, MONDAY - WEEK, -1):
        status, page = await api.call("GET", f"/v2/leaderboard/weekly?limit=5&expiry={expiry}", ada)
        assert (status, page) == (200, {})


async def test_after_a_reset_a_new_period_starts_and_the_old_one_stays_readable(
    make_api: MakeApi, clock: FakeClock
) -> None:
    api = await _api(make_api, clock)
    ada, bob = await api.login("device-weekly-b"), await api.login("device-weekly-c")
    await _write(api, ada, "weekly", 50)
    await _write(api, bob, "weekly", 40)
    status, old = await api.call("GET", "/v2/leaderboard/weekly?limit=1", ada)
    clock.now = MONDAY  # the reset: Monday 00:00:00 belongs to the new week
    record = await _write(api, ada, "weekly", 7)
    assert (record["score"], record["num_score"], record["rank"]) == ("7", 1, "1")
    assert record["expiry_time"] == "2027-01-25T00:00:00Z"
    status, current = await api.call("GET", "/v2/leaderboard/weekly?limit=5", ada)
    assert [r["score"] for r in current["records"]] == ["7"]
    status, last = await api.call("GET", f"/v2/leaderboard/weekly?limit=5&expiry={MONDAY}", ada)
    assert [(r["score"], r["rank"]) for r in last["records"]] == [("50", "1"), ("40", "2")]
    # A cursor of the old period is refused in the new one (as Nakama: it "has rolled over")...
    cursor = old["next_cursor"]
    status, body = await api.call("GET", f"/v2/leaderboard/weekly?limit=1&cursor={cursor}", ada)
    assert (status, body["message"]) == (400, "Cursor is invalid or expired.")
    # ... and pages the old period when it names it.
    query = f"limit=1&cursor={cursor}&expiry={MONDAY}"
    status, body = await api.call("GET", f"/v2/leaderboard/weekly?{query}", ada)
    assert [r["score"] for r in body["records"]] == ["40"]


async def test_a_board_without_ranks_answers_no_rank(make_api: MakeApi, clock: FakeClock) -> None:
    api = await _api(make_api, clock)
    players = [await api.login(f"device-casual-{n}") for n in range(3)]
    records = [
        await _write(api, p, "casual", s) for p, s in zip(players, (10, 30, 20), strict=True)
    ]
    assert all("rank" not in r for r in records)
    owner = records[2]["owner_id"]
    _status, page = await api.call(
        "GET", f"/v2/leaderboard/casual?limit=5&owner_ids={owner}", players[0]
    )
    # A top list still numbers its records by position; owner_records have no rank.
    assert [(r["score"], r["rank"]) for r in page["records"]] == [
        ("30", "1"),
        ("20", "2"),
        ("10", "3"),
    ]
    assert [r.get("rank") for r in page["owner_records"]] == [None]
    assert "rank_count" not in page
    _status, near = await api.call(
        "GET", f"/v2/leaderboard/casual/owner/{owner}?limit=3", players[0]
    )
    assert [r["score"] for r in near["records"]] == ["30", "20", "10"]
    assert all("rank" not in r for r in near["records"])
    assert "rank_count" not in near


async def test_a_full_tie_ranks_by_owner_id(make_api: MakeApi, clock: FakeClock) -> None:
    api = await _api(make_api, clock)
    players = [await api.login(f"device-tie-{n:04d}") for n in range(5)]
    owners = [(await _write(api, p, "alltime", 5))["owner_id"] for p in players]
    for p in players:
        await _write(api, p, "asc", 5)
    _status, desc = await api.call("GET", "/v2/leaderboard/alltime?limit=10", players[0])
    assert [r["owner_id"] for r in desc["records"]] == sorted(owners, reverse=True)
    _status, asc = await api.call("GET", "/v2/leaderboard/asc?limit=10", players[0])
    assert [r["owner_id"] for r in asc["records"]] == sorted(owners)
