"""``client.rpc``: server functions with JSON in and out, with a session and server to server
with the runtime HTTP key, on both servers (Nakama runs tests/nakama/modules/
gameservices_accounts.lua, the reference server tests/nakama/rpc_handlers.py: the same RPCs)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from gameservices import (
    AuthError,
    Client,
    InvalidArgument,
    NotFound,
    ServerError,
    UsageError,
)

from .support import Target, device_id, username
from .test_auth import assert_api_error

_checked: set[str] = set()


@pytest.fixture
async def client(target: Target) -> AsyncIterator[Client]:
    async with target.client() as client:
        await client.auth.device(device_id(), username=username())
        if target.is_nakama and target.url not in _checked:
            try:
                await client.rpc("gs_nothing")
            except NotFound:
                pytest.fail(
                    f"Nakama at {target.url} lacks gameservices_accounts.lua: restart it with "
                    "--runtime tests/nakama/modules"
                )
            _checked.add(target.url)
        yield client


@pytest.mark.parametrize(
    "payload",
    [
        {"level": 3, "items": ["sword", "shield"], "gold": 12.5, "ok": True, "none": None},
        ["a", 1, [2, {"b": "c"}]],
        "just a string",
        42,
        -0.5,
        False,
        {"unicode": "é ü 漢字 🎮", "quote": "\"'\\", "newline": "a\nb"},
        {},
    ],
)
async def test_json_goes_in_and_comes_back(client: Client, payload: Any) -> None:
    assert await client.rpc("gs_echo", payload) == payload


async def test_the_function_sees_the_session_and_the_payload_encoded_once(
    client: Client,
) -> None:
    session = client.session
    assert session is not None
    seen = await client.rpc("gs_whoami", {"a": 1})
    assert seen == {
        "user_id": session.user_id,
        "username": session.username,
        "vars": {},
        "payload": '{"a":1}',
    }


async def test_no_payload_is_an_empty_one_and_an_empty_answer_is_none(client: Client) -> None:
    assert (await client.rpc("gs_whoami"))["payload"] == ""
    assert await client.rpc("gs_nothing", {"ignored": True}) is None


async def test_ids_are_case_insensitive(client: Client) -> None:
    assert await client.rpc("GS_Echo", [1]) == [1]


async def test_server_to_server_with_the_http_key(target: Target) -> None:
    async with target.client() as client:  # no session needed
        seen = await client.rpc("gs_whoami", {"from": "backend"}, http_key=target.http_key)
        assert client.session is None
    assert seen == {"user_id": "", "username": "", "vars": {}, "payload": '{"from":"backend"}'}


async def test_a_wrong_http_key_is_refused_and_never_shown(target: Target) -> None:
    secret = "gs-wrong-key-" + "s3cr3t" * 4
    async with target.client() as client:
        with pytest.raises(AuthError) as caught:
            await client.rpc("gs_whoami", http_key=secret)
    assert_api_error(caught.value, 401, 16, "HTTP key invalid")
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)
    assert secret not in caught.value.url


async def test_without_a_session_or_a_key_it_is_a_usage_error(target: Target) -> None:
    async with target.client() as client:
        with pytest.raises(UsageError):
            await client.rpc("gs_echo", {})


async def test_an_unknown_function_is_not_found(client: Client) -> None:
    with pytest.raises(NotFound) as caught:
        await client.rpc("gs_no_such_function", {})
    assert_api_error(caught.value, 404, 5, "RPC function not found")


@pytest.mark.parametrize(
    ("code", "error", "status", "sent"),
    [
        (3, InvalidArgument, 400, 3),
        (5, NotFound, 404, 5),
        (7, AuthError, 403, 7),
        (16, AuthError, 401, 16),
        (99, ServerError, 500, 13),
        (0, ServerError, 500, 13),
    ],
)
async def test_a_functions_error_keeps_its_code(
    client: Client, code: int, error: type[Exception], status: int, sent: int
) -> None:
    with pytest.raises(error) as caught:
        await client.rpc("gs_fail", {"message": "not today", "code": code})
    assert_api_error(caught.value, status, sent, "not today")  # type: ignore[arg-type]


async def test_a_broken_function_is_a_server_error_with_its_message(client: Client) -> None:
    """Not OutcomeUnknown: the server answered, so the function ran and failed."""
    with pytest.raises(ServerError) as caught:
        await client.rpc("gs_crash", {})
    assert_api_error(caught.value, 500, 13, "gameservices: this function is broken on purpose")


@pytest.mark.parametrize("payload", [{"when": object()}, {"nan": math.nan}, {1j}])
async def test_a_payload_that_is_not_json_is_refused_before_sending(
    client: Client, payload: Any
) -> None:
    with pytest.raises(TypeError, match="an RPC payload must be JSON"):
        await client.rpc("gs_echo", payload)


async def test_the_http_key_in_the_query_and_unwrap_as_nakama_takes_them(target: Target) -> None:
    """What other backends (and the differential test's board RPCs) send: ``?http_key=KEY&unwrap``
    with the payload raw; the answer is the raw payload under the request's Content-Type."""
    url = f"{target.url}/v2/rpc/gs_echo?http_key={target.http_key}&unwrap"
    async with aiohttp.ClientSession() as http:
        headers = {"Content-Type": "application/json"}
        async with http.post(url, data=b'{"raw": true}', headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            assert await resp.read() == b'{"raw": true}'
