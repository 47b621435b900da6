"""``rt.rpc`` over the socket on both servers: the same functions as ``client.rpc`` (Nakama runs
tests/nakama/modules, the reference server tests/nakama/rpc_handlers.py), with the socket's
context and Nakama's socket errors (code 7 for any failure of the function, whatever its own
code; code 6 for an unknown one)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from yarl import URL

from gameservices import Client, RealtimeError
from gameservices._client.realtime import Realtime, socket_url
from gameservices._protocol import realtime as rt

from .support import Target, device_id, username

WAIT = 10.0


@pytest.fixture
async def player(target: Target) -> AsyncIterator[tuple[Client, Realtime]]:
    async with target.client() as client:
        await client.auth.device(device_id(), username=username(), vars={"tier": "gold"})
        async with client.realtime() as sock:
            yield client, sock


@pytest.mark.parametrize(
    "payload",
    [
        {"level": 3, "items": ["sword"], "gold": 12.5, "ok": True, "none": None},
        ["a", 1, [2, {"b": "c"}]],
        "just a string",
        42,
        {"unicode": "é 漢字 🎮", "quote": "\"'\\", "newline": "a\nb"},
    ],
)
async def test_json_goes_in_and_comes_back(player: tuple[Client, Realtime], payload: Any) -> None:
    _, sock = player
    assert await sock.rpc("gs_echo", payload) == payload


async def test_the_function_sees_the_sockets_session_and_the_payload_once(
    player: tuple[Client, Realtime],
) -> None:
    client, sock = player
    session = client.session
    assert session is not None
    seen = await sock.rpc("gs_whoami", {"a": 1})
    assert seen == {
        "user_id": session.user_id,
        "username": session.username,
        "vars": {"tier": "gold"},
        "payload": '{"a":1}',
    }
    assert seen == await client.rpc("gs_whoami", {"a": 1})  # REST sees the same


async def test_no_payload_and_no_answer(player: tuple[Client, Realtime]) -> None:
    _, sock = player
    assert (await sock.rpc("gs_whoami"))["payload"] == ""
    assert await sock.rpc("gs_nothing", {"ignored": True}) is None


async def test_ids_are_case_insensitive(player: tuple[Client, Realtime]) -> None:
    assert await player[1].rpc("GS_Echo", [1]) == [1]


@pytest.mark.parametrize("code", [3, 5, 16, 99])
async def test_a_functions_error_is_code_7_with_its_message(
    player: tuple[Client, Realtime], code: int
) -> None:
    with pytest.raises(RealtimeError) as caught:
        await player[1].rpc("gs_fail", {"message": "not today", "code": code})
    assert caught.value.code == rt.ErrorCode.RUNTIME_FUNCTION_EXCEPTION
    assert "not today" in str(caught.value)


async def test_a_broken_function_is_code_7_with_its_message(
    player: tuple[Client, Realtime],
) -> None:
    with pytest.raises(RealtimeError) as caught:
        await player[1].rpc("gs_crash")
    assert caught.value.code == rt.ErrorCode.RUNTIME_FUNCTION_EXCEPTION
    assert "gameservices: this function is broken on purpose" in str(caught.value)


async def test_an_unknown_function_is_code_6(player: tuple[Client, Realtime]) -> None:
    with pytest.raises(RealtimeError) as caught:
        await player[1].rpc("gs_no_such_function", {})
    assert caught.value.code == rt.ErrorCode.RUNTIME_FUNCTION_NOT_FOUND


async def test_bad_arguments_are_refused_before_sending(player: tuple[Client, Realtime]) -> None:
    _, sock = player
    with pytest.raises(ValueError, match="id"):
        await sock.rpc("")
    with pytest.raises(TypeError, match="an RPC payload must be JSON"):
        await sock.rpc("gs_echo", {"when": object()})
    assert await sock.rpc("gs_echo", 1) == 1  # the socket is still fine


async def test_a_function_notifies_its_socket_caller(player: tuple[Client, Realtime]) -> None:
    """The context's ``notify`` (``nk.notification_send``) works from a socket call too, and the
    notification is pushed to that socket."""
    _, sock = player
    events = sock.events("notifications")
    note = {"subject": "gs-from-rt", "content": {"n": 1}, "code": 101, "persistent": False}
    assert await sock.rpc("gs_notify", note) is None
    pushed = await asyncio.wait_for(anext(events), WAIT)
    [got] = pushed.data.notifications
    assert (got.subject, got.content, got.code) == ("gs-from-rt", {"n": 1}, 101)


async def _raw_call(target: Target, token: str, body: dict[str, Any]) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(socket_url(URL(target.url), token).update_query(status="false"))
        await ws.send_str(json.dumps({"cid": "1", **body}))
        while True:
            frame = json.loads((await asyncio.wait_for(ws.receive(), WAIT)).data)
            if frame.get("cid") == "1":
                await ws.close()
                return frame  # type: ignore[no-any-return]  # a JSON object, as sent


@pytest.mark.parametrize(
    ("sent", "answer"),
    [
        # the id comes back as sent; the payload is text as is (not a JSON string inside)
        ({"id": "GS_Echo", "payload": "not json"}, {"id": "GS_Echo", "payload": "not json"}),
        ({"id": "gs_echo", "payload": ""}, {"id": "gs_echo"}),  # "" is omitted
        ({"id": "gs_nothing", "payload": "x"}, {"id": "gs_nothing"}),
    ],
)
async def test_the_raw_reply(target: Target, sent: dict[str, Any], answer: Any) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        assert await _raw_call(target, session.token, {"rpc": sent}) == {"cid": "1", "rpc": answer}


async def test_an_http_key_on_the_socket_is_ignored(target: Target) -> None:
    """The function still runs as the socket's user, right key or wrong."""
    async with target.client() as client:
        session = await client.auth.device(device_id())
        for key in (target.http_key, "wrong"):
            sent = {"rpc": {"id": "gs_whoami", "http_key": key}}
            frame = await _raw_call(target, session.token, sent)
            assert json.loads(frame["rpc"]["payload"])["user_id"] == session.user_id
