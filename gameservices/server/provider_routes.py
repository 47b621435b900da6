"""Provider logins, links and unlinks (Apple, Facebook, Facebook Instant Game, Game Center,
Google, Steam): ``POST /v2/account/{authenticate,link,unlink}/{provider}``.

Invariants: this server can verify no provider's credentials, so every request that would need
one is answered 400 code 9 "<Provider> authentication is not configured." after the checks
Nakama makes first, in its order (``_protocol.providers`` Rule 2): a request Nakama refuses
for its input is refused the same way here. An unlink naming no credentials needs no provider:
it succeeds while the account keeps another way to log in (``link_store.unlink_unstored``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn

from aiohttp import web

from .._protocol.account_rules import check_username
from .._protocol.providers import (
    PROVIDERS,
    Provider,
    credentials_given,
    link_account,
    missing,
    not_configured,
    read_credentials,
)
from .._protocol.routes import ACCOUNT_LINK, ACCOUNT_UNLINK, AUTHENTICATE, fill
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response, query_bool, read_json
from .link_store import unlink_unstored
from .state import USER, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _unconfigured(provider: Provider) -> NoReturn:
    raise ApiFailure(GrpcCode.FAILED_PRECONDITION, not_configured(provider))


def _judge(provider: Provider, account: Mapping[str, Any], config_first: bool) -> None:
    """Nakama's checks before it would ask the provider (Rule 2 of ``providers``)."""
    credentials = accept(read_credentials, provider, account)
    if config_first:
        _unconfigured(provider)
    message = missing(provider, credentials)
    if message is not None:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, message)


def _login(provider: Provider) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        body = await read_json(request)
        query_bool(request, "create", True)
        if provider.sync:
            query_bool(request, "sync", False)
        _judge(provider, body, provider.login_checks_config_first)
        accept(check_username, request.query.get("username", ""))
        _unconfigured(provider)

    return handler


def _link(provider: Provider) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        body = await read_json(request)
        if provider.sync and provider.kind != "steam":
            query_bool(request, "sync", True)
        account = accept(link_account, provider.kind, body)
        _judge(provider, account, provider.link_checks_config_first)
        _unconfigured(provider)

    return handler


def _unlink(provider: Provider) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        body = await read_json(request)
        if credentials_given(provider, accept(read_credentials, provider, body)):
            _unconfigured(provider)
        state = state_of(request)
        claims: Claims = request[USER]
        now = int(state.config.clock())
        await state.store.write(lambda txn: unlink_unstored(txn, claims.user_id, now))
        return json_response({})

    return handler


for _provider in PROVIDERS.values():
    _kind = _provider.kind
    routes.post(fill(AUTHENTICATE, kind=_kind))(_login(_provider))
    routes.post(fill(ACCOUNT_LINK, kind=_kind))(_link(_provider))
    routes.post(fill(ACCOUNT_UNLINK, kind=_kind))(_unlink(_provider))
