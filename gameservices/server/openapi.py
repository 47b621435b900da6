"""An OpenAPI 3 description of what the reference server implements, served at /v2/openapi.json.

Invariants:
- It describes the wire as sent: snake_case names (Nakama's proto names), int64 as strings with
  ``format: int64``, enums as numbers on output, errors as ``{"code", "message"}``.
- It lists only what is implemented (the Nakama subset of ``nakama-rest.md``, the asset host and
  our idempotency headers), and for each operation every status and content type the server
  sends (``openapi_paths``). A test validates it with openapi-spec-validator, another checks it
  against the routes, and a fuzzer (schemathesis) checks the server's answers against it.
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from .._protocol.routes import OPENAPI
from .openapi_accounts import ACCOUNT_SCHEMAS, rpc_paths, user_paths
from .openapi_links import LINK_SCHEMAS, link_paths, provider_paths
from .openapi_paths import account_paths, asset_paths, leaderboard_paths, service_paths
from .openapi_purchases import PURCHASE_SCHEMAS, purchase_paths
from .openapi_realtime import realtime_paths
from .openapi_schemas import SCHEMAS, Schema
from .openapi_social import SOCIAL_SCHEMAS, social_paths
from .openapi_storage import STORAGE_SCHEMAS, storage_paths
from .openapi_tournaments import TOURNAMENT_SCHEMAS, tournament_paths

__all__ = ["openapi_document", "setup_openapi"]


def _build() -> Schema:
    paths: dict[str, Schema] = {
        **account_paths(),
        **link_paths(),
        **provider_paths(),
        **leaderboard_paths(),
        **asset_paths(),
        **service_paths(),
        **realtime_paths(),
        **social_paths(),
        **user_paths(),
        **rpc_paths(),
        **tournament_paths(),
        **storage_paths(),
        **purchase_paths(),
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
            "schemas": {
                **SCHEMAS,
                **SOCIAL_SCHEMAS,
                **TOURNAMENT_SCHEMAS,
                **ACCOUNT_SCHEMAS,
                **LINK_SCHEMAS,
                **STORAGE_SCHEMAS,
                **PURCHASE_SCHEMAS,
            },
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
    app.router.add_get(OPENAPI, _serve, allow_head=False)
