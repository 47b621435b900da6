"""The account, user, RPC and link operations of the OpenAPI document (``openapi``), with their
schemas: ``PUT|DELETE /v2/account`` (beside ``openapi_paths``' GET) and ``GET /v2/user``.

Invariants: data builders only, as ``openapi_paths``; every status a handler sends is listed.
"""

from __future__ import annotations

from .._protocol.accounts import PROFILE_FIELDS
from .._protocol.limits import ID_MAX_BYTES
from .._protocol.routes import RPC, USERS
from .openapi_parts import json_content, path_param, query_param, responses
from .openapi_schemas import Schema, ref

__all__ = ["ACCOUNT_SCHEMAS", "account_operations", "rpc_paths", "user_paths"]


def _strings(description: str) -> Schema:
    return {"type": "array", "items": {"type": "string"}, "description": description}


ACCOUNT_SCHEMAS: dict[str, Schema] = {
    "AccountUpdate": {
        "type": "object",
        "description": 'Only the fields given change; "" clears one (not username or lang_tag).',
        "properties": {
            "username": {"type": "string", "minLength": 1, "maxLength": ID_MAX_BYTES},
            **{
                name: {"type": "string", "maxLength": size} for name, size in PROFILE_FIELDS.items()
            },
        },
    },
    "Rpc": {
        "type": "object",
        "properties": {"payload": {"type": "string", "description": "the function's answer"}},
    },
    "Users": {
        "type": "object",
        "properties": {"users": {"type": "array", "items": ref("User")}},
    },
}


def account_operations() -> dict[str, Schema]:
    """The PUT and DELETE of ``/v2/account`` (its GET is ``openapi_paths``')."""
    return {
        "put": {
            "summary": "Change the caller's username or profile fields.",
            "requestBody": {"required": True, **json_content(ref("AccountUpdate"))},
            "responses": responses(ref("Empty"), "400", "401", "409"),
        },
        "delete": {
            "summary": "Delete the caller's account and what it owns (records, storage, friends,"
            " group memberships); end its sessions and close its sockets.",
            "responses": responses(ref("Empty"), "401"),
        },
    }


def _list_param(name: str, description: str) -> Schema:
    return query_param(name, _strings(description), style="form", explode=True)


def user_paths() -> dict[str, Schema]:
    return {
        USERS: {
            "get": {
                "summary": "Users by id, username or Facebook id (none here has one).",
                "parameters": [
                    _list_param("ids", "user ids (uuid)"),
                    _list_param("usernames", "exact usernames"),
                    _list_param("facebook_ids", "or facebookIds"),
                ],
                "responses": responses(ref("Users"), "400", "401"),
            }
        }
    }


_RPC_QUERY = [
    path_param("id"),
    query_param(
        "http_key",
        {"type": "string"},
        "server to server: the runtime HTTP key instead of a session (or HTTP Basic with it as"
        " user)",
    ),
    query_param(
        "unwrap", {"type": "string"}, "present: the body and the answer are the raw payload"
    ),
]


def _rpc(summary: str, body: bool) -> Schema:
    # With ?unwrap the answer is the payload itself, under the request's Content-Type (which
    # may be application/json too).
    unwrapped = {"description": "with unwrap: the payload itself"}
    answer = responses({"anyOf": [ref("Rpc"), unwrapped]}, "400", "401", "403", "404", "409")
    answer["200"]["content"]["*/*"] = {"schema": unwrapped}
    operation: Schema = {"summary": summary, "parameters": _RPC_QUERY, "responses": answer}
    if body:
        payload = {"type": "string", "description": "the payload's JSON text, as a JSON string"}
        operation["requestBody"] = {"required": False, **json_content(payload)}
    return operation


def rpc_paths() -> dict[str, Schema]:
    return {
        RPC: {
            "post": _rpc("Call a server function with a payload.", body=True),
            "get": _rpc("Call a server function without a payload.", body=False),
        }
    }
