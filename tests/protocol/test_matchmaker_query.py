"""The matchmaker query subset both sides share (``_protocol.matchmaker_query``)."""

from __future__ import annotations

import pytest

from gameservices._protocol.matchmaker_query import parse

PROPS = ({"mode": "duel", "region": "eu west"}, {"skill": 5.0, "level": 10.0})


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("*", True),
        ("+properties.mode:duel", True),
        ("+properties.mode:team", False),
        ("-properties.mode:duel", False),
        ("+properties.mode:duel -properties.region:asia", True),
        ('+properties.region:"eu west"', True),
        ("+properties.skill:>=5", True),
        ("+properties.skill:>5", False),
        ("+properties.skill:<=5 +properties.level:<11", True),
        ("+properties.skill:5", True),
        ("+properties.missing:>=0", False),
        ("properties.mode:team properties.mode:duel", True),  # one "should" is enough
        ("properties.mode:team", False),
        ("+properties.mode:duel properties.mode:team", True),  # with a must, shoulds are optional
    ],
)
def test_matches(query: str, matches: bool) -> None:
    assert parse(query).matches(*PROPS) is matches


@pytest.mark.parametrize(
    "query",
    ["", "mode:duel", "+properties.mode:du~1", '+properties.a:"open', "properties.x:[1 TO 2]"],
)
def test_outside_the_subset_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="Invalid matchmaker query"):
        parse(query)
