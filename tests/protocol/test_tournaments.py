"""Tournament and match-listing wire rules: builders, parsers, query rules (plain values)."""

from __future__ import annotations

import pytest

from gameservices import Match, Operator, ProtocolError, Tournament
from gameservices._protocol import matches, tournaments
from gameservices._protocol.wire import SortOrder


def test_builders_spell_nakamas_paths_and_queries() -> None:
    req = tournaments.list_tournaments(category_start=1, category_end=2, end_time=0, limit=5)
    assert (req.method, req.path) == ("GET", "/v2/tournament")
    assert req.query == (("category_start", "1"), ("category_end", "2"), ("end_time", "0"),
                         ("limit", "5"))  # fmt: skip
    write = tournaments.write_tournament_record("a/b", 3, operator="incr")
    assert (write.method, write.path, write.idempotent) == ("PUT", "/v2/tournament/a%2Fb", False)
    assert write.idempotency_key
    assert write.body == b'{"score":"3","subscore":"0","operator":"INCREMENT"}'
    around = tournaments.list_tournament_records_around("t", "u 1", limit=3)
    assert (around.path, around.query) == ("/v2/tournament/t/owner/u%201", (("limit", "3"),))
    records = tournaments.list_tournament_records("t", owner_ids=["x", "y"], expiry=0)
    assert records.query == (("expiry", "0"), ("owner_ids", "x"), ("owner_ids", "y"))
    assert tournaments.join_tournament("t").path == "/v2/tournament/t/join"


@pytest.mark.parametrize(
    "kwargs",
    [{"category_end": 128}, {"limit": 0}, {"limit": 101}, {"start_time": -1}, {"limit": True}],
)
def test_list_arguments_out_of_range_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be an int between"):
        tournaments.list_tournaments(**kwargs)  # type: ignore[arg-type]


def test_a_tournament_parses_with_numbers_as_nakama_sends_them() -> None:
    t = tournaments.parse_tournament(
        {
            "id": "cup",
            "category": 3,
            "sort_order": 1,
            "max_size": 2147483647,
            "end_active": 4102448400,
            "operator": 3,
            "can_enter": True,
            "metadata": '{"a": 1}',
            "start_time": "2026-12-02T18:36:13Z",
            "join_required": True,
        }
    )
    assert isinstance(t, Tournament)
    assert (t.category, t.sort_order, t.operator) == (3, SortOrder.DESCENDING, Operator.INCREMENT)
    assert (t.max_size, t.end_active, t.metadata) == (2147483647, 4102448400, {"a": 1})
    assert t.start_time is not None
    assert t.end_time is None
    assert t.join_required
    empty = tournaments.parse_tournament_list({})
    assert (empty.tournaments, empty.cursor) == ((), None)


@pytest.mark.parametrize(
    "bad", [{"category": "3"}, {"size": -1}, {"max_size": 2**32}, {"operator": 9}, {"can_enter": 1}]
)
def test_a_tournament_of_the_wrong_shape_is_the_servers_fault(bad: dict[str, object]) -> None:
    with pytest.raises(ProtocolError):
        tournaments.parse_tournament({"id": "x", **bad})


def test_query_rules_read_as_grpc_gateway_and_nakama() -> None:
    assert tournaments.parse_uint32(None, "x") is None
    assert tournaments.parse_uint32("42", "x") == 42
    with pytest.raises(ValueError, match='parsing "-1": invalid syntax'):
        tournaments.parse_uint32("-1", "category_start")
    with pytest.raises(ValueError, match="value out of range"):
        tournaments.parse_uint32("99999999999", "start_time")
    assert tournaments.parse_list_limit("7") == 7
    with pytest.raises(ValueError, match=r"^Limit must be between 1 and 100\.$"):
        tournaments.parse_list_limit("0")
    with pytest.raises(ValueError, match="ParseInt"):
        tournaments.parse_list_limit("x")


def test_match_listing_rules() -> None:
    f = matches.MatchFilter(limit=5, authoritative=True, label="duel", min_size=1, max_size=2)
    req = matches.list_matches(f)
    assert req.query == (("limit", "5"), ("authoritative", "true"), ("label", "duel"),
                         ("min_size", "1"), ("max_size", "2"))  # fmt: skip
    with pytest.raises(TypeError, match="limit must be an int"):
        matches.list_matches(matches.MatchFilter(limit="5"))  # type: ignore[arg-type]
    assert matches.parse_match_query({"authoritative": "t"}).authoritative is True
    with pytest.raises(ValueError, match="ParseBool"):
        matches.parse_match_query({"authoritative": "maybe"})
    with pytest.raises(ValueError, match="Query filtering"):
        matches.parse_match_query({"query": "x", "authoritative": "0"})
    found = matches.parse_match_list(
        {"matches": [{"match_id": "m.", "authoritative": True, "size": 2, "tick_rate": 10}]}
    )
    assert found.matches == (Match("m.", True, "", 2, 10, ""),)
    with pytest.raises(ProtocolError):
        matches.parse_match_list({"matches": [{"size": "2"}]})
