"""In-app purchases, pure: the requests match Nakama's swagger (paths, snake_case fields of the
request models, a wrapped ``persist``), answers in Nakama's format parse (handwritten samples),
and a server's reading of the bodies (``purchase_rules``, ``protojson``)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from gameservices import (
    ProtocolError,
    StoreEnvironment,
    StoreProvider,
    ValidatedSubscription,
)
from gameservices._protocol import purchases as wire
from gameservices._protocol.protojson import bool_value, int32_value, string_value
from gameservices._protocol.purchase_rules import not_configured, parse_subscription_page
from tests.protocol.nakama_swagger import check_request

ROOT = Path(__file__).parent.parent.parent
SAMPLES = ROOT / "tests" / "samples" / "handwritten"
UTC = timezone.utc
_check = check_request


@pytest.mark.parametrize(
    ("store", "values", "operation_id"),
    [
        ("apple", {"receipt": "TUlJ"}, "Nakama_ValidatePurchaseApple"),
        ("google", {"purchase": "{}"}, "Nakama_ValidatePurchaseGoogle"),
        ("huawei", {"purchase": "{}", "signature": "c2ln"}, "Nakama_ValidatePurchaseHuawei"),
        ("facebookinstant", {"signed_request": "a.b"}, "Nakama_ValidatePurchaseFacebookInstant"),
    ],
)
def test_purchase_validations_match_the_swagger(
    store: str, values: dict[str, str], operation_id: str
) -> None:
    req = wire.validate_purchase(store, values)
    assert _check(req, operation_id) == {**values, "persist": True}
    assert req.idempotent  # validating one receipt twice answers it seen_before
    kept = wire.validate_purchase(store, values, persist=False)
    assert _check(kept, operation_id)["persist"] is False  # a wrapped bool: false is written


def test_subscription_requests_match_the_swagger() -> None:
    for store in ("apple", "google"):
        req = wire.validate_subscription(store, "TUlJ", persist=False)
        op = f"Nakama_ValidateSubscription{store.title()}"
        assert _check(req, op) == {"receipt": "TUlJ", "persist": False}
    page = wire.list_subscriptions(limit=5, cursor="abc")
    assert _check(page, "Nakama_ListSubscriptions") == {"limit": 5, "cursor": "abc"}
    assert _check(wire.list_subscriptions(), "Nakama_ListSubscriptions") == {"limit": 100}
    one = wire.get_subscription("com.example/vip")
    assert one.path.endswith("/com.example%2Fvip")
    assert _check(one, "Nakama_GetSubscription") == {}


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: wire.validate_purchase("apple", {"receipt": ""}), ValueError),
        (lambda: wire.validate_purchase("apple", {"receipt": b"x"}), TypeError),
        (lambda: wire.validate_purchase("samsung", {"receipt": "x"}), ValueError),
        (lambda: wire.validate_purchase("apple", {"receipt": "x"}, persist=1), TypeError),
        (lambda: wire.validate_subscription("huawei", "x"), ValueError),
        (lambda: wire.list_subscriptions(limit=0), ValueError),
        (lambda: wire.list_subscriptions(limit=True), ValueError),
        (lambda: wire.list_subscriptions(cursor=5), TypeError),
        (lambda: wire.get_subscription(""), ValueError),
    ],
)
def test_bad_arguments_fail_before_sending(build: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        build()


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def test_validated_purchases_parse() -> None:
    first, second = wire.parse_purchases(_sample("iap_purchases.json")).validated_purchases
    assert first.store is StoreProvider.APPLE_APP_STORE  # 0, omitted
    assert first.purchase_time == datetime(2026, 11, 27, 10, 0, 0, 123456, tzinfo=UTC)
    assert first.refund_time is None  # the epoch: never refunded
    assert first.environment is StoreEnvironment.SANDBOX
    assert (first.seen_before, first.provider_response) == (False, '{"status":0}')
    assert second.store is StoreProvider.GOOGLE_PLAY_STORE
    assert second.refund_time == datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert second.seen_before
    assert wire.parse_purchases({}).validated_purchases == ()


def test_validated_subscriptions_parse() -> None:
    sub = wire.parse_validated_subscription(_sample("iap_subscription.json"))
    assert sub.active
    assert sub.environment is StoreEnvironment.PRODUCTION
    assert sub.expiry_time == datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert sub.refund_time is None  # year 1: never refunded
    page = wire.parse_subscription_list(_sample("iap_subscription_list.json"))
    google, samsung, future = page.validated_subscriptions
    assert google.provider_notification == '{"notificationType":13}'
    assert not google.active
    assert samsung.store is StoreProvider.SAMSUNG_GALAXY_STORE
    assert (future.store, future.environment) == (9, StoreEnvironment.UNKNOWN)  # a newer server
    assert (page.cursor, page.prev_cursor) == ("bmV4dA==", "cHJldg==")
    assert wire.parse_subscription({}) == ValidatedSubscription()


@pytest.mark.parametrize(
    "answer",
    [
        {},  # a validation answers its subscription
        {"validated_subscription": []},
        {"validated_subscription": {"store": "APPLE_APP_STORE"}},  # enums come as numbers
        {"validated_subscription": {"active": "yes"}},
        {"validated_subscription": {"expiry_time": "soon"}},
    ],
)
def test_answers_the_client_cannot_use_are_protocol_errors(answer: Any) -> None:
    with pytest.raises(ProtocolError):
        wire.parse_validated_subscription(answer)


def test_purchases_list_must_be_a_list() -> None:
    with pytest.raises(ProtocolError):
        wire.parse_purchases({"validated_purchases": {}})


# --- the server's reading


def test_an_unconfigured_server_names_the_store() -> None:
    assert not_configured("purchase", "facebookinstant", {}) == (
        "Facebook Instant IAP is not configured."
    )
    assert not_configured("subscription", "apple", {}) == "Apple IAP is not configured."
    assert not_configured("purchase", "apple", {"receipt": "x"}) == "Apple IAP is not configured."
    with pytest.raises(ValueError, match=r"Receipt cannot be empty\."):
        not_configured("purchase", "apple", {"receipt": ""})
    with pytest.raises(ValueError, match=r"field (signedRequest|signed_request)"):
        not_configured("purchase", "facebookinstant", {"signedRequest": 1})
    with pytest.raises(ValueError, match="duplicate field"):
        not_configured("purchase", "facebookinstant", {"signedRequest": "a", "signed_request": "b"})


@pytest.mark.parametrize(
    ("body", "page"),
    [({}, (100, "")), ({"limit": "7", "cursor": "c"}, (7, "c")), ({"limit": 3.0}, (3, ""))],
)
def test_subscription_pages(body: dict[str, Any], page: tuple[int, str]) -> None:
    read = parse_subscription_page(body)
    assert (read.limit, read.cursor) == page


@pytest.mark.parametrize("limit", [0, 101, -1, "0"])
def test_subscription_limits_out_of_range(limit: object) -> None:
    with pytest.raises(ValueError, match="between 1 and 1000"):
        parse_subscription_page({"limit": limit})


@pytest.mark.parametrize(
    ("read", "value"),
    [
        (string_value, 5),
        (bool_value, "true"),
        (int32_value, True),
        (int32_value, 1.5),
        (int32_value, 2**31),
        (int32_value, "x"),
    ],
)
def test_protojson_refuses_the_wrong_type(read: Any, value: object) -> None:
    with pytest.raises(ValueError, match="proto: invalid value for"):
        read({"field": value}, "field")
