"""Checking a request the client builds against Nakama's whole swagger (the vendored
``docs/reference/nakama-apigrpc.swagger.json``): its operation, query names, and body fields by
their snake_case names with the JSON type the model gives them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gameservices._protocol.api import Request

__all__ = ["check_request"]

SWAGGER = json.loads(
    (Path(__file__).parent.parent.parent / "docs/reference/nakama-apigrpc.swagger.json").read_text()
)
_TYPES = {"string": str, "boolean": bool, "integer": int, "object": dict}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _operation(req: Request) -> dict[str, Any]:
    for template, ops in SWAGGER["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, req.path) and req.method.lower() in ops:
            return dict(ops[req.method.lower()])
    raise AssertionError(f"{req.method} {req.path} is not in Nakama's swagger")


def check_request(req: Request, operation_id: str) -> dict[str, Any]:
    """Assert ``req`` is ``operation_id`` as the swagger describes it; return its JSON body."""
    op = _operation(req)
    assert op["operationId"] == operation_id
    params = op.get("parameters", [])
    queries = {_snake(p["name"]): p for p in params if p["in"] == "query"}
    for name, value in req.query:
        assert name in queries, f"{name} is not a query parameter of {operation_id}"
        if queries[name]["type"] == "boolean":
            assert value in ("true", "false"), f"{name}={value} is not a flag"
    body = json.loads(req.body) if req.body else None
    bodies = [p for p in params if p["in"] == "body"]
    if not bodies:
        assert body is None
        return {}
    _check_fields(bodies[0]["schema"]["$ref"], body)
    assert req.headers["Content-Type"] == "application/json"
    assert isinstance(body, dict)
    return body


def _check_fields(ref: str, body: object) -> None:
    """``body`` holds only fields of the model ``ref`` names, each of its JSON type; a field
    that is itself a model (a ``$ref``) is checked the same way."""
    model = ref.rsplit("/", 1)[-1]
    fields = {_snake(k): v for k, v in SWAGGER["definitions"][model]["properties"].items()}
    assert isinstance(body, dict), f"{model} must go out as an object"
    for key, value in body.items():
        assert key in fields, f"{key} is not a field of {model}"
        if "$ref" in fields[key]:
            _check_fields(fields[key]["$ref"], value)
            continue
        kind = _TYPES[fields[key]["type"]]
        assert isinstance(value, kind), f"{key} must go out as {kind.__name__}"
