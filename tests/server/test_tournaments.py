"""The reference server's tournaments on a clock the test moves: active windows and resets
(Nakama's deadlines), sizes per period, attempts, end times, list cursors, and the definitions
(validation, config files)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from gameservices.server import Board, Operator, ServerConfig, Tournament, load_config_file
from gameservices.server.tournament_store import decode_list_cursor, encode_list_cursor
from gameservices.server.tournaments import deadlines
from tests.server.conftest import Api, FakeClock, MakeApi


def at(*when: int) -> int:
    return int(datetime(*when, tzinfo=timezone.utc).timestamp())  # type: ignore[misc]


SATURDAY = at(2027, 1, 16)  # 00:00 UTC
CUP = Tournament("cup", 2 * 86400, reset="0 0 * * 6", max_size=2, max_num_score=2)
HOURLY = Tournament("hourly", 600, reset="0 * * * *", join_required=True)
SHORT = Tournament("short", 3600, start_time=at(2027, 1, 14), end_time=at(2027, 1, 14, 1))


# -- deadlines: Nakama's calculateTournamentDeadlines ------------------------------------------


def test_without_a_schedule_the_window_runs_from_the_start_for_the_duration() -> None:
    t = Tournament("t", 100)
    assert deadlines(t, 1000, 1050) == (1000, 1100, 0)
    ends = Tournament("e", 100, start_time=1000, end_time=1060)
    assert deadlines(ends, 1000, 1050) == (1000, 1060, 1060)  # the end time cuts the window


def test_with_a_schedule_each_period_opens_at_its_reset() -> None:
    friday = at(2027, 1, 15, 12)
    # Created on Friday: the current period started last Saturday, before the creation, and
    # its two days have passed, so the window is next Saturday's.
    assert deadlines(CUP, friday, friday) == (SATURDAY, SATURDAY + 2 * 86400, SATURDAY + 7 * 86400)
    sunday = SATURDAY + 86400
    assert deadlines(CUP, friday, sunday) == (SATURDAY, SATURDAY + 2 * 86400, SATURDAY + 7 * 86400)
    # Created in the middle of an hour: the window opens at the creation, closes at :10.
    created = at(2027, 1, 15, 9, 5)
    assert deadlines(HOURLY, created, created + 60) == (created, at(2027, 1, 15, 9, 10),
                                                       at(2027, 1, 15, 10))  # fmt: skip
    # Before the start: the first period after it.
    assert deadlines(HOURLY, at(2027, 1, 15, 9, 30), at(2027, 1, 15, 8)) == (
        at(2027, 1, 15, 10),
        at(2027, 1, 15, 10, 10),
        at(2027, 1, 15, 11),
    )


# -- the routes on a moving clock ------------------------------------------------------------


async def _api(make_api: MakeApi, clock: FakeClock, now: float) -> Api:
    clock.now = now
    return await make_api(
        tournaments=(CUP, HOURLY, SHORT), token_expiry=60 * 86400, refresh_expiry=90 * 86400
    )


async def _write(api: Api, who: dict[str, str], tid: str, score: int) -> tuple[int, Any]:
    return await api.call("PUT", f"/v2/tournament/{tid}", who, json={"score": score})


async def _listed(api: Api, who: dict[str, str], tid: str) -> dict[str, Any]:
    status, body = await api.call("GET", "/v2/tournament?start_time=0", who)
    assert status == 200, body
    return next(t for t in body["tournaments"] if t["id"] == tid)


async def test_size_and_attempts_start_again_each_period(
    make_api: MakeApi, clock: FakeClock
) -> None:
    api = await _api(make_api, clock, SATURDAY + 3600)
    a, b, c = [await api.login(f"device-cup-{n}") for n in "abc"]
    assert (await _write(api, a, "cup", 10))[0] == 200
    assert (await _write(api, b, "cup", 20))[0] == 200
    status, full = await _write(api, c, "cup", 30)
    assert (status, full["message"]) == (400, "Tournament has reached max size.")
    listed = await _listed(api, c, "cup")
    assert (listed["size"], listed.get("can_enter", False)) == (2, False)
    assert (await _write(api, a, "cup", 11))[0] == 200
    status, tries = await _write(api, a, "cup", 12)
    assert (status, tries["code"]) == (400, 9)
    clock.now = SATURDAY + 3 * 86400  # Tuesday: this period's window has closed
    status, closed = await _write(api, c, "cup", 30)
    assert closed["message"] == "Tournament is not active and cannot accept new scores."
    clock.now = SATURDAY + 7 * 86400 + 60  # the next Saturday: a new period, room again
    status, record = await _write(api, c, "cup", 30)
    assert (status, record["num_score"], record["rank"]) == (200, 1, "1")
    assert (await _listed(api, c, "cup"))["size"] == 1
    status, old = await api.call("GET", f"/v2/tournament/cup?expiry={SATURDAY + 7 * 86400}", c)
    assert [r["score"] for r in old["records"]] == ["20", "11"]


async def test_a_join_makes_an_empty_record_of_the_period(
    make_api: MakeApi, clock: FakeClock
) -> None:
    api = await _api(make_api, clock, at(2027, 1, 15, 9, 1))
    ada = await api.login("device-hourly-a")
    status, body = await _write(api, ada, "hourly", 5)
    assert (status, body["code"]) == (400, 9)
    assert await api.call("POST", "/v2/tournament/hourly/join", ada) == (200, {})
    status, page = await api.call("GET", "/v2/tournament/hourly", ada)
    (joined,) = page["records"]
    assert ("score" not in joined, "num_score" not in joined) == (True, True)
    assert joined["expiry_time"] == "2027-01-15T10:00:00Z"
    clock.now = at(2027, 1, 15, 10, 1)  # a new hour: the join was for the last one
    status, body = await _write(api, ada, "hourly", 5)
    assert body["message"] == "Must join tournament before attempting to write value."


async def test_an_ended_tournament(make_api: MakeApi, clock: FakeClock) -> None:
    api = await _api(make_api, clock, at(2027, 1, 14, 0, 30))
    ada = await api.login("device-short-a")
    assert (await _write(api, ada, "short", 5))[0] == 200
    clock.now = at(2027, 1, 14, 2)
    status, body = await _write(api, ada, "short", 6)
    assert (status, body["message"]) == (404, "Tournament not found or has ended.")
    status, body = await api.call("GET", "/v2/tournament/short", ada)
    assert (status, body["message"]) == (404, "Tournament has ended.")
    status, page = await api.call("GET", f"/v2/tournament/short?expiry={at(2027, 1, 14, 1)}", ada)
    assert [r["score"] for r in page["records"]] == ["5"]
    status, listing = await api.call("GET", "/v2/tournament?start_time=0", ada)
    assert "short" not in [t["id"] for t in listing.get("tournaments", [])]


async def test_the_list_cursor_is_nakamas(make_api: MakeApi, clock: FakeClock) -> None:
    api = await _api(make_api, clock, at(2027, 1, 14, 0, 30))
    ada = await api.login("device-list-a")
    status, first = await api.call("GET", "/v2/tournament?limit=1", ada)
    assert [t["id"] for t in first["tournaments"]] == ["short"]  # the earliest start first
    assert decode_list_cursor(first["cursor"]) == "short"
    status, rest = await api.call("GET", f"/v2/tournament?cursor={first['cursor']}", ada)
    assert [t["id"] for t in rest["tournaments"]] == ["cup", "hourly"]
    assert "cursor" not in rest
    gone = encode_list_cursor("no_such_tournament")
    assert await api.call("GET", f"/v2/tournament?cursor={gone}", ada) == (200, {})
    status, bad = await api.call("GET", "/v2/tournament?cursor=abc", ada)
    assert (status, bad["code"]) == (400, 3)


def test_list_cursors_are_nakamas_gob_bytes() -> None:
    # As Nakama 3.40 sent it for the page after gs_t_asc.
    nakama = "KH8DAQEUVG91cm5hbWVudExpc3RDdXJzb3IB_4AAAQEBAklkAQwAAAAN_4ABCGdzX3RfYXNjAA=="
    assert encode_list_cursor("gs_t_asc") == nakama
    assert decode_list_cursor(nakama) == "gs_t_asc"
    long_id = "t" * 128
    assert decode_list_cursor(encode_list_cursor(long_id)) == long_id
    for junk in ("", "abc", nakama[:-4], nakama.replace("N_4", "O_4"), "%%%"):
        assert decode_list_cursor(junk) is None


# -- definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"duration": 0}, "duration must be 1-"),
        ({"category": 128}, "category must be 0-127"),
        ({"start_time": 100, "end_time": 100}, "end_time must be after start_time"),
        ({"reset": "0 0 * * 6", "end_time": 60}, "end_time must be after the first reset"),
        ({"reset": "whenever"}, "five-field cron"),
        ({"max_size": -1}, "max_size must be 0-"),
        ({"operator": Operator.NO_OVERRIDE}, "cannot be NO_OVERRIDE"),
    ],
)
def test_bad_definitions_are_refused(rules: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"duration": 60, **rules}
    with pytest.raises(ValueError, match=message):
        Tournament("t", **values)


def test_ids_are_unique_across_boards_and_tournaments() -> None:
    with pytest.raises(ValueError, match="board and tournament ids must be unique"):
        ServerConfig(boards=(Board("cup"),), tournaments=(CUP,))


def test_the_config_file_of_the_docs(tmp_path: Path) -> None:
    """docs/tournaments.md's config fragment, read as a config file."""
    text = (Path(__file__).parents[2] / "docs" / "tournaments.md").read_text(encoding="utf-8")
    fragment = text.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "config.json"
    path.write_text(fragment, encoding="utf-8")
    (cup,) = load_config_file(path).tournaments
    assert cup == Tournament("weekend_cup", 172800, reset="0 0 * * 6", title="Weekend cup",
                             max_num_score=3, join_required=True)  # fmt: skip
    path.write_text(json.dumps({"tournaments": [{"id": "x", "duration": 1, "size": 2}]}))
    with pytest.raises(ValueError, match="unknown keys"):
        load_config_file(path)
