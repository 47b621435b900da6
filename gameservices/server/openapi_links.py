"""The link and unlink operations of the OpenAPI document (``openapi``):
``POST /v2/account/link/{kind}`` and ``POST /v2/account/unlink/{kind}``, and the providers'
logins (``POST /v2/account/authenticate/{provider}``), which this server answers "not
configured" (400 code 9) once Nakama's own checks pass.

Invariants: data builders only, as ``openapi_paths``; every status a handler sends is listed.
"""

from __future__ import annotations

from .._protocol.limits import ID_MAX_BYTES
from .._protocol.providers import GAME_CENTER_FIELDS, PROVIDERS
from .._protocol.routes import ACCOUNT_LINK, ACCOUNT_UNLINK, AUTHENTICATE, fill
from .openapi_parts import json_content, query_param, responses
from .openapi_schemas import INT64, Schema, ref

__all__ = ["LINK_SCHEMAS", "link_paths", "provider_paths"]

_TEXT: Schema = {"type": "string"}
_VARS: Schema = {"type": "object", "additionalProperties": {"type": "string"}}

LINK_SCHEMAS: dict[str, Schema] = {
    "UnlinkId": {
        "type": "object",
        "description": "the id to unlink (a custom id may be left out: whichever is linked)",
        "properties": {"id": _TEXT, "vars": {"type": "object"}},
    },
    "UnlinkEmail": {
        "type": "object",
        "description": "the email to unlink (may be left out: whichever is linked)",
        "properties": {"email": _TEXT, "password": _TEXT, "vars": {"type": "object"}},
    },
    "AccountProviderToken": {
        "type": "object",
        "description": "Apple, Facebook, Google, Steam: the provider's token",
        "properties": {"token": _TEXT, "vars": _VARS},
    },
    "AccountFacebookInstantGame": {
        "type": "object",
        "properties": {"signed_player_info": _TEXT, "vars": _VARS},
    },
    "AccountGameCenter": {
        "type": "object",
        "description": "Game Center's identity verification signature",
        "properties": {
            **{name: _TEXT for name in GAME_CENTER_FIELDS},
            "timestamp_seconds": INT64,
            "vars": _VARS,
        },
    },
    "LinkSteamRequest": {
        "type": "object",
        "properties": {
            "account": ref("AccountProviderToken"),
            "sync": {"type": "boolean", "description": "import the player's Steam friends"},
        },
    },
}
_ACCOUNTS = {"facebookinstantgame": "AccountFacebookInstantGame", "gamecenter": "AccountGameCenter"}
_SYNC = query_param("sync", {"type": "boolean"}, "import the player's friends")

# kind -> (the link body, the unlink body, what it is)
_KINDS = {
    "device": ("AccountDevice", "UnlinkId", "a device id"),
    "custom": ("AccountCustom", "UnlinkId", "the custom id"),
    "email": ("AccountEmail", "UnlinkEmail", "the email and password"),
}


def _post(summary: str, body: str, *errors: str, **extra: object) -> Schema:
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": False, **json_content(ref(body))},
            "responses": responses(ref("Empty"), "400", "401", *errors),
            **extra,
        }
    }


def _login(kind: str, body: str, sync: bool) -> Schema:
    create = query_param("create", {"type": "boolean"}, "create the account if it is new")
    username = query_param(
        "username", {"type": "string", "maxLength": ID_MAX_BYTES}, "for a new account"
    )
    return {
        "post": {
            "summary": f"Log in with {kind}: refused for bad input as Nakama refuses it, then"
            " 400 code 9 (not configured here).",
            "security": [{"basic": []}],
            "parameters": [create, username, *([_SYNC] if sync else [])],
            "requestBody": {"required": False, **json_content(ref(body))},
            "responses": responses(ref("Session"), "400", "401"),
        }
    }


def provider_paths() -> dict[str, Schema]:
    paths: dict[str, Schema] = {}
    for kind, provider in PROVIDERS.items():
        body = _ACCOUNTS.get(kind, "AccountProviderToken")
        paths[fill(AUTHENTICATE, kind=kind)] = _login(kind, body, provider.sync)
        link_sync = {"parameters": [_SYNC]} if provider.sync and kind != "steam" else {}
        paths[fill(ACCOUNT_LINK, kind=kind)] = _post(
            f"Link {kind}: refused for bad input as Nakama refuses it, then 400 code 9.",
            "LinkSteamRequest" if kind == "steam" else body,
            **link_sync,
        )
        paths[fill(ACCOUNT_UNLINK, kind=kind)] = _post(
            f"Unlink {kind}: with no credentials, as the other unlinks (403 for the last way to"
            " log in); with credentials 400 code 9 (nothing to verify them with).",
            body,
            "403",
            "404",
        )
    return paths


def link_paths() -> dict[str, Schema]:
    paths: dict[str, Schema] = {}
    for kind, (link_body, unlink_body, what) in _KINDS.items():
        paths[fill(ACCOUNT_LINK, kind=kind)] = _post(
            f"Let {what} log in to the caller's account (409 if another account holds it).",
            link_body,
            "404",
            "409",
        )
        paths[fill(ACCOUNT_UNLINK, kind=kind)] = _post(
            f"Stop {what} logging in here (403 if it is the last way, or not the caller's).",
            unlink_body,
            "403",
            "404",
        )
    return paths
