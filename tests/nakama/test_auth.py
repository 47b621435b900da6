"""Device, custom and email authentication through the public ``Client``, on both servers."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from gameservices import APIError, AuthError, Conflict, InvalidArgument, NotFound

from .support import Target, device_id, username


def assert_api_error(exc: APIError, status: int, code: int, message: str) -> None:
    assert (exc.status, exc.code, exc.message) == (status, code, message)


def email_address() -> str:
    return f"gs-{uuid.uuid4().hex}@example.com"


async def test_device_create_then_login(target: Target) -> None:
    device, name = device_id(), username()
    async with target.client() as client:
        created = await client.auth.device(device, create=True, username=name)
        assert (created.created, created.username) == (True, name)
        assert str(uuid.UUID(created.user_id)) == created.user_id
        assert created.expires_at > datetime.now(timezone.utc)
        assert created.refresh_expires_at > created.expires_at
        again = await client.auth.device(device, create=False)
        assert (again.created, again.user_id, again.username) == (False, created.user_id, name)
        # create=True for an existing device logs in: it does not make a second account.
        third = await client.auth.device(device, create=True)
        assert (third.created, third.user_id) == (False, created.user_id)


async def test_device_without_username_gets_a_generated_one(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        assert len(session.username) == 10
        assert session.username.isascii()
        assert session.username.isalpha()


async def test_unknown_device_without_create_is_not_found(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(NotFound) as caught:
            await client.auth.device(device_id(), create=False)
        assert_api_error(caught.value, 404, 5, "User account not found.")
        assert client.session is None


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ("short", "Device ID invalid, must be 10-128 bytes."),
        ("d" * 129, "Device ID invalid, must be 10-128 bytes."),
        ("has a space in it", "Device ID invalid, no spaces or control characters allowed."),
        ("tab\there-0123", "Device ID invalid, no spaces or control characters allowed."),
    ],
)
async def test_bad_device_id_is_invalid_argument(target: Target, device: str, message: str) -> None:
    async with target.client() as client:
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.device(device)
        assert_api_error(caught.value, 400, 3, message)


async def test_taken_username_is_a_conflict(target: Target) -> None:
    name = username()
    async with target.client() as client:
        await client.auth.device(device_id(), username=name)
        with pytest.raises(Conflict) as caught:
            await client.auth.device(device_id(), username=name)
        assert_api_error(caught.value, 409, 6, "Username is already in use.")


async def test_username_may_contain_a_space(target: Target) -> None:
    name = f"gs {uuid.uuid4().hex[:20]}"
    async with target.client() as client:
        session = await client.auth.device(device_id(), username=name)
        assert session.username == name


async def test_username_with_a_control_character_is_invalid(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.device(device_id(), username=f"gs\x07{uuid.uuid4().hex[:8]}")
        assert_api_error(
            caught.value, 400, 3, "Username invalid, no spaces or control characters allowed."
        )


async def test_custom_create_login_and_rules(target: Target) -> None:
    custom = f"gs-custom-{uuid.uuid4().hex}"
    async with target.client() as client:
        created = await client.auth.custom(custom, create=True)
        assert created.created
        again = await client.auth.custom(custom, create=False)
        assert (again.created, again.user_id) == (False, created.user_id)
        with pytest.raises(NotFound):
            await client.auth.custom(f"gs-custom-{uuid.uuid4().hex}", create=False)
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.custom("short")
        assert_api_error(caught.value, 400, 3, "Custom ID invalid, must be 6-128 bytes.")


async def test_a_device_and_a_custom_id_are_separate_accounts(target: Target) -> None:
    same = f"gs-same-{uuid.uuid4().hex}"
    async with target.client() as client:
        by_device = await client.auth.device(same)
        by_custom = await client.auth.custom(same)
        assert by_device.user_id != by_custom.user_id


async def test_email_create_login_and_wrong_password(target: Target) -> None:
    email = email_address()
    async with target.client() as client:
        created = await client.auth.email(email, "correct horse", create=True)
        assert created.created
        again = await client.auth.email(email, "correct horse", create=False)
        assert (again.created, again.user_id) == (False, created.user_id)
        for create in (False, True):  # a wrong password never creates or logs in
            with pytest.raises(AuthError) as caught:
                await client.auth.email(email, "wrong password", create=create)
            assert_api_error(caught.value, 401, 16, "Invalid credentials.")


async def test_email_is_case_insensitive(target: Target) -> None:
    local = f"gs-{uuid.uuid4().hex}"
    async with target.client() as client:
        created = await client.auth.email(f"{local.upper()}@Example.COM", "correct horse")
        again = await client.auth.email(f"{local}@example.com", "correct horse", create=False)
        assert again.user_id == created.user_id


async def test_unknown_email_without_create_is_not_found(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(NotFound) as caught:
            await client.auth.email(email_address(), "correct horse", create=False)
        assert_api_error(caught.value, 404, 5, "User account not found.")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email-address", "correct horse", "Invalid email address format."),
        ("a@b.c", "correct horse", "Invalid email address, must be 10-255 bytes."),
        ("gs-short-password@example.com", "short", "Password must be at least 8 characters long."),
        ("has space@example.com", "correct horse",
         "Invalid email address, no spaces or control characters allowed."),
    ],
)  # fmt: skip
async def test_bad_email_input_is_invalid_argument(
    target: Target, email: str, password: str, message: str
) -> None:
    async with target.client() as client:
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.email(email, password)
        assert_api_error(caught.value, 400, 3, message)


async def test_email_without_password_is_invalid_argument(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(InvalidArgument) as caught:
            await client.auth.email(email_address(), "")
        assert_api_error(caught.value, 400, 3, "Password must be at least 8 characters long.")


async def test_wrong_server_key_is_refused(target: Target) -> None:
    async with target.client(server_key="not-the-server-key") as client:
        with pytest.raises(AuthError) as caught:
            await client.auth.device(device_id())
        assert_api_error(caught.value, 401, 16, "Server key invalid")


async def test_vars_are_in_the_session(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id(), vars={"lang": "fr", "build": "1.2"})
        assert dict(session.vars) == {"lang": "fr", "build": "1.2"}
        refreshed = await client.auth.refresh()
        assert dict(refreshed.vars) == {"lang": "fr", "build": "1.2"}
