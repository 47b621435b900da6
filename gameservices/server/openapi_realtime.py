"""The realtime routes of the OpenAPI document: the socket's upgrade and chat history."""

from __future__ import annotations

from .._protocol import routes
from .._protocol.chat_history import HISTORY_LIMIT_MAX
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
    }
