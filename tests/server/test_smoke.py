"""End-to-end on the wire: login, write, list, around, delete."""

from __future__ import annotations

from tests.server.conftest import Api


async def test_login_write_list_around_delete(api: Api) -> None:
    alice = await api.login("device-alice-1", "alice")
    bob = await api.login("device-bob-001", "bob")
    status, rec = await api.call("POST", "/v2/leaderboard/weekly", alice, json={"score": "50"})
    assert status == 200
    assert (rec["score"], rec["rank"], rec["num_score"]) == ("50", "1", 1)
    status, rec = await api.call("POST", "/v2/leaderboard/weekly", bob, json={"score": 70})
    assert (rec["rank"], rec["username"]) == ("1", "bob")
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=10", alice)
    assert status == 200
    assert [r["username"] for r in page["records"]] == ["bob", "alice"]
    assert [r["rank"] for r in page["records"]] == ["1", "2"]
    assert page["rank_count"] == "2"
    owner = page["records"][1]["owner_id"]
    status, around = await api.call("GET", f"/v2/leaderboard/weekly/owner/{owner}?limit=1", bob)
    assert [r["owner_id"] for r in around["records"]] == [owner]
    status, body = await api.call("DELETE", "/v2/leaderboard/weekly", alice)
    assert (status, body) == (200, {})
    status, page = await api.call("GET", "/v2/leaderboard/weekly?limit=10", alice)
    assert [r["username"] for r in page["records"]] == ["bob"]
