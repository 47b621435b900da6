"""The reference server's RPC registry: handlers given in Python, as ``module:function`` (config
and ``serve --rpc``), what they are given, where they run, and how they fail."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gameservices import Client, OutcomeUnknown, ServerError
from gameservices.server import ServerConfig, load_config_file
from gameservices.server.rpc import RpcContext, RpcError, check_rpc, load_handler
from gameservices.testing import ReferenceServer

from .rpc_sample import SEEN, remember

SPEC = "tests.server.rpc_sample:remember"


def _same_function(found: object, expected: Any) -> bool:
    """pytest imports this package as ``server`` (tests/ is no package), ``SPEC`` names it from
    the repository root: the same source, two module objects."""
    code = getattr(found, "__code__", None)
    return code is not None and code.co_filename == expected.__code__.co_filename


def test_ids_are_lowercased_and_checked() -> None:
    registry = check_rpc({"Mixed_Case": remember})
    assert list(registry) == ["mixed_case"]
    with pytest.raises(ValueError, match="given twice"):
        check_rpc({"a": remember, "A": remember})
    with pytest.raises(ValueError, match="non-empty string"):
        check_rpc({"": remember})
    with pytest.raises(TypeError, match="callable"):
        check_rpc({"a": 5})  # type: ignore[dict-item]  # on purpose
    with pytest.raises(TypeError):
        registry["b"] = remember  # type: ignore[index]  # immutable once built


def test_module_function_specs() -> None:
    assert _same_function(load_handler(SPEC), remember)
    for spec, message in [
        ("no_colon", "module:function"),
        ("tests.server.nope_module:f", "cannot import"),
        ("tests.server.rpc_sample:missing", "has no function 'missing'"),
    ]:
        with pytest.raises(ValueError, match=message):
            load_handler(spec)


def test_a_config_file_names_handlers_and_the_http_key(tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    path.write_text(f'{{"rpc": {{"Remember": "{SPEC}"}}, "http_key": "k"}}')
    config = load_config_file(path)
    assert list(config.rpc) == ["remember"]
    assert _same_function(config.rpc["remember"], remember)
    assert "'k'" not in repr(config)
    with pytest.raises(ValueError, match="http_key"):
        ServerConfig(http_key="")


async def test_the_handler_gets_the_user_and_the_query_off_the_loop() -> None:
    SEEN.clear()
    async with ReferenceServer(rpc={"remember": remember}) as server:
        async with Client(server.url) as client:
            session = await client.auth.device("device-rpc-0001", vars={"v": "1"})
            assert await client.rpc("remember", {"x": 1}) == "ok"
        async with aiohttp.ClientSession() as http:
            url = f"{server.url}/v2/rpc/remember?http_key=defaulthttpkey&unwrap&a=1&a=2"
            async with http.post(url, data=b"raw") as resp:
                assert (resp.status, await resp.text()) == (200, '"ok"')
    (thread, context, payload), (_, keyed, raw) = SEEN
    assert thread != threading.current_thread().name
    assert (context.user_id, context.username, dict(context.vars)) == (
        session.user_id,
        session.username,
        {"v": "1"},
    )
    assert payload == '{"x":1}'
    assert (keyed.user_id, dict(keyed.query), raw) == (
        "",
        {"unwrap": ("",), "a": ("1", "2")},
        "raw",
    )


async def test_a_failing_function_is_answered_once_and_never_resent() -> None:
    calls = 0

    async def fails(_context: RpcContext, _payload: str) -> str:
        nonlocal calls
        calls += 1
        raise RpcError("nope", 14)  # UNAVAILABLE: a 503, which a client may retry

    async def broken(_context: RpcContext, _payload: str) -> int:
        return 5  # not a string: a bug in the function

    handlers = {"fails": fails, "broken": broken}
    async with (
        ReferenceServer(rpc=handlers) as server,  # type: ignore[arg-type]  # broken on purpose
        Client(server.url) as client,
    ):
        await client.auth.device("device-rpc-0002")
        with pytest.raises(OutcomeUnknown) as caught:
            await client.rpc("fails")
        assert isinstance(caught.value.__cause__, ServerError)
        assert calls == 1
        with pytest.raises(ServerError, match="returned int, not a string or None"):
            await client.rpc("broken")


async def test_serve_takes_rpc_flags(tmp_path: Path) -> None:
    from gameservices.testing import start_serve_process

    proc, url = await start_serve_process(
        "--port", "0", "--db", ":memory:", "--http-key", "k3y",
        "--rpc", f"remember={SPEC}",
    )  # fmt: skip
    try:
        async with Client(url) as client:
            assert await client.rpc("remember", http_key="k3y") == "ok"
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)
