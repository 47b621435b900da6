"""The Lua modules create on Nakama exactly the boards the reference fixture is configured with
(``support.BOARDS``): same ids, sort orders and operators; ranks and resets as declared."""

from __future__ import annotations

import re

from gameservices.server import Operator, SortOrder

from .support import BOARDS, MODULES_DIR, TOURNAMENTS, BoardSpec

_ROW = re.compile(
    r'^\s*\{\s*"(?P<id>[^"]+)",\s*"(?P<sort>asc|desc)",\s*"(?P<op>best|set|incr|decr)",\s*'
    r'(?P<reset>nil|"[^"]*"),\s*(?P<ranks>true|false)\s*\},',
    re.MULTILINE,
)
_SORTS = {"asc": SortOrder.ASCENDING, "desc": SortOrder.DESCENDING}
_OPERATORS = {
    "best": Operator.BEST,
    "set": Operator.SET,
    "incr": Operator.INCREMENT,
    "decr": Operator.DECREMENT,
}


def lua_boards() -> dict[str, BoardSpec]:
    text = (MODULES_DIR / "gameservices_boards.lua").read_text(encoding="utf-8")
    boards = {}
    for m in _ROW.finditer(text):
        reset = None if m["reset"] == "nil" else m["reset"].strip('"')
        spec = BoardSpec(
            m["id"], _SORTS[m["sort"]], _OPERATORS[m["op"]], reset, m["ranks"] == "true"
        )
        boards[spec.id] = spec
    return boards


def test_lua_boards_match_the_reference_fixture() -> None:
    assert lua_boards() == BOARDS


def test_the_suite_has_ranked_unranked_and_resetting_boards() -> None:
    assert any(spec.ranks for spec in BOARDS.values())
    assert any(not spec.ranks for spec in BOARDS.values())
    assert any(spec.reset for spec in BOARDS.values())
    assert {spec.sort for spec in BOARDS.values()} == set(SortOrder)
    assert {spec.operator for spec in BOARDS.values()} == set(Operator) - {Operator.NO_OVERRIDE}


def test_every_module_is_lua() -> None:
    names = sorted(p.name for p in MODULES_DIR.iterdir())
    assert names == [
        "gameservices_accounts.lua",
        "gameservices_boards.lua",
        "gameservices_rpc.lua",
        "gameservices_social.lua",
        "gameservices_tournaments.lua",
    ]


_TOURNAMENT_ROW = re.compile(
    r'^\s*\{\s*"(?P<id>gs_t_\w+)",\s*(?P<auth>true|false),\s*"(?P<sort>asc|desc)",\s*'
    r'"(?P<op>best|set|incr|decr)",\s*(?P<duration>\w+),\s*(?P<reset>nil|"[^"]*"),\s*'
    r"(?P<category>\d+),\s*(?P<start>\d+),\s*(?P<end>\d+),\s*(?P<size>\d+),\s*"
    r'(?P<tries>\d+),\s*(?P<join>true|false),\s*"(?P<title>[^"]*)"\s*\},',
    re.MULTILINE,
)


def test_lua_tournaments_match_the_reference_fixture() -> None:
    text = (MODULES_DIR / "gameservices_tournaments.lua").read_text(encoding="utf-8")
    ten_years = int(re.search(r"TEN_YEARS = (\d+)", text)[1])  # type: ignore[index]
    rows = list(_TOURNAMENT_ROW.finditer(text))
    assert [m["id"] for m in rows] == list(TOURNAMENTS)
    for m in rows:
        t = TOURNAMENTS[m["id"]]
        duration = ten_years if m["duration"] == "TEN_YEARS" else int(m["duration"])
        reset = None if m["reset"] == "nil" else m["reset"].strip('"')
        assert (t.authoritative, t.sort, t.operator) == (
            m["auth"] == "true",
            _SORTS[m["sort"]],
            _OPERATORS[m["op"]],
        )
        assert (t.duration, t.reset, t.category, t.title) == (
            duration,
            reset,
            int(m["category"]),
            m["title"],
        )
        assert (t.start_time or 0, t.end_time or 0) == (int(m["start"]), int(m["end"]))
        assert (t.max_size or 0, t.max_num_score or 0) == (int(m["size"]), int(m["tries"]))
        assert t.join_required == (m["join"] == "true")
        assert t.description == "gameservices suite"
        assert t.metadata == {"suite": "gameservices"}
