"""``client.account``: get, update, delete, through the public ``Client`` on both servers."""

from __future__ import annotations

import uuid

import pytest

from gameservices import (
    Account,
    Conflict,
    InvalidArgument,
    NotFound,
    StorageId,
    StorageWrite,
    UsageError,
)

from .support import Target, device_id, username
from .test_auth import assert_api_error, email_address


async def test_get_after_a_device_login(target: Target) -> None:
    device, name = device_id(), username()
    async with target.client() as client:
        session = await client.auth.device(device, username=name)
        account = await client.account.get()
    assert isinstance(account, Account)
    assert (account.user.id, account.user.username) == (session.user_id, name)
    assert account.devices == (device,)
    assert (account.email, account.custom_id, dict(account.wallet)) == ("", "", {})
    assert (account.verify_time, account.disable_time) == (None, None)
    user = account.user
    assert (user.display_name, user.lang_tag, user.avatar_url, dict(user.metadata)) == (
        "",
        "en",
        "",
        {},
    )
    assert user.create_time is not None
    assert user.update_time is not None
    assert user.update_time >= user.create_time


async def test_get_shows_the_email_and_the_custom_id(target: Target) -> None:
    email, custom = email_address(), f"gs-custom-{uuid.uuid4().hex}"
    async with target.client() as client:
        await client.auth.email(email.upper(), "correct horse")
        by_email = await client.account.get()
        await client.auth.custom(custom)
        by_custom = await client.account.get()
    assert (by_email.email, by_email.custom_id, by_email.devices) == (email, "", ())
    assert (by_custom.email, by_custom.custom_id, by_custom.devices) == ("", custom, ())


async def test_update_changes_only_what_is_given(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        await client.account.update(
            display_name="Ada L.",
            avatar_url="https://example.com/ada.png",
            lang_tag="fr",
            location="Paris",
            timezone="Europe/Paris",
        )
        await client.account.update(location="Lyon")
        user = (await client.account.get()).user
    assert (user.display_name, user.avatar_url, user.lang_tag) == (
        "Ada L.",
        "https://example.com/ada.png",
        "fr",
    )
    assert (user.location, user.timezone) == ("Lyon", "Europe/Paris")


async def test_an_empty_string_clears_a_field(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        await client.account.update(display_name="Ada", location="Paris")
        await client.account.update(display_name="")
        user = (await client.account.get()).user
    assert (user.display_name, user.location) == ("", "Paris")


async def test_a_new_username_is_seen_by_others_and_by_the_next_refresh(target: Target) -> None:
    old, new = username(), username()
    async with target.client() as client, target.client() as other:
        session = await client.auth.device(device_id(), username=old)
        await client.account.update(username=new)
        assert (await client.account.get()).user.username == new
        refreshed = await client.auth.refresh()
        assert refreshed.username == new
        await other.auth.device(device_id())
        found = await other.users.get(usernames=[old, new])
    assert [(u.id, u.username) for u in found] == [(session.user_id, new)]


async def test_keeping_ones_own_username_is_fine(target: Target) -> None:
    name = username()
    async with target.client() as client:
        await client.auth.device(device_id(), username=name)
        await client.account.update(username=name)
        assert (await client.account.get()).user.username == name


async def test_a_taken_username_is_a_conflict(target: Target) -> None:
    taken = username()
    async with target.client() as client:
        await client.auth.device(device_id(), username=taken)
        await client.auth.device(device_id())
        with pytest.raises(Conflict) as caught:
            await client.account.update(username=taken, display_name="Not applied")
        # Nakama 3.40 answers 400 code 3 with its gRPC status text; the client names it.
        assert_api_error(caught.value, 400, 3, "Username is already in use.")
        assert isinstance(caught.value.__cause__, InvalidArgument)
        assert caught.value.__cause__.message == (
            "rpc error: code = AlreadyExists desc = Username is already in use."
        )
        assert (await client.account.get()).user.display_name == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Username invalid, must be 1-128 bytes."),
        ("u" * 129, "Username invalid, must be 1-128 bytes."),
        ("é" * 65, "Username invalid, must be 1-128 bytes."),
        ("gs\x07bell", "Username invalid, no spaces or control characters allowed."),
        ("gs[]x", "Username invalid, no spaces or control characters allowed."),
    ],
)
async def test_bad_usernames_are_invalid_arguments(target: Target, name: str, message: str) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument) as caught:
            await client.account.update(username=name)
        assert_api_error(caught.value, 400, 3, message)


async def test_an_update_of_nothing_is_an_invalid_argument(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument) as caught:
            await client.account.update()
        assert_api_error(caught.value, 400, 3, "No fields to update.")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lang_tag": ""}, "Lang tag cannot be empty."),
        ({"lang_tag": "x" * 19}, "Lang tag must be at most 18 characters."),
        ({"display_name": "é" * 256}, "Display name must be at most 255 characters."),
        ({"avatar_url": "x" * 513}, "Avatar URL must be at most 512 characters."),
        ({"location": "a\x00b"}, "Location must not contain a NUL character."),
    ],
)
async def test_values_nakama_cannot_store_are_refused_before_sending(
    target: Target, changes: dict[str, str], message: str
) -> None:
    """Nakama answers these with 500 (its columns refuse them): the client says why first."""
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(ValueError, match=message):
            await client.account.update(**changes)


async def test_the_longest_values_fit(target: Target) -> None:
    """The sizes are characters (PostgreSQL VARCHAR), not bytes."""
    async with target.client() as client:
        await client.auth.device(device_id())
        await client.account.update(display_name="é" * 255, lang_tag="x" * 18)
        user = (await client.account.get()).user
    assert (user.display_name, user.lang_tag) == ("é" * 255, "x" * 18)


async def test_wrong_types_are_type_errors(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(TypeError, match="display_name must be a str or None, not int"):
            await client.account.update(display_name=5)  # type: ignore[arg-type]  # on purpose
        with pytest.raises(TypeError, match="ids must be a sequence of strings, not one string"):
            await client.users.get(ids="not-a-list")


async def test_delete_removes_the_account_and_forgets_the_session(target: Target) -> None:
    device = device_id()
    async with target.client() as client, target.client() as other:
        session = await client.auth.device(device)
        await client.account.delete()
        assert client.session is None
        with pytest.raises(NotFound) as caught:
            await client.auth.device(device, create=False)
        assert_api_error(caught.value, 404, 5, "User account not found.")
        await other.auth.device(device_id())
        assert await other.users.get(ids=[session.user_id]) == []


async def test_delete_removes_the_players_records(target: Target) -> None:
    board = "gs_best_desc"
    async with target.client() as client, target.client() as other:
        session = await client.auth.device(device_id())
        await client.leaderboards.write(board, 10)
        await client.account.delete()
        await other.auth.device(device_id())
        page = await other.leaderboards.list(board, owner_ids=[session.user_id])
    assert page.owner_records == ()
    assert all(r.owner_id != session.user_id for r in page.records)


async def test_a_new_account_can_take_a_deleted_accounts_username(target: Target) -> None:
    name = username()
    async with target.client() as client:
        await client.auth.device(device_id(), username=name)
        await client.account.delete()
        again = await client.auth.device(device_id(), username=name)
    assert again.username == name


async def test_account_calls_need_a_session(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(UsageError):
            await client.account.get()


async def test_delete_removes_the_players_storage_objects(target: Target) -> None:
    collection, key = "gs_account_delete", uuid.uuid4().hex
    async with target.client() as client, target.client() as other:
        session = await client.auth.device(device_id())
        await client.storage.write([StorageWrite(collection, key, {"a": 1}, permission_read=2)])
        await other.auth.device(device_id())
        theirs = StorageId(collection, key, user_id=session.user_id)
        assert [o.value for o in await other.storage.read([theirs])] == [{"a": 1}]
        await client.account.delete()
        assert await other.storage.read([theirs]) == []
