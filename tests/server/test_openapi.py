"""The OpenAPI document is valid, describes the Nakama wire as sent, and is served without auth."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from gameservices.server import ServerConfig, create_app
from gameservices.server.openapi import openapi_document, setup_openapi
from gameservices.testing import ReferenceServer

Client = TestClient[web.Request, web.Application]

INT64_FIELDS = {
    ("LeaderboardRecord", "score"),
    ("LeaderboardRecord", "subscore"),
    ("LeaderboardRecord", "rank"),
    ("LeaderboardRecordWrite", "score"),
    ("LeaderboardRecordWrite", "subscore"),
    ("LeaderboardRecordList", "rank_count"),
}


def test_document_is_valid_openapi() -> None:
    validate(openapi_document())


def test_every_implemented_route_is_described() -> None:
    paths = openapi_document()["paths"]
    expected = {
        ("post", "/v2/account/authenticate/device"),
        ("post", "/v2/account/authenticate/custom"),
        ("post", "/v2/account/authenticate/email"),
        ("post", "/v2/account/session/refresh"),
        ("post", "/v2/session/logout"),
        ("get", "/v2/leaderboard/{leaderboard_id}"),
        ("post", "/v2/leaderboard/{leaderboard_id}"),
        ("delete", "/v2/leaderboard/{leaderboard_id}"),
        ("get", "/v2/leaderboard/{leaderboard_id}/owner/{owner_id}"),
        ("get", "/v2/leaderboard/{leaderboard_id}/owner/"),
        ("get", "/v2/account"),
        ("get", "/healthcheck"),
        ("get", "/"),
        ("get", "/assets/manifest.json"),
        ("get", "/assets/{name}"),
        ("get", "/v2/openapi.json"),
        ("get", "/ws"),
        ("get", "/v2/channel/{channel_id}"),
        ("get", "/v2/match"),
        # social
        ("get", "/v2/friend"),
        ("post", "/v2/friend"),
        ("delete", "/v2/friend"),
        ("post", "/v2/friend/block"),
        ("get", "/v2/friend/friends"),
        ("post", "/v2/friend/facebook"),
        ("post", "/v2/friend/steam"),
        ("get", "/v2/notification"),
        ("delete", "/v2/notification"),
        ("get", "/v2/group"),
        ("post", "/v2/group"),
        ("put", "/v2/group/{group_id}"),
        ("delete", "/v2/group/{group_id}"),
        ("get", "/v2/group/{group_id}/user"),
        ("get", "/v2/user/{user_id}/group"),
        *(
            ("post", f"/v2/group/{{group_id}}/{a}")
            for a in ("join", "leave", "add", "kick", "promote", "demote", "ban")
        ),
        # tournaments
        ("get", "/v2/tournament"),
        ("get", "/v2/tournament/{tournament_id}"),
        ("put", "/v2/tournament/{tournament_id}"),
        ("post", "/v2/tournament/{tournament_id}"),
        ("delete", "/v2/tournament/{tournament_id}"),
        ("post", "/v2/tournament/{tournament_id}/join"),
        ("get", "/v2/tournament/{tournament_id}/owner/{owner_id}"),
        ("get", "/v2/tournament/{tournament_id}/owner/"),
        # accounts and users (issue 12)
        ("put", "/v2/account"),
        ("delete", "/v2/account"),
        ("get", "/v2/user"),
        ("get", "/v2/rpc/{id}"),
        ("post", "/v2/rpc/{id}"),
        ("put", "/v2/storage"),
        ("post", "/v2/storage"),
        ("put", "/v2/storage/delete"),
        ("get", "/v2/storage/{collection}"),
        ("get", "/v2/storage/{collection}/{user_id}"),
        ("post", "/v2/event"),
        # account links (issue 12 part 3)
        *(
            ("post", f"/v2/account/{verb}/{kind}")
            for verb in ("link", "unlink")
            for kind in ("device", "custom", "email")
        ),
        # provider logins, links and unlinks (issue 14): "not configured" here
        *(
            ("post", f"/v2/account/{verb}/{kind}")
            for verb in ("authenticate", "link", "unlink")
            for kind in (
                "apple",
                "facebook",
                "facebookinstantgame",
                "gamecenter",
                "google",
                "steam",
            )
        ),
        *(
            ("post", f"/v2/iap/purchase/{s}")
            for s in ("apple", "google", "huawei", "facebookinstant")
        ),
        *(("post", f"/v2/iap/subscription/{s}") for s in ("apple", "google")),
        ("post", "/v2/iap/subscription"),
        ("get", "/v2/iap/subscription/{product_id}"),
        ("get", "/v2/matchmaker/stats"),
        ("get", "/v2/party"),
    }
    assert {(m, p) for p, ops in paths.items() for m in ops} == expected


def _property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and node.get("type") == "object":  # a schema's fields
                yield from value
            yield from _property_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _property_names(item)


def test_wire_rules_snake_case_and_int64_strings() -> None:
    doc = openapi_document()
    names = set(_property_names(doc))
    assert "refresh_token" in names
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in names), names
    schemas = doc["components"]["schemas"]
    for schema, field in INT64_FIELDS:
        assert schemas[schema]["properties"][field]["type"] == "string"
        assert schemas[schema]["properties"][field]["format"] == "int64"
    assert schemas["Error"]["required"] == ["code", "message"]


def test_security_basic_for_authenticate_bearer_elsewhere() -> None:
    doc = openapi_document()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["basic"] == {**schemes["basic"], "type": "http", "scheme": "basic"}
    assert schemes["bearer"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearer": []}]
    paths = doc["paths"]
    assert paths["/v2/account/authenticate/device"]["post"]["security"] == [{"basic": []}]
    assert paths["/v2/account/session/refresh"]["post"]["security"] == [{"basic": []}]
    assert "security" not in paths["/v2/leaderboard/{leaderboard_id}"]["post"]
    assert paths["/assets/{name}"]["get"]["security"] == []


def test_copies_are_independent() -> None:
    first = openapi_document()
    first["paths"].clear()
    assert openapi_document()["paths"]


async def test_served_without_credentials(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
) -> None:
    app = web.Application()
    setup_openapi(app)
    client = await aiohttp_client(app)
    resp = await client.get("/v2/openapi.json")
    assert resp.status == 200
    assert await resp.json() == openapi_document()


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_document_matches_the_routes_of_create_app() -> None:
    routes = {
        (route.method.lower(), _shape(route.resource.canonical))
        for route in create_app(ServerConfig()).router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
    described = {(m, _shape(p)) for p, ops in openapi_document()["paths"].items() for m in ops}
    assert described == routes


async def test_reference_server_serves_it_without_credentials() -> None:
    async with ReferenceServer() as server, aiohttp.ClientSession() as http:
        resp = await http.get(server.url + "/v2/openapi.json")
        assert resp.status == 200
        # the validator reads its own schema files on first use: off the loop
        await asyncio.to_thread(validate, await resp.json())
