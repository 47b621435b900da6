"""A server's reading of the in-app purchase requests (``/v2/iap/...``), pure: Nakama's field
rules, and what Nakama answers when it has no store settings (the reference server never has
any, so a game developing against it sees what an unconfigured Nakama answers).

Rule 1: fields are read as protojson reads them (``protojson``): unknown fields are ignored, a
        known one of the wrong type is refused (``ValueError``: code 3).
Rule 2: without settings, a validation is refused with code 9, "<Store> IAP is not configured."
        (``not_configured``), except an Apple purchase with an empty receipt: Nakama checks the
        receipt first there ("Receipt cannot be empty.", code 3), its settings first elsewhere.
Rule 3: a subscription list takes ``limit`` 1-100 (absent: 100; the message says 1000 because
        Nakama's does) and a ``cursor`` string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .protojson import bool_value, int32_value, string_value
from .purchases import LIST_MAX, PURCHASE_STORES, SUBSCRIPTION_STORES

__all__ = ["STORE_NAMES", "SubscriptionPage", "not_configured", "parse_subscription_page"]

STORE_NAMES = {
    "apple": "Apple",
    "google": "Google",
    "huawei": "Huawei",
    "facebookinstant": "Facebook Instant",
}


def not_configured(
    kind: Literal["purchase", "subscription"], store: str, body: Mapping[str, Any]
) -> str:
    """The message of the code-9 refusal of a validation on a server without the store's
    settings; ``ValueError`` (code 3) for a body it refuses before that (Rules 1, 2)."""
    stores = PURCHASE_STORES if kind == "purchase" else SUBSCRIPTION_STORES
    values = {name: string_value(body, name) for name in stores[store]}
    bool_value(body, "persist")
    if kind == "purchase" and store == "apple" and not values["receipt"]:
        raise ValueError("Receipt cannot be empty.")
    return f"{STORE_NAMES[store]} IAP is not configured."


@dataclass(frozen=True)
class SubscriptionPage:
    limit: int
    cursor: str


def parse_subscription_page(body: Mapping[str, Any]) -> SubscriptionPage:
    """The body of ``POST /v2/iap/subscription`` (Rule 3)."""
    limit = int32_value(body, "limit")
    cursor = string_value(body, "cursor") or ""
    if limit is not None and not 1 <= limit <= LIST_MAX:
        raise ValueError("Invalid limit - limit must be between 1 and 1000.")
    return SubscriptionPage(LIST_MAX if limit is None else limit, cursor)
