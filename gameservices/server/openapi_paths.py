"""The operations of the OpenAPI document (``openapi``): every path, method, parameter, status
and content type the server answers with.

Invariants: data builders only; the statuses every operation shares come from
``openapi_parts.responses``, each operation adds the ones its handler sends.
"""

from __future__ import annotations

from .._protocol import routes
from .._protocol.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .._protocol.limits import AROUND_LIMIT_MAX, DEFAULT_PAGE_LIMIT, ID_MAX_BYTES, LIST_LIMIT_MAX
from .openapi_accounts import account_operations
from .openapi_parts import (
    HEADER_TEXT,
    error_answer,
    header_param,
    json_content,
    path_param,
    query_param,
    responses,
)
from .openapi_schemas import Schema, ref

__all__ = ["account_paths", "asset_paths", "leaderboard_paths", "service_paths"]


def _authenticate(body: str, what: str) -> Schema:
    return {
        "post": {
            "summary": f"Authenticate with {what}, creating the account if asked.",
            "security": [{"basic": []}],
            "parameters": [
                query_param(
                    "create", {"type": "boolean"}, "create the account if it does not exist"
                ),
                query_param(
                    "username",
                    {"type": "string", "minLength": 1, "maxLength": ID_MAX_BYTES},
                    "for a new account; for an email login without an email, the account",
                ),
            ],
            "requestBody": {"required": True, **json_content(ref(body))},
            "responses": responses(ref("Session"), "400", "401", "404", "409"),
        }
    }


def _auth(kind: str) -> str:
    return routes.fill(routes.AUTHENTICATE, kind=kind)


def account_paths() -> dict[str, Schema]:
    return {
        _auth("device"): _authenticate("AccountDevice", "a device id"),
        _auth("custom"): _authenticate("AccountCustom", "a custom id"),
        _auth("email"): _authenticate("AccountEmail", "an email (or username) and password"),
        routes.SESSION_REFRESH: {
            "post": {
                "summary": "A new token pair from a refresh token.",
                "security": [{"basic": []}],
                "requestBody": {"required": True, **json_content(ref("SessionRefreshRequest"))},
                "responses": responses(ref("Session"), "400", "401", "404"),
            }
        },
        routes.SESSION_LOGOUT: {
            "post": {
                "summary": "Revoke the given session and refresh tokens (the caller's own).",
                "requestBody": {"required": True, **json_content(ref("SessionLogoutRequest"))},
                "responses": responses(ref("Empty"), "400", "401"),
            }
        },
        routes.ACCOUNT: {
            "get": {
                "summary": "The caller's account.",
                "responses": responses(ref("Account"), "401", "404"),
            },
            **account_operations(),
        },
    }


def _limit(high: int) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": high, "default": DEFAULT_PAGE_LIMIT}


_EXPIRY = query_param(
    "expiry",
    {"type": "integer", "format": "int64"},
    "the end of the reset period to read (epoch seconds); 0 or absent: the current one",
)
_CURSOR = query_param("cursor", {"type": "string"}, "an opaque, signed cursor from a previous page")
_IDEMPOTENCY_HEADERS: Schema = {
    IDEMPOTENCY_HEADER: {
        "description": "Echoed: the server honours idempotency keys",
        **HEADER_TEXT,
    },
    REPLAYED_HEADER: {"description": "true on a replayed response", **HEADER_TEXT},
}


def leaderboard_paths() -> dict[str, Schema]:
    board = path_param("leaderboard_id")
    key = header_param(
        IDEMPOTENCY_HEADER, "apply this write or delete at most once per user and key (24 h)"
    )
    owner_ids = {"type": "array", "items": {"type": "string", "format": "uuid"}}
    list_params = [
        board,
        query_param("limit", _limit(LIST_LIMIT_MAX)),
        _CURSOR,
        query_param("owner_ids", owner_ids, "or ownerIds", style="form", explode=True),
        _EXPIRY,
    ]
    around = [board, query_param("limit", _limit(AROUND_LIMIT_MAX)), _CURSOR, _EXPIRY]
    page = ref("LeaderboardRecordList")
    return {
        routes.LEADERBOARD: {
            "get": {
                "summary": "List records, best first, with cursors; owner_ids adds owner_records.",
                "parameters": list_params,
                "responses": responses(page, "400", "401", "404"),
            },
            "post": {
                "summary": "Write the caller's record with the board's or the given operator.",
                "parameters": [board, key],
                "requestBody": {"required": True, **json_content(ref("LeaderboardRecordWrite"))},
                "responses": responses(
                    ref("LeaderboardRecord"),
                    "400",
                    "401",
                    "404",
                    "409",
                    ok_headers=_IDEMPOTENCY_HEADERS,
                ),
            },
            "delete": {
                "summary": "Delete the caller's record (of the current reset period).",
                "parameters": [board, key],
                "responses": responses(
                    ref("Empty"), "400", "401", "404", "409", ok_headers=_IDEMPOTENCY_HEADERS
                ),
            },
        },
        routes.LEADERBOARD_OWNER: {
            "get": {
                "summary": "Records around an owner.",
                "parameters": [*around[:1], path_param("owner_id"), *around[1:]],
                "responses": responses(page, "400", "401", "404"),
            }
        },
        routes.LEADERBOARD_OWNER.removesuffix("{owner_id}"): {
            "get": {
                "summary": "Around an empty owner id: routed, and refused (400), as Nakama does.",
                "parameters": around,
                "responses": responses(page, "400", "401"),
            }
        },
    }


def service_paths() -> dict[str, Schema]:
    return {
        routes.HEALTHCHECK: {
            "get": {
                "summary": "Nakama's health probe: 200 {} while the server runs.",
                "security": [],
                "responses": responses(ref("Empty")),
            }
        },
        "/": {
            "get": {
                "summary": "Nakama's root: 200 with an empty body.",
                "security": [],
                "responses": {"200": {"description": "OK, no body"}, "405": error_answer("405")},
            }
        },
        routes.OPENAPI: {
            "get": {
                "summary": "This document.",
                "security": [],
                "responses": responses({"type": "object"}),
            }
        },
    }


def asset_paths() -> dict[str, Schema]:
    validators = {
        "ETag": {"schema": {"type": "string"}, "description": 'strong: "<sha256>"'},
        "Last-Modified": {"schema": {"type": "string"}},
    }
    # A file goes out with the type its name suggests (text/plain, image/png...), else
    # application/octet-stream.
    binary = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    # Rate limits and faults apply to assets when their paths are configured to include them.
    _faults = {status: error_answer(status) for status in ("405", "429", "5XX")}
    return {
        "/assets/manifest.json": {
            "get": {
                "summary": "The asset manifest; If-None-Match gives 304.",
                "security": [],
                "parameters": [header_param("If-None-Match", "the manifest ETag")],
                "responses": {
                    "200": {"description": "The manifest", **json_content(ref("AssetManifest"))},
                    "304": {"description": "Not modified", "headers": {"ETag": HEADER_TEXT}},
                    "404": {
                        "description": "No assets are configured",
                        **json_content(ref("Error")),
                    },
                    **_faults,
                },
            }
        },
        "/assets/{name}": {
            "get": {
                "summary": "An asset file. One byte range at most; a multi-range request gets 200.",
                "security": [],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    header_param("Range", "bytes=START-[END] or bytes=-SUFFIX"),
                    header_param("If-Range", "an ETag; if stale, the whole file comes back (200)"),
                    header_param("If-None-Match", "ETags; a match gives 304"),
                ],
                "responses": {
                    "200": {
                        "description": "The whole file",
                        "headers": validators,
                        "content": binary,
                    },
                    "206": {
                        "description": "The requested range",
                        "headers": {**validators, "Content-Range": {"schema": {"type": "string"}}},
                        "content": binary,
                    },
                    "304": {"description": "Not modified", "headers": validators},
                    "404": {
                        "description": "Unknown name or one escaping the asset directory",
                        **json_content(ref("Error")),
                    },
                    **_faults,
                    "416": {
                        "description": "Range not satisfiable (code 11)",
                        "headers": {
                            "Content-Range": {**HEADER_TEXT, "description": "bytes */SIZE"}
                        },
                        **json_content(ref("Error")),
                    },
                },
            }
        },
    }
