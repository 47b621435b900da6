"""Linking and unlinking a device, custom id and email (``client.auth.link_*``/``unlink_*``),
through the public ``Client`` on both servers, with Nakama 3.40's answers."""

from __future__ import annotations

import uuid

import pytest

from gameservices import AuthError, Conflict, InvalidArgument, NotFound

from .support import Target, device_id
from .test_auth import assert_api_error, email_address

LAST = "Cannot unlink last account identifier. Check profile exists and is not last link."


def custom_id() -> str:
    return f"gs-custom-{uuid.uuid4().hex}"


async def test_a_linked_device_logs_in_to_the_same_account(target: Target) -> None:
    first, second = device_id(), device_id()
    async with target.client() as client:
        session = await client.auth.device(first)
        await client.auth.link_device(second)
        await client.auth.link_device(second)  # your own device again: nothing changes
        # In no promised order: Nakama's query has none (one run gave insertion order).
        assert sorted((await client.account.get()).devices) == sorted((first, second))
        again = await client.auth.device(second, create=False)
        assert (again.user_id, again.created) == (session.user_id, False)
        await client.auth.unlink_device(first)
        assert (await client.account.get()).devices == (second,)
        with pytest.raises(NotFound) as caught:
            await client.auth.device(first, create=False)
        assert_api_error(caught.value, 404, 5, "User account not found.")


async def test_a_custom_id_replaces_the_previous_one(target: Target) -> None:
    old, new = custom_id(), custom_id()
    async with target.client() as client:
        session = await client.auth.custom(old)
        await client.auth.link_custom(new)
        await client.auth.link_custom(new)
        assert (await client.account.get()).custom_id == new
        assert (await client.auth.custom(new, create=False)).user_id == session.user_id
        with pytest.raises(NotFound):
            await client.auth.custom(old, create=False)


async def test_a_linked_email_logs_in_with_its_password(target: Target) -> None:
    email = email_address()
    async with target.client() as client:
        session = await client.auth.device(device_id())
        await client.auth.link_email(email.upper(), "correct horse")
        assert (await client.account.get()).email == email  # stored in lower case
        login = await client.auth.email(email, "correct horse", create=False)
        assert login.user_id == session.user_id
        with pytest.raises(AuthError) as caught:
            await client.auth.email(email, "wrong password", create=False)
        assert_api_error(caught.value, 401, 16, "Invalid credentials.")
        await client.auth.link_email(email, "battery staple")  # a new password replaces it
        assert (await client.auth.email(email, "battery staple")).user_id == session.user_id
        await client.auth.unlink_email(email.upper())  # matched in lower case
        assert (await client.account.get()).email == ""
        with pytest.raises(NotFound):
            await client.auth.email(email, "battery staple", create=False)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("device", "Device ID already in use."),
        ("custom", "Custom ID is already in use."),
        ("email", "Email is already in use."),
    ],
)
async def test_an_id_another_account_holds_is_a_conflict(
    target: Target, kind: str, message: str
) -> None:
    taken = {"device": device_id(), "custom": custom_id(), "email": email_address()}[kind]
    async with target.client() as owner, target.client() as other:
        if kind == "email":
            await owner.auth.email(taken, "correct horse")
        else:
            await getattr(owner.auth, kind)(taken)
        await other.auth.device(device_id())
        args = (taken, "correct horse") if kind == "email" else (taken,)
        with pytest.raises(Conflict) as caught:
            await getattr(other.auth, f"link_{kind}")(*args)
        assert_api_error(caught.value, 409, 6, message)


async def test_the_last_way_to_log_in_cannot_be_unlinked(target: Target) -> None:
    device, custom, email = device_id(), custom_id(), email_address()
    async with target.client() as client:
        await client.auth.device(device)
        with pytest.raises(AuthError) as caught:
            await client.auth.unlink_device(device)
        assert_api_error(caught.value, 403, 7, LAST)
        await client.auth.link_custom(custom)
        await client.auth.unlink_device(device)  # the custom id still logs in
        with pytest.raises(AuthError) as caught:
            await client.auth.unlink_custom()
        assert_api_error(caught.value, 403, 7, LAST)
        await client.auth.link_email(email, "correct horse")
        await client.auth.unlink_custom()  # "" unlinks whichever custom id is linked
        with pytest.raises(AuthError) as caught:
            await client.auth.unlink_email(email)
        assert_api_error(caught.value, 403, 7, LAST)
        account = await client.account.get()
        assert (account.devices, account.custom_id, account.email) == ((), "", email)


async def test_what_is_not_yours_cannot_be_unlinked(target: Target) -> None:
    theirs = device_id()
    async with target.client() as owner, target.client() as client:
        await owner.auth.device(theirs)
        await client.auth.device(device_id())
        await client.auth.link_custom(custom_id())
        for unlink in (
            client.auth.unlink_device(theirs),
            client.auth.unlink_custom(custom_id()),
            client.auth.unlink_email(email_address()),
        ):
            with pytest.raises(AuthError) as caught:
                await unlink
            assert_api_error(caught.value, 403, 7, LAST)
        assert (await owner.auth.device(theirs, create=False)).created is False


async def test_unlinking_nothing_named_succeeds_when_another_login_remains(
    target: Target,
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        await client.auth.unlink_custom()  # the account has none: nothing to clear
        await client.auth.unlink_email()
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.unlink_device("")
        assert_api_error(caught.value, 400, 3, "A device ID must be supplied.")


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("device", "", "Device ID is required."),
        ("device", "short", "Device ID invalid, must be 10-128 bytes."),
        ("device", "d" * 129, "Device ID invalid, must be 10-128 bytes."),
        ("device", "has a space in it",
         "Device ID invalid, no spaces or control characters allowed."),
        ("custom", "", "Custom ID is required."),
        ("custom", "short", "Invalid custom ID, must be 6-128 bytes."),
        ("custom", "c" * 129, "Invalid custom ID, must be 6-128 bytes."),
        ("custom", "tab\there-01", "Invalid custom ID, no spaces or control characters allowed."),
    ],
)  # fmt: skip
async def test_bad_ids_are_refused(target: Target, kind: str, value: str, message: str) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument) as caught:
            await getattr(client.auth, f"link_{kind}")(value)
        assert_api_error(caught.value, 400, 3, message)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "correct horse", "Email address and password is required."),
        ("gs-no-password@example.com", "", "Email address and password is required."),
        ("has space@example.com", "short",
         "Invalid email address, no spaces or control characters allowed."),
        ("not-an-email", "short", "Password must be at least 8 characters long."),
        ("not-an-email", "correct horse", "Invalid email address format."),
        ("a@b.c", "correct horse", "Invalid email address, must be 10-255 bytes."),
    ],
)  # fmt: skip
async def test_bad_emails_are_refused_in_the_link_order(
    target: Target, email: str, password: str, message: str
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.link_email(email, password)
        assert_api_error(caught.value, 400, 3, message)


async def test_linking_keeps_the_session(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        await client.auth.link_custom(custom_id())
        assert client.session is session
        assert (await client.account.get()).user.id == session.user_id
