"""One integration suite, two servers: every test taking ``target`` runs against the reference
server (always) and against the real Nakama named by ``GAMESERVICES_NAKAMA_URL`` (skipped, with
the reason in the summary, when that is unset).

Nakama must run the modules in tests/nakama/modules (``start.sh --runtime tests/nakama/modules``):
they create the boards in ``support.BOARDS``. The suite never assumes an empty board: every test
uses fresh players (uuid ids), and a test that needs the top of a board first scores above (or,
ascending, below) whatever is already there, so it runs again and again against one Nakama.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from gameservices.testing import ReferenceServer

from .rpc_handlers import RPC_HANDLERS
from .rpc_social import SOCIAL_RPC
from .support import (
    BOARDS,
    CI_HTTP_KEY,
    DIVERGENCE_MARK,
    NAKAMA_SKIP_REASON,
    REFERENCE_LIFETIMES,
    TOURNAMENTS,
    Target,
    apply_divergence,
    nakama_server_key,
    nakama_url,
    resolve_http_key,
)

_ready: set[str] = set()  # Nakama URLs already checked for the suite's boards


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{DIVERGENCE_MARK}(reason): the reference server differs from Nakama here; the test "
        "is xfail(strict) against the reference server and must pass against Nakama",
    )


async def _check_boards(url: str, server_key: str) -> None:
    """Fail with instructions (not with a puzzling NotFound) when Nakama lacks the modules."""
    if url in _ready:
        return
    basic = "Basic " + base64.b64encode(f"{server_key}:".encode()).decode()
    body = json.dumps({"id": f"gs-probe-{uuid.uuid4().hex}"})
    async with aiohttp.ClientSession() as http:
        auth = f"{url}/v2/account/authenticate/device?create=true"
        async with http.post(auth, data=body, headers={"Authorization": basic}) as resp:
            if resp.status != 200:
                pytest.fail(f"Nakama at {url} refused a device login ({resp.status}); is the "
                            f"server key right? {await resp.text()}")  # fmt: skip
            token = (await resp.json())["token"]
        missing = []
        for board in BOARDS:
            headers = {"Authorization": f"Bearer {token}"}
            async with http.get(f"{url}/v2/leaderboard/{board}?limit=1", headers=headers) as r:
                if r.status == 404:
                    missing.append(board)
    if missing:
        pytest.fail(
            f"Nakama at {url} has no leaderboard {', '.join(missing)}: start it with "
            "--runtime tests/nakama/modules (and restart it after changing a module)"
        )
    _ready.add(url)


@pytest.fixture(params=["reference", "nakama"])
async def target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    """The server under test: the reference server on a free port, or the real Nakama."""
    if request.param == "nakama":
        url = nakama_url()
        if url is None:
            pytest.skip(NAKAMA_SKIP_REASON)
        await _check_boards(url, nakama_server_key())
        async with aiohttp.ClientSession() as http:
            http_key = await resolve_http_key(http, url)
        yield Target("nakama", url, nakama_server_key(), http_key)
        return
    apply_divergence(request)
    boards = tuple(spec.board for spec in BOARDS.values())
    tournaments = tuple(TOURNAMENTS.values())
    rpc = {"rpc": {**RPC_HANDLERS, **SOCIAL_RPC}, "http_key": CI_HTTP_KEY}
    async with ReferenceServer(
        boards=boards, tournaments=tournaments, **REFERENCE_LIFETIMES, **rpc
    ) as server:
        yield Target("reference", server.url, "defaultkey", CI_HTTP_KEY)
