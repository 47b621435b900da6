"""The link and unlink operations of the OpenAPI document (``openapi``):
``POST /v2/account/link/{kind}`` and ``POST /v2/account/unlink/{kind}``.

Invariants: data builders only, as ``openapi_paths``; every status a handler sends is listed.
"""

from __future__ import annotations

from .._protocol.routes import ACCOUNT_LINK, ACCOUNT_UNLINK, fill
from .openapi_parts import json_content, responses
from .openapi_schemas import Schema, ref

__all__ = ["LINK_SCHEMAS", "link_paths"]

_TEXT: Schema = {"type": "string"}

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
}

# kind -> (the link body, the unlink body, what it is)
_KINDS = {
    "device": ("AccountDevice", "UnlinkId", "a device id"),
    "custom": ("AccountCustom", "UnlinkId", "the custom id"),
    "email": ("AccountEmail", "UnlinkEmail", "the email and password"),
}


def _post(summary: str, body: str, *errors: str) -> Schema:
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": False, **json_content(ref(body))},
            "responses": responses(ref("Empty"), "400", "401", *errors),
        }
    }


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
