"""Every response's field names and JSON types match the Nakama swagger subset (snake_case,
int64 as strings, int32 as numbers, timestamps as RFC 3339 strings)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.server.conftest import Api

SCHEMA = json.loads((Path(__file__).parent / "data" / "nakama_schema.json").read_text())
DEFS: dict[str, dict[str, Any]] = SCHEMA["definitions"]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def check(value: Any, definition: str) -> None:
    fields = DEFS[definition]
    assert isinstance(value, dict)
    assert set(value) <= set(fields), set(value) - set(fields)
    for name, item in value.items():
        spec = fields[name]
        kind, fmt = spec["type"], spec.get("format")
        if kind == "array":
            assert isinstance(item, list)
            if spec["items"] in DEFS:
                for element in item:
                    check(element, spec["items"])
        elif kind == "string":
            assert isinstance(item, str), (name, item)
            if fmt == "int64":
                assert re.fullmatch(r"-?\d+", item), (name, item)
            if fmt == "date-time":
                assert RFC3339.match(item), (name, item)
        elif kind == "integer":
            assert isinstance(item, int), (name, item)
            assert not isinstance(item, bool)
        elif kind == "boolean":
            assert isinstance(item, bool), (name, item)


async def test_responses_match_the_swagger_subset(api: Api) -> None:
    status, session = await api.auth("device", {"id": "device-contract-1"})
    assert status == 200
    check(session, "apiSession")
    headers = {"Authorization": "Bearer " + session["token"]}
    status, record = await api.call(
        "POST",
        "/v2/leaderboard/weekly",
        headers,
        json={"score": 10, "subscore": "3", "metadata": '{"map": "dunes"}'},
    )
    check(record, "apiLeaderboardRecord")
    assert {"score", "subscore", "rank", "num_score", "create_time"} <= set(record)
    status, page = await api.call(
        "GET",
        f"/v2/leaderboard/weekly?limit=5&owner_ids={record['owner_id']}",
        headers,
    )
    check(page, "apiLeaderboardRecordList")
    assert page["owner_records"][0]["rank"] == "1"
    status, around = await api.call(
        "GET", f"/v2/leaderboard/weekly/owner/{record['owner_id']}?limit=3", headers
    )
    check(around, "apiLeaderboardRecordList")
    status, error = await api.call("GET", "/v2/leaderboard/nope", headers)
    assert status == 404
    check(error, "rpcStatus")
    assert error == {"code": 5, "message": "Leaderboard not found."}


async def test_zero_values_are_omitted(api: Api) -> None:
    status, session = await api.auth("device", {"id": "device-contract-2"}, create="true")
    headers = {"Authorization": "Bearer " + session["token"]}
    status, again = await api.auth("device", {"id": "device-contract-2"})
    assert "created" not in again  # false is a zero value
    status, record = await api.call("POST", "/v2/leaderboard/weekly", headers, json={"score": 0})
    assert status == 200
    assert "score" not in record
    assert "subscore" not in record
    _status, page = await api.call("GET", "/v2/leaderboard/alltime?limit=5", headers)
    assert page == {}  # no records key, rank_count 0 omitted
