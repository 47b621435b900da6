"""``client.purchases`` on both servers. Neither has store settings (the suite's Nakama is started
without any ``iap`` config, and the reference server never has any), so every validation is
refused with ``NotConfigured`` in Nakama's words, the subscription list is empty and any one
subscription is not found: what a game developing locally sees. Parsing validated purchases
and subscriptions is tested on Nakama's format in tests/protocol/test_purchases.py.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gameservices import (
    Client,
    InvalidArgument,
    NotConfigured,
    NotFound,
    ServerError,
    SubscriptionList,
)
from gameservices._protocol import routes
from gameservices._protocol.api import Request
from gameservices._protocol.models import parse_empty

from .support import Target, device_id

Call = Callable[[Client], Awaitable[object]]
VALIDATIONS: list[tuple[str, Call, str]] = [
    ("apple", lambda c: c.purchases.validate_apple("TUlJVGVzdA=="), "Apple"),
    ("google", lambda c: c.purchases.validate_google('{"orderId":"GPA.1"}'), "Google"),
    ("huawei", lambda c: c.purchases.validate_huawei('{"orderId":"1"}', "c2ln"), "Huawei"),
    ("fb", lambda c: c.purchases.validate_facebook_instant("c2ln.eyJ9"), "Facebook Instant"),
    ("sub-apple", lambda c: c.purchases.validate_subscription_apple("TUlJ"), "Apple"),
    ("sub-google", lambda c: c.purchases.validate_subscription_google("{}"), "Google"),
    ("no-persist", lambda c: c.purchases.validate_apple("TUlJ", persist=False), "Apple"),
]


@pytest.mark.parametrize(
    ("call", "store"), [v[1:] for v in VALIDATIONS], ids=[v[0] for v in VALIDATIONS]
)
async def test_a_server_without_store_settings_says_so(
    target: Target, call: Call, store: str
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(NotConfigured) as info:
            await call(client)
    assert (info.value.status, info.value.code) == (400, 9)
    assert info.value.message == f"{store} IAP is not configured."


async def test_empty_receipts_are_refused_before_sending(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        purchases = client.purchases
        for call in (
            lambda: purchases.validate_apple(""),
            lambda: purchases.validate_huawei("{}", ""),
            lambda: purchases.validate_facebook_instant(""),
            lambda: purchases.validate_subscription_google(""),
        ):
            with pytest.raises(ValueError, match="must not be empty") as info:
                await call()
            assert not isinstance(info.value, InvalidArgument)  # never sent
        with pytest.raises(TypeError, match="must be a str"):
            await purchases.validate_google(b"{}")  # type: ignore[arg-type]  # bytes: refused


def _raw(path: str, body: Any) -> Request:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Request("POST", path, (), {"Content-Type": "application/json"}, data)


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/apple", {}, "Receipt cannot be empty."),  # Apple: the receipt is checked first
        ("/apple", {"receipt": 5}, "invalid value for string field receipt"),
        ("/google", {"purchase": "{}", "persist": "x"}, "invalid value for bool field"),
        ("/huawei", {"signature": ["s"]}, "invalid value for string field signature"),
    ],
)
async def test_the_server_reads_bodies_before_its_settings(
    target: Target, path: str, body: Any, message: str
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        url = routes.prefix(routes.IAP_PURCHASE) + path.lstrip("/")
        with pytest.raises(InvalidArgument, match=message) as info:
            await client.send(_raw(url, body), parse_empty)
        assert info.value.code == 3


async def test_other_stores_check_their_settings_before_the_body(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        for store in ("google", "huawei", "facebookinstant"):
            url = routes.fill(routes.IAP_PURCHASE, store=store)
            with pytest.raises(NotConfigured):
                await client.send(_raw(url, {}), parse_empty)
        for store in ("apple", "google"):
            url = routes.fill(routes.IAP_SUBSCRIPTION_STORE, store=store)
            with pytest.raises(NotConfigured):
                await client.send(_raw(url, {"persist": False}), parse_empty)


async def test_a_new_player_has_no_subscriptions(target: Target) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        page = await client.purchases.subscriptions(limit=10)
        assert page == SubscriptionList()
        assert [s async for s in client.purchases.iterate_subscriptions(page_size=1)] == []
        for product in ("com.example.gold", "apple", "ü"):
            with pytest.raises(NotFound, match="subscription not found") as info:
                await client.purchases.subscription(product)
            assert info.value.code == 5
        with pytest.raises(NotFound):  # Nakama's gateway unescapes %2F: no route ("Not Found")
            await client.purchases.subscription("a/b")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"limit": 0}, "Invalid limit - limit must be between 1 and 1000."),  # Nakama's "1000"
        ({"limit": 101}, "Invalid limit - limit must be between 1 and 1000."),
        ({"limit": True}, "invalid value for int32 field"),
        ({"cursor": 5}, "invalid value for string field cursor"),
    ],
)
async def test_subscription_pages_are_checked_as_nakama(
    target: Target, body: dict[str, Any], message: str
) -> None:
    async with target.client() as client:
        await client.auth.device(device_id())
        with pytest.raises(InvalidArgument, match=message):
            await client.send(_raw(routes.IAP_SUBSCRIPTIONS, body), parse_empty)
        for fine in ({"limit": 100}, {"limit": "5"}, {"limit": None}, b""):
            await client.send(_raw(routes.IAP_SUBSCRIPTIONS, fine), parse_empty)
        with pytest.raises(ValueError, match="limit must be an int between 1 and 100"):
            await client.purchases.subscriptions(limit=101)


async def test_a_cursor_from_elsewhere_is_the_players_fault(target: Target) -> None:
    """Nakama answers 500 to a cursor it cannot read; the reference server 400 (docs/server.md)."""
    async with target.client() as client:
        await client.auth.device(device_id())
        expected = ServerError if target.is_nakama else InvalidArgument
        with pytest.raises(expected, match="subscriptions list cursor invalid"):
            await client.purchases.subscriptions(cursor="garbage")
