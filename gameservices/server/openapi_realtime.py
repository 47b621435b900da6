"""The realtime routes of the OpenAPI document: the socket's upgrade, chat history, and what
REST says of the socket's matchmaker and parties."""

from __future__ import annotations

from .._protocol import routes
from .._protocol.chat_history import HISTORY_LIMIT_MAX
from .._protocol.parties import PARTY_LIST_DEFAULT, PARTY_LIST_MAX
from .openapi_parts import error_answer, path_param, query_param, responses
from .openapi_schemas import Schema

__all__ = ["realtime_paths"]

_MESSAGE_LIST: Schema = {
    "type": "object",
    "properties": {
        "messages": {"type": "array", "items": {"type": "object"}},
        "next_cursor": {"type": "string"},
        "prev_cursor": {"type": "string"},
        "cacheable_cursor": {"type": "string"},
    },
}

_TIME: Schema = {"type": "string", "format": "date-time"}
_STATS: Schema = {
    "type": "object",
    "properties": {
        "ticket_count": {"type": "integer", "format": "int32", "minimum": 0},
        "oldest_ticket_create_time": _TIME,
        "completions": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "properties": {"create_time": _TIME, "complete_time": _TIME},
            },
        },
    },
}
_PARTY_LIST: Schema = {
    "type": "object",
    "properties": {
        "parties": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "party_id": {"type": "string"},
                    "open": {"type": "boolean"},
                    "hidden": {"type": "boolean"},
                    "max_size": {"type": "integer", "format": "int32"},
                    "label": {"type": "string"},
                },
            },
        },
        "cursor": {"type": "string"},
    },
}


def _lobby_paths() -> dict[str, Schema]:
    limit = {"type": "integer", "minimum": 1, "maximum": PARTY_LIST_MAX}
    return {
        routes.MATCHMAKER_STATS: {
            "get": {
                "summary": "The matchmaker's waiting tickets and its latest matched ones (live).",
                "responses": responses(_STATS, "401"),
            }
        },
        routes.PARTIES: {
            "get": {
                "summary": "The socket's parties that are not hidden, open ones first.",
                "parameters": [
                    query_param("limit", limit, f"default {PARTY_LIST_DEFAULT}"),
                    query_param("open", {"type": "boolean"}, "open (or closed) parties only"),
                    query_param("query", {"type": "string"}, "label.NAME terms (the matchmaker's)"),
                    query_param("cursor", {"type": "string"}, "the previous page's cursor"),
                ],
                "responses": responses(_PARTY_LIST, "400", "401"),
            }
        },
    }


def realtime_paths() -> dict[str, Schema]:
    return {
        routes.SOCKET: {
            "get": {
                "summary": "The realtime socket (a WebSocket upgrade; Nakama's JSON protocol).",
                "security": [],
                "parameters": [
                    query_param("token", {"type": "string"}, "the session token"),
                    query_param("status", {"type": "boolean"}, "show the user as online"),
                    query_param("lang", {"type": "string"}, "the client's language"),
                ],
                "responses": {
                    "101": {"description": "Switching protocols: the socket is open"},
                    **{s: error_answer(s) for s in ("400", "401", "405")},
                },
            }
        },
        routes.CHANNEL: {
            "get": {
                "summary": "A chat channel's history, newest first unless forward.",
                "parameters": [
                    path_param("channel_id"),
                    query_param(
                        "limit", {"type": "integer", "minimum": 1, "maximum": HISTORY_LIMIT_MAX}
                    ),
                    query_param("forward", {"type": "boolean"}),
                    query_param("cursor", {"type": "string"}),
                ],
                "responses": responses(_MESSAGE_LIST, "400", "401", "404"),
            }
        },
        **_lobby_paths(),
    }
