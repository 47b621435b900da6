"""Leaderboard writes and reads: operators, validation messages, limits, owner_ids, around."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gameservices.server import Board, Operator, SortOrder
from tests.server.conftest import Api, MakeApi

INT64_MAX = 2**63 - 1


def invalid(message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"code": 3, "message": message}


BOARDS = (
    Board("best_desc", SortOrder.DESCENDING, Operator.BEST),
    Board("best_asc", SortOrder.ASCENDING, Operator.BEST),
    Board("set", SortOrder.DESCENDING, Operator.SET),
    Board("incr", SortOrder.DESCENDING, Operator.INCREMENT),
    Board("decr", SortOrder.DESCENDING, Operator.DECREMENT),
)


@pytest.fixture
async def boards_api(make_api: MakeApi) -> Api:
    return await make_api(boards=BOARDS)


async def scores(api: Api, headers: dict[str, str], board: str, writes: list[Any]) -> list[str]:
    out = []
    for write in writes:
        body = write if isinstance(write, dict) else {"score": write}
        status, record = await api.call("POST", f"/v2/leaderboard/{board}", headers, json=body)
        assert status == 200, record
        out.append(record.get("score", "0"))
    return out


@pytest.mark.parametrize(
    ("board", "writes", "expected"),
    [
        ("best_desc", [5, 3, 9], ["5", "5", "9"]),
        ("best_asc", [5, 7, 2], ["5", "5", "2"]),
        ("set", [5, 3, 9], ["5", "3", "9"]),
        ("incr", [5, 3, 0], ["5", "8", "8"]),
        ("decr", [5, 3, 9], ["0", "0", "0"]),
        # A write may name its own operator; NO_OVERRIDE means the board's default.
        (
            "best_desc",
            [5, {"score": 2, "operator": "SET"}, {"score": 1, "operator": 0}],
            ["5", "2", "2"],
        ),
        (
            "set",
            [5, {"score": 4, "operator": "INCREMENT"}, {"score": 3, "operator": 4}],
            ["5", "9", "6"],
        ),
        (
            "incr",
            [10, {"score": 4, "operator": "DECREMENT"}, {"score": 1, "operator": "BEST"}],
            ["10", "6", "6"],
        ),
        # Names are exact: any other string is an unknown enum value, so the board's operator.
        (
            "incr",
            [10, {"score": 4, "operator": "decrement"}, {"score": 1, "operator": "MAXIMUM"}],
            ["10", "14", "15"],
        ),
    ],
)
async def test_operators(
    boards_api: Api, board: str, writes: list[Any], expected: list[str]
) -> None:
    headers = await boards_api.login("device-operator")
    assert await scores(boards_api, headers, board, writes) == expected


async def test_decrement_floors_at_zero(boards_api: Api) -> None:
    headers = await boards_api.login("device-decrement")
    writes = [{"score": 10, "operator": "SET"}, 3, 20]
    assert await scores(boards_api, headers, "decr", writes) == ["10", "7", "0"]


async def test_best_takes_the_better_score_and_subscore_separately(boards_api: Api) -> None:
    headers = await boards_api.login("device-subscore")
    seen = []
    for score, sub in ((10, 4), (10, 2), (10, 6), (8, 9)):
        _status, rec = await boards_api.call(
            "POST", "/v2/leaderboard/best_desc", headers, json={"score": score, "subscore": sub}
        )
        seen.append((rec["score"], rec["subscore"], rec["num_score"]))
    # A write that betters neither value counts nothing; (8, 9) betters the subscore alone.
    assert seen == [("10", "4", 1), ("10", "4", 1), ("10", "6", 2), ("10", "9", 3)]


async def test_a_write_that_changes_nothing_keeps_count_metadata_and_time(
    api: Api, clock: Any
) -> None:
    headers = await api.login("device-num-score")
    _status, first = await api.call(
        "POST", "/v2/leaderboard/weekly", headers, json={"score": 5, "metadata": '{"a": 1}'}
    )
    clock.advance(60)
    _status, rec = await api.call(
        "POST", "/v2/leaderboard/weekly", headers, json={"score": 1, "metadata": '{"b": 2}'}
    )
    assert (rec["num_score"], rec["score"], json.loads(rec["metadata"])) == (1, "5", {"a": 1})
    assert rec["update_time"] == first["update_time"]
    _status, rec = await api.call("POST", "/v2/leaderboard/weekly", headers, json={"score": 7})
    assert (rec["num_score"], rec["score"], json.loads(rec["metadata"])) == (2, "7", {"a": 1})
    assert rec["update_time"] != first["update_time"]


async def test_metadata_is_stored_as_jsonb_prints_it(api: Api) -> None:
    headers = await api.login("device-jsonb")
    meta = '{"long_key": 1, "k": [1,2], "m": {"z": null, "a": 1.50, "e": 1e2}, "k": "last"}'
    _status, rec = await api.call(
        "POST", "/v2/leaderboard/weekly", headers, json={"score": 1, "metadata": meta}
    )
    assert rec["metadata"] == '{"k": "last", "m": {"a": 1.50, "e": 100, "z": null}, "long_key": 1}'


@pytest.mark.parametrize(
    ("board", "body"),
    [
        ("set", {"score": -3}),
        ("set", {"score": 3, "subscore": -1}),
        ("incr", {"score": -2}),
        ("best_desc", {"score": 5, "operator": "SET", "subscore": -5}),
    ],
)
async def test_negative_scores_are_refused(boards_api: Api, board: str, body: Any) -> None:
    headers = await boards_api.login("device-negative")
    message = "Score and subscore must not be negative."
    path = f"/v2/leaderboard/{board}"
    assert await boards_api.call("POST", path, headers, json=body) == invalid(message)
    assert await boards_api.call("GET", path, headers) == (200, {})  # nothing was written


async def test_a_negative_decrement_adds(boards_api: Api) -> None:
    headers = await boards_api.login("device-negative-decr")
    writes = [{"score": 5, "operator": "SET"}, -3]
    assert await scores(boards_api, headers, "decr", writes) == ["5", "8"]


async def test_default_metadata_is_empty_object(api: Api) -> None:
    headers = await api.login("device-metadata")
    _status, rec = await api.call("POST", "/v2/leaderboard/weekly", headers, json={"score": 5})
    assert rec["metadata"] == "{}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"score": str(INT64_MAX + 1)}, "score is out of the int64 range"),
        ({"score": -(2**63) - 1}, "score is out of the int64 range"),
        ({"subscore": "12x"}, "subscore must be an integer"),
        ({"score": 1.5}, "score must be an integer"),
        ({"score": True}, "score must be an integer"),
        ({"operator": [1]}, "operator must be a name or a number"),
        ({"operator": 9}, "operator 9 is not a valid Operator"),
        ({"score": " 5"}, "score must be an integer"),
        ({"score": "+5"}, "score must be an integer"),
        ({"metadata": "not json"}, "Metadata value must be JSON, if provided."),
        ({"metadata": "[1, 2]"}, "Metadata value must be JSON, if provided."),
        ({"metadata": {"a": 1}}, "Metadata value must be JSON, if provided."),
        (
            {"metadata": json.dumps({"p": "x" * 16_380})},
            "Metadata value must be at most 16384 bytes.",
        ),
    ],
)
async def test_write_validation(api: Api, body: dict[str, Any], message: str) -> None:
    headers = await api.login("device-validate")
    assert await api.call("POST", "/v2/leaderboard/weekly", headers, json=body) == invalid(message)


async def test_int64_extremes_round_trip(boards_api: Api) -> None:
    headers = await boards_api.login("device-extremes")
    status, rec = await boards_api.call(
        "POST", "/v2/leaderboard/set", headers, json={"score": str(INT64_MAX), "subscore": 2**62}
    )
    assert (rec["score"], rec["subscore"]) == (str(INT64_MAX), str(2**62))
    status, body = await boards_api.call(
        "POST", "/v2/leaderboard/set", headers, json={"score": 1, "operator": "INCREMENT"}
    )
    assert (status, body["message"]) == (400, "score is out of the int64 range")


async def test_unknown_fields_are_ignored_and_body_must_be_an_object(api: Api) -> None:
    headers = await api.login("device-unknown-f")
    status, _rec = await api.call(
        "POST", "/v2/leaderboard/weekly", headers, json={"score": 3, "zzz": 1}
    )
    assert status == 200
    assert await api.call("POST", "/v2/leaderboard/weekly", headers, data=b"[1]") == invalid(
        "Request body must be a JSON object."
    )
    assert await api.call("POST", "/v2/leaderboard/weekly", headers, data=b"{") == invalid(
        "Request body is not valid JSON."
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/v2/leaderboard/weekly?limit=0", "Invalid limit - limit must be between 1 and 1000."),
        ("/v2/leaderboard/weekly?limit=1001", "Invalid limit - limit must be between 1 and 1000."),
        ("/v2/leaderboard/weekly?limit=ten", "Invalid limit - limit must be between 1 and 1000."),
        (
            "/v2/leaderboard/weekly/owner/00000000-0000-4000-8000-000000000000?limit=101",
            "Invalid limit - limit must be between 1 and 100.",
        ),
        ("/v2/leaderboard/weekly/owner/not-a-uuid", "Invalid owner ID provided."),
        ("/v2/leaderboard/weekly?owner_ids=nope", "One or more owner IDs are invalid."),
        ("/v2/leaderboard/weekly?limit=", "Invalid limit - limit must be between 1 and 1000."),
        (
            "/v2/leaderboard/weekly/owner/00000000-0000-4000-8000-000000000000?limit=%2B5",
            "Invalid limit - limit must be between 1 and 100.",
        ),
        ("/v2/leaderboard/weekly/owner/", "Owner ID must be provided for a haystack query."),
        (
            "/v2/leaderboard/weekly?expiry=1.5",
            "Expiry must be an integer: seconds since the epoch.",
        ),
        ("/v2/leaderboard/weekly?expiry=", "Expiry must be an integer: seconds since the epoch."),
    ],
)
async def test_read_validation(api: Api, path: str, message: str) -> None:
    headers = await api.login("device-read-val")
    assert await api.call("GET", path, headers) == invalid(message)


async def test_unknown_board_is_404_everywhere(api: Api) -> None:
    headers = await api.login("device-no-board")
    not_found = (404, {"code": 5, "message": "Leaderboard not found."})
    owner = "00000000-0000-4000-8000-000000000000"
    for method, path in [
        ("GET", "/v2/leaderboard/nope"),
        ("POST", "/v2/leaderboard/nope"),
        ("DELETE", "/v2/leaderboard/nope"),
        ("GET", f"/v2/leaderboard/nope/owner/{owner}"),
    ]:
        assert await api.call(method, path, headers, json={}) == not_found, (method, path)


async def fill(api: Api, board: str, count: int) -> list[tuple[dict[str, str], str]]:
    players = []
    for i in range(count):
        headers = await api.login(f"device-fill-{i:04d}", f"p{i:03d}")
        _status, rec = await api.call(
            "POST", f"/v2/leaderboard/{board}", headers, json={"score": i * 10}
        )
        players.append((headers, rec["owner_id"]))
    return players


async def test_default_limit_is_one_and_owner_ids(api: Api) -> None:
    players = await fill(api, "weekly", 5)
    headers, _ = players[0]
    status, page = await api.call("GET", "/v2/leaderboard/weekly", headers)
    assert [r["username"] for r in page["records"]] == ["p004"]
    assert page["rank_count"] == "5"
    owners = [players[1][1], players[3][1], "00000000-0000-4000-8000-000000000000"]
    query = "&".join(f"owner_ids={o}" for o in owners)
    status, page = await api.call("GET", f"/v2/leaderboard/weekly?{query}", headers)
    assert status == 200
    assert "records" not in page  # owner_ids without a limit: only owner records
    assert [(r["username"], r["rank"]) for r in page["owner_records"]] == [
        ("p003", "2"),
        ("p001", "4"),
    ]
    _status, page = await api.call("GET", f"/v2/leaderboard/weekly?limit=2&{query}", headers)
    assert [r["rank"] for r in page["records"]] == ["1", "2"]
    assert len(page["owner_records"]) == 2


async def test_around_owner_windows(api: Api) -> None:
    players = await fill(api, "weekly", 7)  # ranks: p006=1 ... p000=7
    headers, _ = players[0]
    for owner_index, limit, expected in [
        (3, 3, ["3", "4", "5"]),  # p003 is rank 4: centred
        (6, 3, ["1", "2", "3"]),  # the top: shifted down
        (0, 3, ["5", "6", "7"]),  # the bottom: shifted up
        (3, 1, ["4"]),
        (3, 100, ["1", "2", "3", "4", "5", "6", "7"]),
    ]:
        owner = players[owner_index][1]
        _status, page = await api.call(
            "GET", f"/v2/leaderboard/weekly/owner/{owner}?limit={limit}", headers
        )
        assert [r["rank"] for r in page["records"]] == expected, (owner_index, limit)
        assert page["rank_count"] == "7"


async def test_around_owner_without_record_is_empty(api: Api) -> None:
    players = await fill(api, "weekly", 2)
    headers, owner = players[0]
    status, page = await api.call("GET", f"/v2/leaderboard/alltime/owner/{owner}", headers)
    assert (status, page) == (200, {})


async def test_delete_own_record(api: Api) -> None:
    players = await fill(api, "weekly", 3)
    headers, owner = players[2]
    assert await api.call("DELETE", "/v2/leaderboard/weekly", headers) == (200, {})
    _status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=10", headers)
    assert owner not in [r["owner_id"] for r in page["records"]]
    assert page["rank_count"] == "2"
    assert await api.call("DELETE", "/v2/leaderboard/weekly", headers) == (200, {})
