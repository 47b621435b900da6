"""The differential cases of tournaments and match listing, kept apart from
``test_differential.py`` (which registers them with its ``case`` decorator, as the social ones).

They play on the suite's tournaments (``support.TOURNAMENTS``; the reference server gets the
same ones through ``reference=``). Those live as long as the Nakama does and hold records of
earlier runs, so the cases compare what does not depend on that history: listings of the
tournaments with fixed times (categories 6: one in 2100, one that ended in 1970), every refusal,
and reads that find nothing. Ranked answers are compared in tests/nakama/test_tournaments.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from .support import TOURNAMENTS, daily_open
from .wire import Exchange, Wire

__all__ = ["TOURNAMENT_500", "TOURNAMENT_CASES", "check_tournament_500"]

Run = Callable[[Wire], Awaitable[None]]
TOURNAMENT_CASES: list[tuple[str, Run, dict[str, Any]]] = []
TOURNAMENT_500 = (
    "where Nakama answers 500 to a tournament call the client got wrong (a bad list or around "
    "cursor, a write to a leaderboard's id, deleting from an unknown or an authoritative "
    "tournament, a negative score), the reference server answers the 4xx it is: 400 code 3, "
    "404 code 5 or 403 code 7"
)
T = "/v2/tournament"
UNKNOWN = "5b1a1e0c-1111-4111-8111-111111111111"


async def _with_tournaments(_: Path) -> dict[str, Any]:
    return {"tournaments": tuple(TOURNAMENTS.values())}


def tournament_case(id: str, **options: Any) -> Callable[[Run], Run]:
    def register(fn: Run) -> Run:
        TOURNAMENT_CASES.append((id, fn, {"reference": _with_tournaments, **options}))
        return fn

    return register


def check_tournament_500(nakama: list[Exchange], reference: list[Exchange]) -> None:
    """Every exchange: Nakama 500, the reference server a 4xx error with Nakama's codes."""
    assert len(nakama) == len(reference)
    for nk, ref in zip(nakama, reference, strict=True):
        assert nk["status"] == 500, nk
        expected = {400: 3, 403: 7, 404: 5}
        assert ref["status"] in expected, ref
        assert ref["body"]["code"] == expected[ref["status"]], ref


@tournament_case("tournaments: listing the ones with fixed times, filters and the cursor")
async def _(w: Wire) -> None:
    await w.login("alice")
    six = f"{T}?category_start=6&category_end=6"
    for query in ("", "&end_time=3", "&end_time=0", "&start_time=4102444800", "&start_time=1"):
        await w.call("GET", six + query, auth="alice")
    first = await w.call("GET", six + "&end_time=5000000000&limit=1", auth="alice")
    cursor = first.json.get("cursor", "") if isinstance(first.json, dict) else ""
    await w.call("GET", six + f"&end_time=5000000000&limit=1&cursor={cursor}", auth="alice")
    await w.call("GET", f"{T}?category_start=200", auth="alice")


@tournament_case("tournaments: list arguments Nakama refuses")
async def _(w: Wire) -> None:
    await w.login("alice")
    for query in (
        "category_end=128",
        "category_start=5&category_end=3",
        "limit=0",
        "limit=101",
        "limit=abc",
        "category_start=-1",
        "category_start=",
        "start_time=10&end_time=5",
        "start_time=99999999999",
    ):
        await w.call("GET", f"{T}?{query}", auth="alice")
    await w.call("GET", T, auth=None)


@tournament_case("tournaments: writes refused (unknown, ended, not started, closed, not joined)")
async def _(w: Wire) -> None:
    await w.login("alice")
    closed = () if daily_open() else ("gs_t_daily",)  # inside its window the write would take
    for tid in ("gs_t_nope", "gs_t_ended", "gs_t_future", *closed, "gs_t_auth", "gs_t_join"):
        await w.call("PUT", f"{T}/{tid}", json={"score": 5}, auth="alice")
    await w.call("POST", f"{T}/gs_t_join", json={"score": 5}, auth="alice")
    await w.call("PUT", f"{T}/gs_t_best", json={"score": 1, "metadata": "[1]"}, auth="alice")
    await w.call("PUT", f"{T}/gs_t_best", data=b"{bad", auth="alice")


@tournament_case("tournaments: joins")
async def _(w: Wire) -> None:
    await w.login("alice")
    for tid in ("gs_t_nope", "gs_t_ended", "gs_t_best", "gs_t_future"):
        await w.call("POST", f"{T}/{tid}/join", auth="alice")


@tournament_case("tournaments: record reads that find nothing, and their refusals")
async def _(w: Wire) -> None:
    alice = (await w.login("alice")).user_id
    for query in ("gs_t_future", "gs_t_daily", "gs_t_ended?expiry=2", "gs_t_ended", "gs_t_nope"):
        await w.call("GET", f"{T}/{query}", auth="alice")
    for query in ("limit=0", "limit=101", "owner_ids=not-a-uuid", "cursor=bad"):
        await w.call("GET", f"{T}/gs_t_best?{query}", auth="alice")
    await w.call("GET", f"{T}/gs_t_future?owner_ids={UNKNOWN}", auth="alice")
    around = f"{T}/gs_t_best/owner"
    for path in (f"/{alice}?limit=0", f"/{alice}?limit=101", "/bad", "/", f"/{UNKNOWN}"):
        await w.call("GET", around + path, auth="alice")
    await w.call("GET", f"{T}/gs_t_ended/owner/{alice}", auth="alice")
    await w.call("GET", f"{T}/gs_t_nope/owner/{alice}", auth="alice")


@tournament_case(
    "tournaments: where Nakama answers 500",
    deliberate="tournament-500",
    check=check_tournament_500,
)
async def _(w: Wire) -> None:
    alice = (await w.login("alice")).user_id
    await w.call("GET", f"{T}?cursor=abc", auth="alice")
    await w.call("GET", f"{T}/gs_t_best/owner/{alice}?cursor=zzz", auth="alice")
    await w.call("PUT", f"{T}/gs_best_desc", json={"score": 5}, auth="alice")
    await w.call("PUT", f"{T}/gs_t_best", json={"score": "-1"}, auth="alice")
    await w.call("DELETE", f"{T}/gs_t_nope", auth="alice")
    await w.call("DELETE", f"{T}/gs_t_auth", auth="alice")


@tournament_case("matches: an empty listing and the filters Nakama refuses")
async def _(w: Wire) -> None:
    await w.login("alice")
    for query in (
        "authoritative=true&label=gs-none",
        "authoritative=true&query=%2Blabel.mode:gs-none",
        "limit=0",
        "limit=101",
        "label=x&authoritative=false",
        "query=x&authoritative=false",
        "min_size=-1",
        "max_size=-1",
        "min_size=3&max_size=2",
        "authoritative=maybe",
        "limit=abc",
    ):
        await w.call("GET", f"/v2/match?{query}", auth="alice")
