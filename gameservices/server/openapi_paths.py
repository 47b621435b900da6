"""The operations of the OpenAPI document (``openapi``): every path, method, parameter, status
and content type the server answers with.

Invariants: data builders only. Every API operation lists the statuses its handler and the
middlewares can send: its own, plus 408 (slow body), 413 (body cap), 405 (another method on its
path, with Allow), 429 (rate limit, when configured) and 5XX (500, or fault injection when
configured). Error bodies are ``Error``; a 401 repeats its message in ``WWW-Authenticate``.
"""

from __future__ import annotations

from typing import Any

from .._protocol.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .._protocol.limits import AROUND_LIMIT_MAX, DEFAULT_PAGE_LIMIT, ID_MAX_BYTES, LIST_LIMIT_MAX
from .openapi_schemas import Schema, ref

__all__ = ["account_paths", "asset_paths", "leaderboard_paths", "service_paths"]

_ERRORS = {
    "400": "Invalid argument (code 3)",
    "401": "Missing, expired or invalid credentials (code 16); WWW-Authenticate repeats why",
    "404": "Not found (code 5)",
    "405": "Another method on this path (code 12), with Allow",
    "408": "The request body did not arrive in time (code 4)",
    "409": "Conflict: username taken, or an Idempotency-Key reused with another request (code 6)",
    "413": "Request body over the cap (64 KB by default)",
    "429": "Rate limited (code 8), with Retry-After; only with a rate limit configured",
    "5XX": "Internal error (500, code 13), or a fault injected on purpose (code 14; only with"
    " fault injection configured)",
}
_ALWAYS = ("405", "408", "413", "429", "5XX")
_HEADER_TEXT: Schema = {"schema": {"type": "string"}}


def json_content(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _error(status: str) -> Schema:
    answer: Schema = {"description": _ERRORS[status], **json_content(ref("Error"))}
    if status == "401":
        answer["headers"] = {"WWW-Authenticate": _HEADER_TEXT}
    if status == "405":
        answer["headers"] = {"Allow": {**_HEADER_TEXT, "description": "the methods it takes"}}
    if status == "429":
        answer["headers"] = {"Retry-After": _HEADER_TEXT}
    return answer


def _responses(ok: Schema, *errors: str, ok_headers: Schema | None = None) -> Schema:
    success: Schema = {"description": "OK", **json_content(ok)}
    if ok_headers:
        success["headers"] = ok_headers
    out: Schema = {"200": success}
    for status in sorted({*errors, *_ALWAYS}):
        out[status] = _error(status)
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
                    "for a new account; for an email login without an email, the account",
                ),
            ],
            "requestBody": {"required": True, **json_content(ref(body))},
            "responses": _responses(ref("Session"), "400", "401", "404", "409"),
        }
    }


def account_paths() -> dict[str, Schema]:
    auth = "/v2/account/authenticate"
    return {
        f"{auth}/device": _authenticate("AccountDevice", "a device id"),
        f"{auth}/custom": _authenticate("AccountCustom", "a custom id"),
        f"{auth}/email": _authenticate("AccountEmail", "an email (or username) and password"),
        "/v2/account/session/refresh": {
            "post": {
                "summary": "A new token pair from a refresh token.",
                "security": [{"basic": []}],
                "requestBody": {"required": True, **json_content(ref("SessionRefreshRequest"))},
                "responses": _responses(ref("Session"), "400", "401", "404"),
            }
        },
        "/v2/session/logout": {
            "post": {
                "summary": "Revoke the given session and refresh tokens (the caller's own).",
                "requestBody": {"required": True, **json_content(ref("SessionLogoutRequest"))},
                "responses": _responses(ref("Empty"), "400", "401"),
            }
        },
        "/v2/account": {
            "get": {
                "summary": "The caller's account.",
                "responses": _responses(ref("Account"), "401", "404"),
            }
        },
    }


def _limit(high: int) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": high, "default": DEFAULT_PAGE_LIMIT}


_EXPIRY = _query(
    "expiry",
    {"type": "integer", "format": "int64"},
    "the end of the reset period to read (epoch seconds); 0 or absent: the current one",
)
_CURSOR = _query("cursor", {"type": "string"}, "an opaque, signed cursor from a previous page")
_IDEMPOTENCY_HEADERS: Schema = {
    IDEMPOTENCY_HEADER: {
        "description": "Echoed: the server honours idempotency keys",
        **_HEADER_TEXT,
    },
    REPLAYED_HEADER: {"description": "true on a replayed response", **_HEADER_TEXT},
}


def leaderboard_paths() -> dict[str, Schema]:
    board = _path("leaderboard_id")
    key = _header(
        IDEMPOTENCY_HEADER, "apply this write or delete at most once per user and key (24 h)"
    )
    owner_ids = {"type": "array", "items": {"type": "string", "format": "uuid"}}
    list_params = [
        board,
        _query("limit", _limit(LIST_LIMIT_MAX)),
        _CURSOR,
        _query("owner_ids", owner_ids, "or ownerIds", style="form", explode=True),
        _EXPIRY,
    ]
    around = [board, _query("limit", _limit(AROUND_LIMIT_MAX)), _CURSOR, _EXPIRY]
    page = ref("LeaderboardRecordList")
    return {
        "/v2/leaderboard/{leaderboard_id}": {
            "get": {
                "summary": "List records, best first, with cursors; owner_ids adds owner_records.",
                "parameters": list_params,
                "responses": _responses(page, "400", "401", "404"),
            },
            "post": {
                "summary": "Write the caller's record with the board's or the given operator.",
                "parameters": [board, key],
                "requestBody": {"required": True, **json_content(ref("LeaderboardRecordWrite"))},
                "responses": _responses(
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
                "responses": _responses(
                    ref("Empty"), "400", "401", "404", "409", ok_headers=_IDEMPOTENCY_HEADERS
                ),
            },
        },
        "/v2/leaderboard/{leaderboard_id}/owner/{owner_id}": {
            "get": {
                "summary": "Records around an owner.",
                "parameters": [*around[:1], _path("owner_id"), *around[1:]],
                "responses": _responses(page, "400", "401", "404"),
            }
        },
        "/v2/leaderboard/{leaderboard_id}/owner/": {
            "get": {
                "summary": "Around an empty owner id: routed, and refused (400), as Nakama does.",
                "parameters": around,
                "responses": _responses(page, "400", "401"),
            }
        },
    }


def service_paths() -> dict[str, Schema]:
    return {
        "/healthcheck": {
            "get": {
                "summary": "Nakama's health probe: 200 {} while the server runs.",
                "security": [],
                "responses": _responses(ref("Empty")),
            }
        },
        "/": {
            "get": {
                "summary": "Nakama's root: 200 with an empty body.",
                "security": [],
                "responses": {"200": {"description": "OK, no body"}, "405": _error("405")},
            }
        },
        "/v2/openapi.json": {
            "get": {
                "summary": "This document.",
                "security": [],
                "responses": _responses({"type": "object"}),
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
    _faults = {status: _error(status) for status in ("405", "429", "5XX")}
    return {
        "/assets/manifest.json": {
            "get": {
                "summary": "The asset manifest; If-None-Match gives 304.",
                "security": [],
                "parameters": [_header("If-None-Match", "the manifest ETag")],
                "responses": {
                    "200": {"description": "The manifest", **json_content(ref("AssetManifest"))},
                    "304": {"description": "Not modified", "headers": {"ETag": _HEADER_TEXT}},
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
                        **json_content(ref("Error")),
                    },
                    **_faults,
                    "416": {
                        "description": "Range not satisfiable (code 11)",
                        "headers": {
                            "Content-Range": {**_HEADER_TEXT, "description": "bytes */SIZE"}
                        },
                        **json_content(ref("Error")),
                    },
                },
            }
        },
    }
