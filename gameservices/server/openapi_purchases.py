"""The in-app purchase operations and schemas of the OpenAPI document (``openapi``).

Invariants: data builders only; the stores, their fields and the page size come from
``_protocol.purchases``, so the document and the server cannot disagree. The 200 answers are
Nakama's (this server, holding no store settings, answers every validation 400 with code 9).
"""

from __future__ import annotations

from .._protocol.purchases import LIST_MAX, PURCHASE_STORES, SUBSCRIPTION_STORES
from .._protocol.routes import (
    IAP_PURCHASE,
    IAP_SUBSCRIPTION,
    IAP_SUBSCRIPTION_STORE,
    IAP_SUBSCRIPTIONS,
    fill,
)
from .openapi_parts import json_content, path_param, responses
from .openapi_schemas import Schema, ref

__all__ = ["PURCHASE_SCHEMAS", "purchase_paths"]

_TIME: Schema = {"type": "string", "format": "date-time"}
_TEXT: Schema = {"type": "string"}
_STORE: Schema = {
    "type": "integer",
    "description": "0 Apple App Store, 1 Google Play, 2 Huawei AppGallery, 3 Facebook Instant,"
    " 4 Samsung Galaxy Store (omitted: 0)",
}
_ENVIRONMENT: Schema = {"type": "integer", "description": "0 unknown, 1 sandbox, 2 production"}
_NOT_CONFIGURED = (
    ' This server holds no store settings: it answers 400 with code 9, "<Store> IAP is not'
    ' configured.", as a Nakama without them does.'
)


def _obj(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties}


def _request(fields: tuple[str, ...]) -> Schema:
    persist = {"type": "boolean", "nullable": True, "description": "keep it (default true)"}
    return _obj({**{name: _TEXT for name in fields}, "persist": persist})


_COMMON: dict[str, Schema] = {
    "user_id": _TEXT,
    "product_id": _TEXT,
    "store": _STORE,
    "purchase_time": _TIME,
    "create_time": _TIME,
    "update_time": _TIME,
    "refund_time": _TIME,
    "provider_response": _TEXT,
    "environment": _ENVIRONMENT,
}
PURCHASE_SCHEMAS: dict[str, Schema] = {
    **{f"ValidatePurchase_{s}": _request(fields) for s, fields in PURCHASE_STORES.items()},
    "ValidateSubscriptionRequest": _request(("receipt",)),
    "ValidatedPurchase": _obj(
        {**_COMMON, "transaction_id": _TEXT, "seen_before": {"type": "boolean"}}
    ),
    "ValidatePurchaseResponse": _obj(
        {"validated_purchases": {"type": "array", "items": ref("ValidatedPurchase")}}
    ),
    "ValidatedSubscription": _obj(
        {
            **_COMMON,
            "original_transaction_id": _TEXT,
            "expiry_time": _TIME,
            "provider_notification": _TEXT,
            "active": {"type": "boolean"},
        }
    ),
    "ValidateSubscriptionResponse": _obj({"validated_subscription": ref("ValidatedSubscription")}),
    "ListSubscriptionsRequest": _obj(
        {
            "limit": {"type": "integer", "minimum": 1, "maximum": LIST_MAX, "nullable": True},
            "cursor": _TEXT,
        }
    ),
    "SubscriptionList": _obj(
        {
            "validated_subscriptions": {"type": "array", "items": ref("ValidatedSubscription")},
            "cursor": _TEXT,
            "prev_cursor": _TEXT,
        }
    ),
}


def _body(name: str) -> Schema:
    return {"required": False, **json_content(ref(name))}


def _validation(summary: str, body: str, answer: str) -> Schema:
    return {
        "post": {
            "summary": summary + _NOT_CONFIGURED,
            "requestBody": _body(body),
            "responses": responses(ref(answer), "400", "401"),
        }
    }


def purchase_paths() -> dict[str, Schema]:
    paths: dict[str, Schema] = {
        fill(IAP_PURCHASE, store=store): _validation(
            f"Validate a purchase with the store ({store}).",
            f"ValidatePurchase_{store}",
            "ValidatePurchaseResponse",
        )
        for store in PURCHASE_STORES
    }
    for store in SUBSCRIPTION_STORES:
        paths[fill(IAP_SUBSCRIPTION_STORE, store=store)] = _validation(
            f"Validate a subscription with the store ({store}).",
            "ValidateSubscriptionRequest",
            "ValidateSubscriptionResponse",
        )
    paths[IAP_SUBSCRIPTIONS] = {
        "post": {
            "summary": "A page of the caller's validated subscriptions (none here).",
            "requestBody": _body("ListSubscriptionsRequest"),
            "responses": responses(ref("SubscriptionList"), "400", "401"),
        }
    }
    paths[IAP_SUBSCRIPTION] = {
        "get": {
            "summary": "The caller's subscription to one product (404 here: none is held).",
            "parameters": [path_param("product_id")],
            "responses": responses(ref("ValidatedSubscription"), "401", "404"),
        }
    }
    return paths
