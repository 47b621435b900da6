"""Building blocks of the OpenAPI document's operations (``openapi_paths``): parameters,
content and the statuses every operation shares.

Invariants: every API operation lists, besides its own statuses, 408 (slow body), 413 (body
cap), 405 (another method on its path, with Allow), 429 (rate limit, when configured) and 5XX
(500, or fault injection when configured). Error bodies are ``Error``; a 401 repeats its message
in ``WWW-Authenticate``.
"""

from __future__ import annotations

from typing import Any

from .openapi_schemas import Schema, ref

__all__ = [
    "HEADER_TEXT",
    "error_answer",
    "header_param",
    "json_content",
    "path_param",
    "query_param",
    "responses",
]

_ERRORS = {
    "400": "Invalid argument (code 3)",
    "401": "Missing, expired or invalid credentials (code 16); WWW-Authenticate repeats why",
    "404": "Not found (code 5)",
    "405": "Another method on this path (code 12), with Allow",
    "408": "The request body did not arrive in time (code 4)",
    "409": "Conflict: a username or linked id taken, or an Idempotency-Key reused with another"
    " request (code 6)",
    "413": "Request body over the cap (64 KB by default)",
    "429": "Rate limited (code 8), with Retry-After; only with a rate limit configured",
    "403": "Permission denied (code 7)",
    "5XX": "Internal error (500, code 13), or a fault injected on purpose (code 14; only with"
    " fault injection configured)",
}
_ALWAYS = ("405", "408", "413", "429", "5XX")
HEADER_TEXT: Schema = {"schema": {"type": "string"}}


def json_content(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def error_answer(status: str) -> Schema:
    answer: Schema = {"description": _ERRORS[status], **json_content(ref("Error"))}
    if status == "401":
        answer["headers"] = {"WWW-Authenticate": HEADER_TEXT}
    if status == "405":
        answer["headers"] = {"Allow": {**HEADER_TEXT, "description": "the methods it takes"}}
    if status == "429":
        answer["headers"] = {"Retry-After": HEADER_TEXT}
    return answer


def responses(ok: Schema, *errors: str, ok_headers: Schema | None = None) -> Schema:
    success: Schema = {"description": "OK", **json_content(ok)}
    if ok_headers:
        success["headers"] = ok_headers
    out: Schema = {"200": success}
    for status in sorted({*errors, *_ALWAYS}):
        out[status] = error_answer(status)
    return out


def query_param(name: str, schema: Schema, description: str = "", **extra: Any) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def path_param(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def header_param(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }
