"""In-app purchases and subscriptions on Nakama's wire (``/v2/iap/...``), client side: the
records and their parsers, and the request builders (pure). A server's reading of the same
requests is ``purchase_rules``.

Rule 1: a receipt is validated by the store it came from: purchases by Apple, Google, Huawei or
        Facebook Instant, subscriptions by Apple or Google. The request carries the receipt
        text exactly as the store gave it to the game, and ``persist`` (Nakama's default: true,
        so validating the same receipt again answers it ``seen_before``). A resend is safe.
Rule 2: receipts, purchases, signatures and signed requests are non-empty strings: Nakama
        refuses an empty one, so the client refuses it before sending (``ValueError``).
Rule 3: ``store`` and ``environment`` are enums sent as numbers (0 omitted); a store number this
        client does not know (a newer Nakama's) is kept as an int, not a reason to fail.
Rule 4: Nakama writes an unset time as the epoch or as year 1: a ``refund_time`` at or before
        the epoch reads as None (not refunded), like an absent one.
Rule 5: subscriptions come 1-100 a page (``LIST_MAX``; Nakama's default is 100 too).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .._checks import int_between, is_int
from .._exceptions import ProtocolError
from . import routes
from .api import Request
from .fields import as_object, boolean, list_field, new_record, text, time_field
from .wire import dumps

__all__ = [
    "LIST_MAX",
    "PURCHASE_STORES",
    "SUBSCRIPTION_STORES",
    "StoreEnvironment",
    "StoreProvider",
    "SubscriptionList",
    "ValidatePurchaseResponse",
    "ValidatedPurchase",
    "ValidatedSubscription",
    "get_subscription",
    "list_subscriptions",
    "parse_purchases",
    "parse_subscription",
    "parse_subscription_list",
    "parse_validated_subscription",
    "validate_purchase",
    "validate_subscription",
]

LIST_MAX = 100
# The path segment of each store's validation, and the body fields it takes (proto names).
PURCHASE_STORES: Mapping[str, tuple[str, ...]] = {
    "apple": ("receipt",),
    "google": ("purchase",),
    "huawei": ("purchase", "signature"),
    "facebookinstant": ("signed_request",),
}
SUBSCRIPTION_STORES: Mapping[str, tuple[str, ...]] = {"apple": ("receipt",), "google": ("receipt",)}
_JSON = {"Content-Type": "application/json"}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_PURCHASE_TEXT = ("user_id", "product_id", "transaction_id", "provider_response")
_SUBSCRIPTION_TEXT = ("user_id", "product_id", "original_transaction_id", "provider_response",
                      "provider_notification")  # fmt: skip
_SUBSCRIPTION_TIMES = ("purchase_time", "create_time", "update_time", "expiry_time")


class StoreProvider(enum.IntEnum):
    APPLE_APP_STORE = 0
    GOOGLE_PLAY_STORE = 1
    HUAWEI_APP_GALLERY = 2
    FACEBOOK_INSTANT_STORE = 3
    SAMSUNG_GALAXY_STORE = 4  # Nakama 3.40 knows it, but its REST API has no call for it


class StoreEnvironment(enum.IntEnum):
    UNKNOWN = 0
    SANDBOX = 1
    PRODUCTION = 2


@dataclass(frozen=True)
class ValidatedPurchase:
    """One purchase the store confirmed (``apiValidatedPurchase``)."""

    user_id: str = ""
    product_id: str = ""
    transaction_id: str = ""
    store: StoreProvider | int = StoreProvider.APPLE_APP_STORE
    purchase_time: datetime | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    refund_time: datetime | None = None  # None: not refunded (Rule 4)
    provider_response: str = ""  # the store's raw answer
    environment: StoreEnvironment = StoreEnvironment.UNKNOWN
    seen_before: bool = False  # validated (and kept) before: do not grant it twice


@dataclass(frozen=True)
class ValidatePurchaseResponse:
    validated_purchases: tuple[ValidatedPurchase, ...] = ()


@dataclass(frozen=True)
class ValidatedSubscription:
    """One subscription as the store last confirmed it (``apiValidatedSubscription``)."""

    user_id: str = ""
    product_id: str = ""
    original_transaction_id: str = ""
    store: StoreProvider | int = StoreProvider.APPLE_APP_STORE
    purchase_time: datetime | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    environment: StoreEnvironment = StoreEnvironment.UNKNOWN
    expiry_time: datetime | None = None  # auto-renewal may still extend it
    refund_time: datetime | None = None  # None: not refunded (Rule 4)
    provider_response: str = ""
    provider_notification: str = ""
    active: bool = False


@dataclass(frozen=True)
class SubscriptionList:
    validated_subscriptions: tuple[ValidatedSubscription, ...] = ()
    cursor: str | None = None
    prev_cursor: str | None = None


# --- parsing (client)


def _enum_number(o: Mapping[str, Any], key: str) -> int:
    value = o.get(key, 0)
    if not is_int(value):
        raise ProtocolError(f"server sent {key} as {value!r}, expected an enum number")
    return value


def _store(o: Mapping[str, Any]) -> StoreProvider | int:
    value = _enum_number(o, "store")
    return StoreProvider(value) if value in StoreProvider._value2member_map_ else value


def _environment(o: Mapping[str, Any]) -> StoreEnvironment:
    value = _enum_number(o, "environment")
    if value not in StoreEnvironment._value2member_map_:
        return StoreEnvironment.UNKNOWN  # a newer server's environment: not one we can name
    return StoreEnvironment(value)


def _refund(o: Mapping[str, Any]) -> datetime | None:
    moment = time_field(o, "refund_time")
    return None if moment is None or moment <= _EPOCH else moment


def _purchase(obj: object) -> ValidatedPurchase:
    o = as_object(obj, "a validated purchase")
    fields: dict[str, Any] = {k: text(o, k) for k in _PURCHASE_TEXT}
    fields.update({k: time_field(o, k) for k in ("purchase_time", "create_time", "update_time")})
    fields.update(store=_store(o), refund_time=_refund(o), environment=_environment(o))
    fields["seen_before"] = boolean(o, "seen_before")
    return new_record(ValidatedPurchase, fields)


def parse_purchases(obj: object) -> ValidatePurchaseResponse:
    o = as_object(obj, "a purchase validation")
    found = tuple(_purchase(p) for p in list_field(o, "validated_purchases"))
    return ValidatePurchaseResponse(found)


def parse_subscription(obj: object) -> ValidatedSubscription:
    o = as_object(obj, "a validated subscription")
    fields: dict[str, Any] = {k: text(o, k) for k in _SUBSCRIPTION_TEXT}
    fields.update({k: time_field(o, k) for k in _SUBSCRIPTION_TIMES})
    fields.update(store=_store(o), refund_time=_refund(o), environment=_environment(o))
    fields["active"] = boolean(o, "active")
    return new_record(ValidatedSubscription, fields)


def parse_validated_subscription(obj: object) -> ValidatedSubscription:
    """The answer of a subscription validation: ``{"validated_subscription": {...}}``."""
    o = as_object(obj, "a subscription validation")
    if "validated_subscription" not in o:
        raise ProtocolError("server answered a subscription validation without the subscription")
    return parse_subscription(o["validated_subscription"])


def parse_subscription_list(obj: object) -> SubscriptionList:
    o = as_object(obj, "a subscription list")
    found = tuple(parse_subscription(s) for s in list_field(o, "validated_subscriptions"))
    return SubscriptionList(found, text(o, "cursor") or None, text(o, "prev_cursor") or None)


# --- requests (client)


def _receipt(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (the store's text as it is), not {value!r:.40}")
    if not value:
        raise ValueError(f"{name} must not be empty: the server refuses an empty one")
    return value


def _validation(template: str, store: str, stores: Mapping[str, tuple[str, ...]],
                values: Mapping[str, object], persist: bool) -> Request:  # fmt: skip
    if store not in stores:
        raise ValueError(f"no such store {store!r}: one of {', '.join(stores)}")
    if not isinstance(persist, bool):
        raise TypeError(f"persist must be True or False, not {persist!r}")
    body: dict[str, Any] = {name: _receipt(name, values[name]) for name in stores[store]}
    body["persist"] = persist  # a wrapped bool on the wire: false is written
    path = routes.fill(template, store=store)
    return Request("POST", path, (), dict(_JSON), dumps(body).encode())  # a resend: seen_before


def validate_purchase(store: str, values: Mapping[str, object], *, persist: bool = True
                      ) -> Request:  # fmt: skip
    """``POST /v2/iap/purchase/{store}`` with the store's fields (``PURCHASE_STORES``)."""
    return _validation(routes.IAP_PURCHASE, store, PURCHASE_STORES, values, persist)


def validate_subscription(store: str, receipt: str, *, persist: bool = True) -> Request:
    """``POST /v2/iap/subscription/{store}`` (apple or google)."""
    values = {"receipt": receipt}
    return _validation(routes.IAP_SUBSCRIPTION_STORE, store, SUBSCRIPTION_STORES, values, persist)


def list_subscriptions(*, limit: int = LIST_MAX, cursor: str | None = None) -> Request:
    """``POST /v2/iap/subscription``: a page of the player's subscriptions (a read)."""
    int_between("limit", limit, 1, LIST_MAX)
    if cursor is not None and not isinstance(cursor, str):
        raise TypeError(f"cursor must be a str or None, not {type(cursor).__name__}")
    body: dict[str, Any] = {"limit": limit}
    if cursor:
        body["cursor"] = cursor
    return Request("POST", routes.IAP_SUBSCRIPTIONS, (), dict(_JSON), dumps(body).encode())


def get_subscription(product_id: str) -> Request:
    """``GET /v2/iap/subscription/{product_id}``: the player's subscription to one product."""
    if not isinstance(product_id, str) or not product_id:
        raise ValueError("product_id must be a non-empty str")
    return Request("GET", routes.fill(routes.IAP_SUBSCRIPTION, product_id=product_id))
