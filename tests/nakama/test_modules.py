"""The Lua modules create on Nakama exactly the boards the reference fixture is configured with
(``support.BOARDS``): same ids, sort orders and operators; ranks and resets as declared."""

from __future__ import annotations

import re

from gameservices.server import Operator, SortOrder

from .support import BOARDS, MODULES_DIR, BoardSpec

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
    assert names == ["gameservices_accounts.lua", "gameservices_boards.lua", "gameservices_rpc.lua"]
