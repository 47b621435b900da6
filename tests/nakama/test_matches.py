"""Match listing (``client.matches.list``) on both servers: the filters Nakama checks, and
listings that find nothing. A long-lived Nakama may run matches other suites started, so only
filters no match can pass are asserted empty; the reference server runs no matches at all."""

from __future__ import annotations

import uuid

import pytest

from gameservices import InvalidArgument, Match
from gameservices._protocol import routes
from gameservices._protocol.api import Request
from gameservices._protocol.matches import parse_match_list

from .support import Target, device_id


async def test_listings_parse_and_filters_that_match_nothing_are_empty(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        everything = await client.matches.list(limit=100)
        assert all(isinstance(m, Match) and m.match_id for m in everything.matches)
        label = f"gs-no-such-label-{uuid.uuid4().hex}"
        none = await client.matches.list(authoritative=True, label=label)
        assert none.matches == ()
        query = await client.matches.list(authoritative=True, query=f"+label.mode:{label}")
        assert query.matches == ()
        big = await client.matches.list(min_size=1_000_000, max_size=2_000_000)
        assert big.matches == ()


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and 100"),
        ({"limit": 101}, "limit must be between 1 and 100"),
        ({"label": "x", "authoritative": False}, "Label filtering is not supported"),
        ({"query": "x", "authoritative": False}, "Query filtering is not supported"),
        ({"min_size": -1}, "Minimum size must be 0 or above"),
        ({"max_size": -1}, "Maximum size must be 0 or above"),
        ({"min_size": 3, "max_size": 2}, "greater than or equal to minimum size"),
    ],
)
async def test_the_client_refuses_what_the_server_would(
    target: Target, filters: dict[str, object], message: str
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(ValueError, match=message):
            await client.matches.list(**filters)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ((("limit", "0"),), "Invalid limit - limit must be between 1 and 100."),
        ((("label", "x"), ("authoritative", "false")), "Label filtering"),
        ((("min_size", "3"), ("max_size", "2")), "Maximum size must be greater"),
    ],
)
async def test_the_server_refuses_bad_filters_as_nakama(
    target: Target, query: tuple[tuple[str, str], ...], message: str
) -> None:
    """The same checks, sent raw to the server (past the client's own)."""
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument, match=message):
            await client.send(Request("GET", routes.MATCHES, query), parse_match_list)
