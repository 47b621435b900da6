"""Each of the 18 provider calls of ``client.auth``, sent to a real reference server through a
recording transport: what goes on the wire is the operation as Nakama's swagger describes it
(path, query names, body fields and their JSON types), and the server reads it as meant: it
answers with the provider's own "not configured" (or, for an unlink naming nothing, succeeds),
which it gives only after reading the body's credentials."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from yarl import URL

from gameservices import AiohttpTransport, Client, GameCenterCredentials, NotConfigured
from gameservices._client.transport import HttpRequest, HttpResponse
from gameservices._protocol.api import Request
from gameservices._protocol.providers import PROVIDERS, not_configured
from gameservices.testing import ReferenceServer

from ..protocol.nakama_swagger import check_request

GAME_CENTER = GameCenterCredentials(
    "G:1", "com.example", 1_700_000_000_000, "c2FsdA==", "c2ln", "https://gc.apple.com/k.cer"
)
Call = Callable[[Client], Awaitable[Any]]
# (operation, the call, the provider, whether the server must refuse it as not configured)
CALLS: list[tuple[str, Call, str, bool]] = [
    ("AuthenticateApple", lambda c: c.auth.apple("t", username="ada"), "apple", True),
    ("AuthenticateFacebook", lambda c: c.auth.facebook("t", sync=True), "facebook", True),
    ("AuthenticateFacebookInstantGame", lambda c: c.auth.facebook_instant_game("a.b"),
     "facebookinstantgame", True),
    ("AuthenticateGameCenter", lambda c: c.auth.game_center(GAME_CENTER, create=False),
     "gamecenter", True),
    ("AuthenticateGoogle", lambda c: c.auth.google("t", vars={"k": "v"}), "google", True),
    ("AuthenticateSteam", lambda c: c.auth.steam("t", sync=True), "steam", True),
    ("LinkApple", lambda c: c.auth.link_apple("t"), "apple", True),
    ("LinkFacebook", lambda c: c.auth.link_facebook("t", sync=True), "facebook", True),
    ("LinkFacebookInstantGame", lambda c: c.auth.link_facebook_instant_game("a.b"),
     "facebookinstantgame", True),
    ("LinkGameCenter", lambda c: c.auth.link_game_center(GAME_CENTER), "gamecenter", True),
    ("LinkGoogle", lambda c: c.auth.link_google("t"), "google", True),
    ("LinkSteam", lambda c: c.auth.link_steam("t", sync=True), "steam", True),
    ("UnlinkApple", lambda c: c.auth.unlink_apple("t"), "apple", True),
    ("UnlinkFacebook", lambda c: c.auth.unlink_facebook(), "facebook", False),
    ("UnlinkFacebookInstantGame", lambda c: c.auth.unlink_facebook_instant_game("a.b"),
     "facebookinstantgame", True),
    ("UnlinkGameCenter", lambda c: c.auth.unlink_game_center(GAME_CENTER), "gamecenter", True),
    ("UnlinkGoogle", lambda c: c.auth.unlink_google(), "google", False),
    ("UnlinkSteam", lambda c: c.auth.unlink_steam("t"), "steam", True),
]  # fmt: skip


class Recording(AiohttpTransport):
    """The real transport, keeping every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[HttpRequest] = []

    async def request(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return await super().request(request)


def as_api_request(sent: HttpRequest) -> Request:
    url = URL(sent.url)
    return Request(sent.method, url.raw_path, tuple(url.query.items()), sent.headers, sent.body)


@pytest.mark.parametrize(("operation", "call", "kind", "refused"), CALLS, ids=[c[0] for c in CALLS])
async def test_the_wire_is_the_swaggers(
    operation: str, call: Call, kind: str, refused: bool
) -> None:
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(ReferenceServer())
        transport = Recording()
        client = await stack.enter_async_context(Client(server.url, transport=transport))
        await client.auth.device("gs-provider-shape-device")
        transport.sent.clear()
        if refused:
            with pytest.raises(NotConfigured) as caught:
                await call(client)
            assert caught.value.message == not_configured(PROVIDERS[kind])
        else:
            await call(client)
        [sent] = transport.sent  # sent once: a refusal is not retried
        check_request(as_api_request(sent), f"Nakama_{operation}")
