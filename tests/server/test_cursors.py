"""Cursors name a position key: paging survives concurrent writes without skips or repeats."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.server.conftest import Api


async def fill(api: Api, count: int) -> list[dict[str, str]]:
    players = []
    for i in range(count):
        headers = await api.login(f"device-page-{i:04d}", f"p{i:03d}")
        await api.call("POST", "/v2/leaderboard/weekly", headers, json={"score": 100 + i})
        players.append(headers)
    return players


async def page(api: Api, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    status, body = await api.call("GET", "/v2/leaderboard/weekly", headers, params=params)
    assert status == 200, body
    result: dict[str, Any] = body
    return result


async def test_next_and_prev_cursors_walk_the_board(api: Api) -> None:
    players = await fill(api, 7)
    first = await page(api, players[0], limit=3)
    assert "prev_cursor" not in first
    second = await page(api, players[0], limit=3, cursor=first["next_cursor"])
    third = await page(api, players[0], limit=3, cursor=second["next_cursor"])
    assert [r["rank"] for r in second["records"]] == ["4", "5", "6"]
    assert [r["rank"] for r in third["records"]] == ["7"]
    assert "next_cursor" not in third
    back = await page(api, players[0], limit=3, cursor=second["prev_cursor"])
    assert back["records"] == first["records"]
    assert "prev_cursor" not in back


async def test_paging_is_stable_under_concurrent_writes(api: Api) -> None:
    players = await fill(api, 12)  # p011 is rank 1 ... p000 is rank 12
    newcomers = [await api.login(f"device-new-{i:03d}") for i in range(6)]
    seen: list[str] = []
    cursor = None
    step = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        # While each page is fetched, the board changes above the cursor: newcomers take the top
        # and an already-seen player leaves. Offset paging would repeat or skip records here.
        writes = []
        if step < len(newcomers):
            writes.append(
                api.call(
                    "POST", "/v2/leaderboard/weekly", newcomers[step], json={"score": 10_000 + step}
                )
            )
        if seen and step < 4:
            writes.append(api.call("DELETE", "/v2/leaderboard/weekly", players[11 - step]))
        body, *_ = await asyncio.gather(page(api, players[0], **params), *writes)
        seen += [r["username"] for r in body.get("records", [])]
        cursor = body.get("next_cursor")
        step += 1
        if not cursor:
            break
    # Newcomers land above the cursor and deleted players were already seen, so the walk
    # yields every original player exactly once, in rank order.
    assert seen == [f"p{i:03d}" for i in range(11, -1, -1)]


async def test_cursor_survives_its_record_moving(api: Api) -> None:
    players = await fill(api, 6)
    first = await page(api, players[0], limit=2)  # p005, p004
    await api.call("POST", "/v2/leaderboard/weekly", players[4], json={"score": 10_000})
    second = await page(api, players[0], limit=2, cursor=first["next_cursor"])
    assert [r["username"] for r in second["records"]] == ["p003", "p002"]
    assert [r["rank"] for r in second["records"]] == ["3", "4"]
