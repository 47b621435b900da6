"""The order-statistic index against a brute-force sort, and ranks over HTTP on random data."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from gameservices.server import Board, Operator, SortOrder
from gameservices.server.ranks import RankIndex, pack_rows, uuid_number
from tests.server.conftest import MakeApi

K = TypeVar("K")

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
UUIDS = [f"{n:08x}-0000-4000-8000-{n * 7919:012x}" for n in range(1, 13)]
SMALL = st.integers(min_value=-3, max_value=3)  # many ties
OPS = st.lists(
    st.tuples(
        st.sampled_from(["put", "put", "put", "remove"]),
        st.integers(1, 12),
        st.one_of(SMALL, INT64),
        SMALL,
    ),
    max_size=60,
)


def brute_force(state: Mapping[K, tuple[int, int, int]], descending: bool) -> list[K]:
    """Owners best-first: score, then subscore, then owner id (as a number), each in the board's
    order: a full tie ranks the greater id first on a descending board (Nakama's order)."""
    sign = -1 if descending else 1
    return sorted(state, key=lambda o: tuple(sign * v for v in state[o]))


@settings(max_examples=150, deadline=None)
@given(ops=OPS, descending=st.booleans())
def test_index_matches_brute_force(ops: list[tuple[str, int, int, int]], descending: bool) -> None:
    index = RankIndex(SortOrder.DESCENDING if descending else SortOrder.ASCENDING)
    state: dict[int, tuple[int, int, int]] = {}
    for op, owner, score, subscore in ops:
        if op == "put":
            number = uuid_number(UUIDS[owner - 1])
            index.put(owner, index.pack(score, subscore, number, owner))
            state[owner] = (score, subscore, number)
        else:
            index.remove(owner)
            state.pop(owner, None)
    expected = brute_force(state, descending)
    assert [RankIndex.owner_of(k) for _, k in index.slice(0, len(index))] == expected
    assert [index.rank_of(o) for o in expected] == list(range(1, len(expected) + 1))
    assert len(index) == len(expected)


@settings(max_examples=50, deadline=None)
@given(ops=OPS)
def test_restore_undoes_put_and_remove(ops: list[tuple[str, int, int, int]]) -> None:
    index = RankIndex(SortOrder.DESCENDING)
    for _, owner, score, subscore in ops:
        index.put(owner, index.pack(score, subscore, uuid_number(UUIDS[owner - 1]), owner))
    before = index.slice(0, len(index))
    previous = index.put(5, index.pack(0, 0, uuid_number(UUIDS[4]), 5))
    index.restore(5, previous)
    previous = index.remove(3)
    index.restore(3, previous)
    assert index.slice(0, len(index)) == before


async def test_http_ranks_match_brute_force_on_random_data(make_api: MakeApi) -> None:
    rng = random.Random(1234)
    boards = (
        Board("d", SortOrder.DESCENDING, Operator.SET),
        Board("a", SortOrder.ASCENDING, Operator.SET),
    )
    api = await make_api(boards=boards)
    players = [await api.login(f"device-random-{i:03d}") for i in range(25)]
    state: dict[str, dict[str, tuple[int, int, int]]] = {"d": {}, "a": {}}
    for _ in range(120):
        board = rng.choice("da")
        i = rng.randrange(len(players))
        score, sub = rng.randrange(0, 5), rng.randrange(0, 3)  # many full ties
        status, rec = await api.call(
            "POST", f"/v2/leaderboard/{board}", players[i], json={"score": score, "subscore": sub}
        )
        assert status == 200
        state[board][rec["owner_id"]] = (score, sub, uuid_number(rec["owner_id"]))
    for board, descending in (("d", True), ("a", False)):
        status, page = await api.call("GET", f"/v2/leaderboard/{board}?limit=1000", players[0])
        got = [(r["owner_id"], r["rank"]) for r in page.get("records", [])]
        expected = brute_force(state[board], descending)
        assert got == [(o, str(n)) for n, o in enumerate(expected, start=1)]


@given(
    rows=st.lists(st.tuples(INT64, INT64, st.uuids(), st.integers(0, 2**39))),
    descending=st.booleans(),
)
def test_bulk_packing_matches_pack(
    rows: list[tuple[int, int, uuid.UUID, int]], descending: bool
) -> None:
    sort = SortOrder.DESCENDING if descending else SortOrder.ASCENDING
    index = RankIndex(sort)
    stored = [(s, ss, str(u), o) for s, ss, u, o in rows]  # as the store holds them
    assert pack_rows(sort, stored) == [index.pack(s, ss, u.int, o) for s, ss, u, o in rows]
