"""The tournament and match-listing operations of the OpenAPI document (``openapi``) and
their schemas.

Invariants: data builders only, as ``openapi_paths``; numbers of a tournament are uint32 JSON
numbers (``_protocol.tournaments`` Rule 1); records are the leaderboard record schemas.
"""

from __future__ import annotations

from .._protocol import routes
from .._protocol.headers import IDEMPOTENCY_HEADER
from .._protocol.matches import MATCH_LIST_DEFAULT, MATCH_LIST_MAX
from .._protocol.tournaments import (
    CATEGORY_MAX,
    TOURNAMENT_LIST_DEFAULT,
    TOURNAMENT_LIST_MAX,
    TOURNAMENT_RECORDS_DEFAULT,
    TOURNAMENT_RECORDS_MAX,
)
from .openapi_parts import header_param, json_content, path_param, query_param, responses
from .openapi_schemas import Schema, ref

__all__ = ["TOURNAMENT_SCHEMAS", "tournament_paths"]

_UINT32: Schema = {"type": "integer", "minimum": 0, "maximum": 2**32 - 1}
_TIME: Schema = {"type": "string", "format": "date-time"}
_TOURNAMENT: Schema = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        **{name: _UINT32 for name in ("category", "sort_order", "size", "max_size")},
        "max_num_score": _UINT32,
        "can_enter": {"type": "boolean"},
        "end_active": _UINT32,
        "next_reset": _UINT32,
        "metadata": {"type": "string"},
        "create_time": _TIME,
        "start_time": _TIME,
        "end_time": _TIME,
        "duration": _UINT32,
        "start_active": _UINT32,
        "prev_reset": _UINT32,
        "operator": {"type": "integer", "minimum": 0, "maximum": 4},
        "authoritative": {"type": "boolean"},
        "join_required": {"type": "boolean"},
    },
}
_MATCH: Schema = {
    "type": "object",
    "properties": {
        "match_id": {"type": "string"},
        "authoritative": {"type": "boolean"},
        "label": {"type": "string"},
        "size": {"type": "integer", "format": "int32"},
        "tick_rate": {"type": "integer", "format": "int32"},
        "handler_name": {"type": "string"},
    },
}
TOURNAMENT_SCHEMAS: dict[str, Schema] = {
    "Match": _MATCH,
    "MatchList": {
        "type": "object",
        "properties": {"matches": {"type": "array", "items": ref("Match")}},
    },
    "Tournament": _TOURNAMENT,
    "TournamentList": {
        "type": "object",
        "properties": {
            "tournaments": {"type": "array", "items": ref("Tournament")},
            "cursor": {"type": "string"},
        },
    },
}


def _limit(high: int, default: int) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": high, "default": default}


def _list() -> Schema:
    category = {"type": "integer", "minimum": 0, "maximum": CATEGORY_MAX}
    return {
        "get": {
            "summary": "Current and future tournaments (or those the filters name), in order.",
            "parameters": [
                query_param("category_start", category),
                query_param("category_end", category),
                query_param("start_time", _UINT32, "only tournaments starting at or after"),
                query_param("end_time", _UINT32, "ending at or before; 0: never ending"),
                query_param("limit", _limit(TOURNAMENT_LIST_MAX, TOURNAMENT_LIST_DEFAULT)),
                query_param("cursor", {"type": "string"}, "the cursor of the previous page"),
            ],
            "responses": responses(ref("TournamentList"), "400", "401"),
        }
    }


def _matches() -> Schema:
    size = {"type": "integer", "format": "int32", "minimum": 0}
    return {
        "get": {
            "summary": "Relayed matches of the realtime socket (none authoritative here).",
            "parameters": [
                query_param("limit", _limit(MATCH_LIST_MAX, MATCH_LIST_DEFAULT)),
                query_param("authoritative", {"type": "boolean"}),
                query_param("label", {"type": "string"}, "authoritative matches only"),
                query_param("min_size", size),
                query_param("max_size", size),
                query_param("query", {"type": "string"}, "authoritative matches only"),
            ],
            "responses": responses(ref("MatchList"), "400", "401"),
        }
    }


def tournament_paths() -> dict[str, Schema]:
    tid = path_param("tournament_id")
    key = header_param(IDEMPOTENCY_HEADER, "apply this write or delete at most once per key")
    page = [
        query_param("limit", _limit(TOURNAMENT_RECORDS_MAX, TOURNAMENT_RECORDS_DEFAULT)),
        query_param("cursor", {"type": "string"}),
        query_param("expiry", {"type": "integer", "format": "int64"}, "a period's end"),
    ]
    owners = {"type": "array", "items": {"type": "string", "format": "uuid"}}
    owner_ids = query_param("owner_ids", owners, "or ownerIds", style="form", explode=True)
    write: Schema = {
        "summary": "Write the caller's record of the current period.",
        "parameters": [tid, key],
        "requestBody": {"required": True, **json_content(ref("LeaderboardRecordWrite"))},
        "responses": responses(ref("LeaderboardRecord"), "400", "401", "403", "404", "409"),
    }
    records = ref("LeaderboardRecordList")
    return {
        routes.MATCHES: _matches(),
        routes.TOURNAMENTS: _list(),
        routes.TOURNAMENT: {
            "get": {
                "summary": "Records of the current (or the named) period, best first.",
                "parameters": [tid, *page, owner_ids],
                "responses": responses(records, "400", "401", "404"),
            },
            "put": write,
            "post": write,
            "delete": {
                "summary": "Delete the caller's record of the current period.",
                "parameters": [tid, key],
                "responses": responses(ref("Empty"), "400", "401", "403", "404", "409"),
            },
        },
        routes.TOURNAMENT_JOIN: {
            "post": {
                "summary": "Join (a tournament that needs no join accepts it and does nothing).",
                "parameters": [tid],
                "responses": responses(ref("Empty"), "400", "401", "404"),
            }
        },
        routes.TOURNAMENT_OWNER: {
            "get": {
                "summary": "Records around an owner.",
                "parameters": [tid, path_param("owner_id"), *page],
                "responses": responses(records, "400", "401", "404"),
            }
        },
        routes.TOURNAMENT_OWNER.removesuffix("{owner_id}"): {
            "get": {
                "summary": "Around an empty owner id: routed, and refused (400), as Nakama does.",
                "parameters": [tid, *page],
                "responses": responses(records, "400", "401"),
            }
        },
    }
