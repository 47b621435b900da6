"""``/v2/iap/...``: in-app purchases and subscriptions, answered as a Nakama without store
settings answers them (``_protocol.purchase_rules``): this server holds no store credentials,
so it validates nothing and holds no subscription.

Invariants: every validation reads its body first (code 3 for what protojson refuses), then is
refused with code 9 "<Store> IAP is not configured." (an Apple purchase with an empty receipt:
code 3 first); the subscription list is empty (``{}``) and any one subscription 404s. A cursor
this server never issued is refused with a 400 where Nakama answers 500 (docs/server.md).
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web

from .._protocol.purchase_rules import not_configured, parse_subscription_page
from .._protocol.purchases import PURCHASE_STORES, SUBSCRIPTION_STORES
from .._protocol.routes import (
    IAP_PURCHASE,
    IAP_SUBSCRIPTION,
    IAP_SUBSCRIPTION_STORE,
    IAP_SUBSCRIPTIONS,
    fill,
)
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response, read_json

__all__ = ["routes"]

Kind = Literal["purchase", "subscription"]


def _validation(kind: Kind, store: str) -> web.RouteDef:
    template = IAP_PURCHASE if kind == "purchase" else IAP_SUBSCRIPTION_STORE

    async def validate(request: web.Request) -> web.Response:
        body = await read_json(request)
        raise ApiFailure(GrpcCode.FAILED_PRECONDITION, accept(not_configured, kind, store, body))

    return web.post(fill(template, store=store), validate)


async def list_subscriptions(request: web.Request) -> web.Response:
    page = accept(parse_subscription_page, await read_json(request))
    if page.cursor:  # none was ever issued here
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "subscriptions list cursor invalid")
    return json_response({})


async def get_subscription(_request: web.Request) -> web.Response:
    raise ApiFailure(GrpcCode.NOT_FOUND, "subscription not found")


routes = [
    *(_validation("purchase", store) for store in PURCHASE_STORES),
    *(_validation("subscription", store) for store in SUBSCRIPTION_STORES),
    web.post(IAP_SUBSCRIPTIONS, list_subscriptions),
    web.get(IAP_SUBSCRIPTION, get_subscription, allow_head=False),
]
