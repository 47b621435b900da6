"""``client.users.get``: other players' public profiles by id or username, on both servers."""

from __future__ import annotations

import uuid

import pytest

from gameservices import Client, InvalidArgument, User

from .support import Target, device_id, username
from .test_auth import assert_api_error


async def _player(client: Client, **profile: str) -> User:
    await client.auth.device(device_id(), username=username())
    if profile:
        await client.account.update(**profile)
    return (await client.account.get()).user


async def test_by_id_and_by_username(target: Target) -> None:
    async with target.client() as alice, target.client() as bob:
        a = await _player(alice, display_name="Alice", location="Paris")
        b = await _player(bob)
        by_id = await bob.users.get(ids=[a.id])
        by_name = await bob.users.get(usernames=[b.username])
    assert by_id == [a]
    assert (by_id[0].display_name, by_id[0].location) == ("Alice", "Paris")
    assert by_name == [b]


async def test_each_user_comes_once_and_unknown_ones_are_left_out(target: Target) -> None:
    async with target.client() as alice, target.client() as bob:
        a, b = await _player(alice), await _player(bob)
        found = await bob.users.get(
            ids=[a.id, a.id, str(uuid.uuid4())],
            usernames=[a.username, b.username, username()],
        )
    assert sorted(u.id for u in found) == sorted([a.id, b.id])


async def test_nothing_asked_is_nothing_found(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        assert await client.users.get() == []
        assert await client.users.get(ids=[str(uuid.uuid4())]) == []


async def test_usernames_match_exactly(target: Target) -> None:
    async with target.client() as client:
        me = await _player(client)
        assert await client.users.get(usernames=[me.username.upper()]) == []


@pytest.mark.parametrize(
    "spell", [str.upper, lambda i: "{" + i + "}", lambda i: i.replace("-", "")]
)
async def test_an_id_may_be_spelled_as_nakama_reads_it(target: Target, spell: object) -> None:
    async with target.client() as client:
        me = await _player(client)
        assert await client.users.get(ids=[spell(me.id)]) == [me]  # type: ignore[operator]


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "123e4567-e89b-12d3-a456-42661417400"])
async def test_an_id_that_is_not_a_uuid_is_an_invalid_argument(target: Target, bad: str) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument) as caught:
            await client.users.get(ids=[bad])
        assert_api_error(caught.value, 400, 3, f"ID '{bad}' is not a valid system ID.")


async def test_facebook_ids_are_passed_on(target: Target) -> None:
    """Nobody in the suite logs in with Facebook (the reference server has no such login)."""
    async with target.client() as client:
        await client.auth.device(device_id())
        assert await client.users.get(facebook_ids=[f"gs-fb-{uuid.uuid4().hex}"]) == []
