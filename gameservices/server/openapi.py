"""An OpenAPI 3 description of what the reference server implements, served at /v2/openapi.json.

Invariants:
- It describes the wire as sent: snake_case names (Nakama's proto names), int64 as strings with
  ``format: int64``, enums as numbers on output, errors as ``{"code", "message", "details"}``.
- It lists only what is implemented: the Nakama subset of ``nakama-rest.md`` plus the asset host
  and our idempotency headers. A test validates it with openapi-spec-validator.
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from .._protocol.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .._protocol.limits import AROUND_LIMIT_MAX, DEFAULT_PAGE_LIMIT, ID_MAX_BYTES, LIST_LIMIT_MAX
from .openapi_schemas import INT64, SCHEMAS, Schema, ref

__all__ = ["openapi_document", "setup_openapi"]

_ERROR_STATUSES = {
    "400": "Invalid argument (code 3)",
    "401": "Missing, expired or invalid credentials (code 16)",
    "404": "Not found (code 5)",
    "409": "Conflict: username taken (code 6) or an Idempotency-Key reused with another body",
    "413": "Request body over 64 KB",
    "429": "Rate limited (code 8), with Retry-After",
    "500": "Internal error (code 13)",
}


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(ok: Schema, *errors: str, ok_headers: Schema | None = None) -> Schema:
    success: Schema = {"description": "OK", **_json(ok)}
    if ok_headers:
        success["headers"] = ok_headers
    out: Schema = {"200": success}
    for status in (*errors, "429", "500"):
        out[status] = {"description": _ERROR_STATUSES[status], **_json(ref("Error"))}
    return out


def _query(name: str, schema: Schema, description: str = "", **extra: Any) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def _path(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _header(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


_IDEMPOTENCY_HEADERS: Schema = {
    IDEMPOTENCY_HEADER: {
        "description": "Echoed: the server honours idempotency keys",
        "schema": {"type": "string"},
    },
    REPLAYED_HEADER: {
        "description": "true on a replayed response",
        "schema": {"type": "string"},
    },
}


def _authenticate(body: str, what: str) -> Schema:
    return {
        "post": {
            "summary": f"Authenticate with {what}, creating the account if asked.",
            "security": [{"basic": []}],
            "parameters": [
                _query("create", {"type": "boolean"}, "create the account if it does not exist"),
                _query(
                    "username",
                    {"type": "string", "minLength": 1, "maxLength": ID_MAX_BYTES},
                    "for a new account",
                ),
            ],
            "requestBody": {"required": True, **_json(ref(body))},
            "responses": _responses(ref("Session"), "400", "401", "404", "409"),
        }
    }


def _limit(high: int) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": high, "default": DEFAULT_PAGE_LIMIT}


def _leaderboard_paths() -> dict[str, Schema]:
    board = _path("leaderboard_id")
    key = _header(
        IDEMPOTENCY_HEADER, "apply this write or delete at most once per user and key (24 h)"
    )
    list_params = [
        board,
        _query("limit", _limit(LIST_LIMIT_MAX)),
        _query("cursor", {"type": "string"}, "an opaque, signed cursor from a previous page"),
        _query(
            "owner_ids", {"type": "array", "items": {"type": "string"}}, style="form", explode=True
        ),
        _query("expiry", INT64),
    ]
    around_params = [
        board,
        _path("owner_id"),
        _query("limit", _limit(AROUND_LIMIT_MAX)),
        _query("cursor", {"type": "string"}),
        _query("expiry", INT64),
    ]
    return {
        "/v2/leaderboard/{leaderboard_id}": {
            "get": {
                "summary": "List records, best first, with cursors; owner_ids adds owner_records.",
                "parameters": list_params,
                "responses": _responses(ref("LeaderboardRecordList"), "400", "401", "404"),
            },
            "post": {
                "summary": "Write the caller's record with the board's or the given operator.",
                "parameters": [board, key],
                "requestBody": {"required": True, **_json(ref("LeaderboardRecordWrite"))},
                "responses": _responses(
                    ref("LeaderboardRecord"),
                    "400",
                    "401",
                    "404",
                    "409",
                    "413",
                    ok_headers=_IDEMPOTENCY_HEADERS,
                ),
            },
            "delete": {
                "summary": "Delete the caller's record.",
                "parameters": [board, key],
                "responses": _responses(
                    ref("Empty"), "401", "404", "409", ok_headers=_IDEMPOTENCY_HEADERS
                ),
            },
        },
        "/v2/leaderboard/{leaderboard_id}/owner/{owner_id}": {
            "get": {
                "summary": "Records around an owner.",
                "parameters": around_params,
                "responses": _responses(ref("LeaderboardRecordList"), "400", "401", "404"),
            }
        },
    }


def _asset_paths() -> dict[str, Schema]:
    validators = {
        "ETag": {"schema": {"type": "string"}, "description": 'strong: "<sha256>"'},
        "Last-Modified": {"schema": {"type": "string"}},
    }
    binary = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    error = {"content": _json(ref("Error"))["content"]}
    return {
        "/assets/manifest.json": {
            "get": {
                "summary": "The asset manifest; If-None-Match gives 304.",
                "security": [],
                "parameters": [_header("If-None-Match", "the manifest ETag")],
                "responses": {
                    "200": {"description": "The manifest", **_json(ref("AssetManifest"))},
                    "304": {"description": "Not modified"},
                    "404": {"description": "No assets are configured", **error},
                },
            }
        },
        "/assets/{name}": {
            "get": {
                "summary": "An asset file. One byte range at most; a multi-range request gets 200.",
                "security": [],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    _header("Range", "bytes=START-[END] or bytes=-SUFFIX"),
                    _header("If-Range", "an ETag; if stale, the whole file comes back (200)"),
                    _header("If-None-Match", "ETags; a match gives 304"),
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
                        **error,
                    },
                    "416": {
                        "description": "Range not satisfiable (code 11)",
                        "headers": {
                            "Content-Range": {
                                "schema": {"type": "string"},
                                "description": "bytes */SIZE",
                            }
                        },
                        **error,
                    },
                },
            }
        },
    }


def _build() -> Schema:
    auth = "/v2/account/authenticate"
    paths: dict[str, Schema] = {
        f"{auth}/device": _authenticate("AccountDevice", "a device id"),
        f"{auth}/custom": _authenticate("AccountCustom", "a custom id"),
        f"{auth}/email": _authenticate("AccountEmail", "an email and password"),
        "/v2/account/session/refresh": {
            "post": {
                "summary": "A new token pair from a refresh token.",
                "security": [{"basic": []}],
                "requestBody": {"required": True, **_json(ref("SessionRefreshRequest"))},
                "responses": _responses(ref("Session"), "400", "401"),
            }
        },
        "/v2/session/logout": {
            "post": {
                "summary": "Revoke the refresh token.",
                "requestBody": {"required": True, **_json(ref("SessionLogoutRequest"))},
                "responses": _responses(ref("Empty"), "400", "401"),
            }
        },
        **_leaderboard_paths(),
        **_asset_paths(),
        "/v2/openapi.json": {
            "get": {
                "summary": "This document.",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3", **_json({"type": "object"})}},
            }
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "gameservices reference server",
            "version": "0.1.0",
            "description": "The Nakama v2 REST subset gameservices speaks, plus an asset host.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "basic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "the server key as user",
                },
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }


_DOCUMENT = _build()


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the document (callers may change it freely)."""
    return copy.deepcopy(_DOCUMENT)


async def _serve(_request: web.Request) -> web.Response:
    return web.json_response(_DOCUMENT)


def setup_openapi(app: web.Application) -> None:
    """Serve the document at ``GET /v2/openapi.json``; it needs no credentials."""
    app.router.add_get("/v2/openapi.json", _serve)
