"""Component schemas for the OpenAPI document: the Nakama wire as sent (snake_case, int64 strings).

Invariants: data only; names follow the proto field names Nakama emits, never the swagger's
camelCase; int64 fields are strings with ``format: int64``.
"""

from __future__ import annotations

from typing import Any

from .._protocol.limits import (
    CUSTOM_ID_MIN_BYTES,
    DEVICE_ID_MIN_BYTES,
    EMAIL_MAX_BYTES,
    EMAIL_MIN_BYTES,
    ID_MAX_BYTES,
    METADATA_MAX_BYTES,
    PASSWORD_MIN_BYTES,
)

__all__ = ["INT64", "SCHEMAS", "Schema", "ref"]

Schema = dict[str, Any]

INT64: Schema = {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}
_VARS: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
_OPERATOR: Schema = {
    "description": "BEST, SET, INCREMENT, DECREMENT or NO_OVERRIDE (board default); a name "
    "(exact; any other string means the board's default) or its number (0-4).",
    "oneOf": [
        {"type": "string", "enum": ["NO_OVERRIDE", "BEST", "SET", "INCREMENT", "DECREMENT"]},
        {"type": "integer", "enum": [0, 1, 2, 3, 4]},
    ],
}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _bytes(low: int, high: int) -> Schema:
    """A string of ``low``-``high`` UTF-8 bytes (JSON Schema counts characters: an upper bound
    only for ASCII)."""
    return {"type": "string", "minLength": low, "maxLength": high}


def _obj(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


SCHEMAS: dict[str, Schema] = {
    "Error": _obj(
        {
            "code": {"type": "integer", "format": "int32", "description": "gRPC status code"},
            "message": {"type": "string"},
        },
        ("code", "message"),
    ),
    "Session": _obj(
        {
            "created": {"type": "boolean"},
            "token": {"type": "string"},
            "refresh_token": {"type": "string"},
        },
        ("token", "refresh_token"),
    ),
    "AccountDevice": _obj(
        {"id": _bytes(DEVICE_ID_MIN_BYTES, ID_MAX_BYTES), "vars": _VARS}, ("id",)
    ),
    "AccountCustom": _obj(
        {"id": _bytes(CUSTOM_ID_MIN_BYTES, ID_MAX_BYTES), "vars": _VARS}, ("id",)
    ),
    "AccountEmail": _obj(
        {
            "email": _bytes(EMAIL_MIN_BYTES, EMAIL_MAX_BYTES),
            "password": {"type": "string", "minLength": PASSWORD_MIN_BYTES},
            "vars": _VARS,
        },
        ("email", "password"),
    ),
    "SessionRefreshRequest": _obj({"token": {"type": "string"}, "vars": _VARS}, ("token",)),
    "SessionLogoutRequest": _obj(
        {
            "token": {"type": "string"},
            "refresh_token": {"type": "string", "description": "or refreshToken"},
        }
    ),
    "LeaderboardRecordWrite": _obj(
        {
            "score": INT64,
            "subscore": INT64,
            "metadata": {
                "type": "string",
                "description": f"a JSON object's text, at most {METADATA_MAX_BYTES // 1024} KB;"
                " stored (and answered) as PostgreSQL's jsonb prints it",
            },
            "operator": _OPERATOR,
        }
    ),
    "LeaderboardRecord": _obj(
        {
            "leaderboard_id": {"type": "string"},
            "owner_id": {"type": "string"},
            "username": {"type": "string"},
            "score": INT64,
            "subscore": INT64,
            "num_score": {"type": "integer", "format": "int32"},
            "metadata": {"type": "string"},
            "create_time": {"type": "string", "format": "date-time"},
            "update_time": {"type": "string", "format": "date-time"},
            "expiry_time": {"type": "string", "format": "date-time"},
            "rank": INT64,
            "max_num_score": {"type": "integer", "format": "int32"},
        }
    ),
    "LeaderboardRecordList": _obj(
        {
            "records": {"type": "array", "items": ref("LeaderboardRecord")},
            "owner_records": {"type": "array", "items": ref("LeaderboardRecord")},
            "next_cursor": {"type": "string"},
            "prev_cursor": {"type": "string"},
            "rank_count": INT64,
        }
    ),
    "Empty": _obj({}),
    "User": _obj(
        {
            "id": {"type": "string"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "avatar_url": {"type": "string"},
            "lang_tag": {"type": "string"},
            "location": {"type": "string"},
            "timezone": {"type": "string"},
            "metadata": {"type": "string"},
            "create_time": {"type": "string", "format": "date-time"},
            "update_time": {"type": "string", "format": "date-time"},
        }
    ),
    "Account": _obj(
        {
            "user": ref("User"),
            "wallet": {"type": "string"},
            "email": {"type": "string"},
            "devices": {
                "type": "array",
                "items": _obj({"id": {"type": "string"}}),
            },
            "custom_id": {"type": "string"},
            "verify_time": {"type": "string", "format": "date-time"},
            "disable_time": {"type": "string", "format": "date-time"},
        }
    ),
    "AssetEntry": _obj(
        {
            "name": {"type": "string", "description": "relative path, '/'-separated"},
            "size": {"type": "integer", "format": "int64", "minimum": 0},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "etag": {"type": "string"},
            "url": {"type": "string", "description": "relative to the manifest's URL, or absolute"},
        },
        ("name", "size", "sha256"),
    ),
    "AssetManifest": _obj(
        {"version": {"type": "string"}, "assets": {"type": "array", "items": ref("AssetEntry")}},
        ("version", "assets"),
    ),
}
