"""``client.purchases``: have the server validate in-app purchases and subscriptions with the
store they came from, and read the player's subscriptions (build -> send -> parse,
``_protocol.purchases``).

Invariants: a receipt goes out exactly as the store gave it; an empty one is refused before
sending. A server without the store's settings raises ``NotConfigured`` (Nakama's "Apple IAP is
not configured."), the reference server always does. A purchase ``seen_before`` was validated
already: grant it once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from .._config import DEFAULT
from .._protocol import purchases as wire
from .._protocol.operations import covers
from .._protocol.purchases import SubscriptionList, ValidatedSubscription, ValidatePurchaseResponse
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["PurchaseService"]


class PurchaseService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    async def _purchase(self, store: str, persist: bool, timeout: Timeout, **values: str
                        ) -> ValidatePurchaseResponse:  # fmt: skip
        req = wire.validate_purchase(store, values, persist=persist)
        return await self._caller.send(req, wire.parse_purchases, timeout)

    @covers("Nakama_ValidatePurchaseApple")
    async def validate_apple(
        self, receipt: str, *, persist: bool = True, timeout: Timeout = DEFAULT
    ) -> ValidatePurchaseResponse:
        """Validate an App Store receipt (base64, as StoreKit gives it)."""
        return await self._purchase("apple", persist, timeout, receipt=receipt)

    @covers("Nakama_ValidatePurchaseGoogle")
    async def validate_google(
        self, purchase: str, *, persist: bool = True, timeout: Timeout = DEFAULT
    ) -> ValidatePurchaseResponse:
        """Validate a Google Play purchase (its JSON text, as Play Billing gives it)."""
        return await self._purchase("google", persist, timeout, purchase=purchase)

    @covers("Nakama_ValidatePurchaseHuawei")
    async def validate_huawei(
        self, purchase: str, signature: str, *, persist: bool = True, timeout: Timeout = DEFAULT
    ) -> ValidatePurchaseResponse:
        """Validate a Huawei purchase (``InAppPurchaseData`` JSON text and its signature)."""
        values = {"purchase": purchase, "signature": signature}
        return await self._purchase("huawei", persist, timeout, **values)

    @covers("Nakama_ValidatePurchaseFacebookInstant")
    async def validate_facebook_instant(
        self, signed_request: str, *, persist: bool = True, timeout: Timeout = DEFAULT
    ) -> ValidatePurchaseResponse:
        """Validate a Facebook Instant Games purchase (its ``signedRequest``)."""
        values = {"signed_request": signed_request}
        return await self._purchase("facebookinstant", persist, timeout, **values)

    async def _subscription(self, store: str, receipt: str, persist: bool, timeout: Timeout
                            ) -> ValidatedSubscription:  # fmt: skip
        req = wire.validate_subscription(store, receipt, persist=persist)
        return await self._caller.send(req, wire.parse_validated_subscription, timeout)

    @covers("Nakama_ValidateSubscriptionApple")
    async def validate_subscription_apple(
        self, receipt: str, *, persist: bool = True, timeout: Timeout = DEFAULT
    ) -> ValidatedSubscription:
        """Validate an App Store subscription receipt."""
        return await self._subscription("apple", receipt, persist, timeout)

    @covers("Nakama_ValidateSubscriptionGoogle")
    async def validate_subscription_google(
        self, receipt: str, *, persist: bool = True, timeout: Timeout = DEFAULT
    ) -> ValidatedSubscription:
        """Validate a Google Play subscription (the purchase's JSON text)."""
        return await self._subscription("google", receipt, persist, timeout)

    @covers("Nakama_ListSubscriptions")
    async def subscriptions(
        self, *, limit: int = wire.LIST_MAX, cursor: str | None = None, timeout: Timeout = DEFAULT
    ) -> SubscriptionList:
        """A page (1-100) of the player's validated subscriptions; ``.cursor`` for the next."""
        req = wire.list_subscriptions(limit=limit, cursor=cursor)
        return await self._caller.send(req, wire.parse_subscription_list, timeout)

    @covers("Nakama_ListSubscriptions")
    async def iterate_subscriptions(
        self, *, page_size: int = wire.LIST_MAX, timeout: Timeout = DEFAULT
    ) -> AsyncIterator[ValidatedSubscription]:
        """Every validated subscription of the player, page by page, following ``cursor``."""
        pages = follow_cursor(
            lambda cursor: self.subscriptions(limit=page_size, cursor=cursor, timeout=timeout),
            lambda page: (page.validated_subscriptions, page.cursor),
        )
        async for subscription in pages:
            yield subscription

    @covers("Nakama_GetSubscription")
    async def subscription(
        self, product_id: str, *, timeout: Timeout = DEFAULT
    ) -> ValidatedSubscription:
        """The player's subscription to ``product_id``; ``NotFound`` if there is none."""
        req = wire.get_subscription(product_id)
        return await self._caller.send(req, wire.parse_subscription, timeout)
