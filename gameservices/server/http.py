"""Small request/response helpers shared by the handlers.

Invariants: bodies are read with the config's read timeout and parsed as a JSON object (an
empty body reads as ``{}``); every bad input becomes an ``ApiFailure`` with code 3.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .state import state_of

__all__ = [
    "json_response",
    "json_text",
    "parse_object",
    "query_bool",
    "read_body",
    "read_json",
    "string_field",
    "vars_field",
]


async def read_body(request: web.Request) -> bytes:
    if request.content.is_eof():  # the whole body is buffered already: nothing to wait for
        return await request.read()
    timeout = state_of(request).config.read_timeout
    try:
        return await asyncio.wait_for(request.read(), timeout)
    except asyncio.TimeoutError:
        raise ApiFailure(
            GrpcCode.DEADLINE_EXCEEDED, "Request body was not received in time.", status=408
        ) from None


def parse_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Request body must be a JSON object.")
    return data


async def read_json(request: web.Request) -> dict[str, Any]:
    return parse_object(await read_body(request))


def string_field(body: Mapping[str, Any], name: str) -> str:
    """A string field; missing reads as "" (protojson's zero value)."""
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, f"{name} must be a string.")
    return value


def vars_field(body: Mapping[str, Any]) -> dict[str, str]:
    value = body.get("vars")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "vars must be an object of strings.")
    return {str(k): v for k, v in value.items()}


def query_bool(request: web.Request, name: str, default: bool) -> bool:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiFailure(GrpcCode.INVALID_ARGUMENT, f"{name} must be true or false.")


# One encoder: json.dumps with arguments builds a new encoder on every call.
json_text = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_response(data: Mapping[str, Any]) -> web.Response:
    return web.Response(text=json_text(data), content_type="application/json")
