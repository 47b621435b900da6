"""Match listing (``client.matches.list``) on both servers: the filters Nakama checks, relayed
matches made on the realtime socket, and listings that find nothing. A long-lived Nakama may
run matches other tests started, so a test looks only for its own match."""

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


async def test_relayed_matches_are_listed_with_their_players(target: Target) -> None:
    async with target.client() as a, target.client() as b:
        for client in (a, b):
            await client.auth.device(device_id())
        async with a.realtime() as a_rt, b.realtime() as b_rt:
            match = await a_rt.create_match()
            await b_rt.join_match(match.match_id)
            pairs = await a.matches.list(min_size=2, max_size=2, limit=100)
            (ours,) = [m for m in pairs.matches if m.match_id == match.match_id]
            assert ours == Match(match.match_id, False, "", 2, 0, "")
            relayed = await a.matches.list(authoritative=False, min_size=2, limit=100)
            assert match.match_id in [m.match_id for m in relayed.matches]
            for hidden in (
                await a.matches.list(authoritative=True, limit=100),
                await a.matches.list(label="any", limit=100),
                await a.matches.list(min_size=3, limit=100),
                await a.matches.list(max_size=1, limit=100),
            ):
                assert match.match_id not in [m.match_id for m in hidden.matches]
            await b_rt.leave_match(match.match_id)
            await a_rt.leave_match(match.match_id)
        gone = await a.matches.list(limit=100)
        assert match.match_id not in [m.match_id for m in gone.matches]
