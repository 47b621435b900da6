"""Requests the client builds match the Nakama swagger subset: paths, query names, snake_case
bodies, int64 values as strings."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from gameservices import Operator
from gameservices._protocol import api
from gameservices._protocol.api import Request

SWAGGER = json.loads((Path(__file__).parent.parent / "samples" / "swagger_subset.json").read_text())


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def match_path(req: Request) -> tuple[str, dict[str, Any]]:
    """The swagger path template and operation that ``req`` instantiates."""
    for template, ops in SWAGGER["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, req.path) and req.method.lower() in ops:
            return template, ops[req.method.lower()]
    raise AssertionError(f"{req.method} {req.path} is not in the swagger subset")


def body_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    for param in op["parameters"]:
        if param["in"] == "body":
            name = param["schema"]["$ref"].rsplit("/", 1)[-1]
            return dict(SWAGGER["definitions"][name]["properties"])
    return None


def check(req: Request) -> dict[str, Any]:
    """Assert ``req`` matches the swagger; return its decoded body."""
    _, op = match_path(req)
    queries = {snake(p["name"]) for p in op["parameters"] if p["in"] == "query"}
    assert {name for name, _ in req.query} <= queries
    schema = body_schema(op)
    body = json.loads(req.body) if req.body else {}
    if schema is None:
        assert req.body is None
        return body
    fields = {snake(k): v for k, v in schema.items()}
    for key, value in body.items():
        assert key == snake(key), f"{key} is not snake_case"
        assert key in fields, f"{key} is not in the swagger model"
        if fields[key].get("format") == "int64":
            assert isinstance(value, str), f"int64 {key} must go out as a string"
    return body


KEY = "defaultkey"


def test_authenticate_requests() -> None:
    device = api.authenticate_device(KEY, "device-0001-abcdef", username="ada", vars={"a": "b"})
    assert check(device) == {"id": "device-0001-abcdef", "vars": {"a": "b"}}
    assert device.query == (("create", "true"), ("username", "ada"))
    assert device.headers["Authorization"] == "Basic " + base64.b64encode(b"defaultkey:").decode()
    assert device.auth == "basic"
    custom = api.authenticate_custom(KEY, "custom-1", create=False)
    assert check(custom) == {"id": "custom-1", "vars": {}}
    assert custom.query == (("create", "false"),)
    email = api.authenticate_email(KEY, "ada@example.com", "correct horse")
    assert check(email)["password"] == "correct horse"
    assert "correct horse" not in repr(email)
    assert KEY not in repr(email)
    assert "Basic" not in repr(email)


def test_refresh_and_logout() -> None:
    refresh = api.refresh_session(KEY, "r.t.k")
    assert check(refresh) == {"token": "r.t.k", "vars": {}}
    assert refresh.auth == "basic"
    out = api.logout("a.b.c", "r.t.k")
    assert check(out) == {"token": "a.b.c", "refresh_token": "r.t.k"}
    assert out.auth == "bearer"


def test_write_record_body() -> None:
    req = api.write_record("weekly", 1200, subscore=3, metadata={"lvl": 2}, operator="best")
    body = check(req)
    assert body == {"score": "1200", "subscore": "3", "metadata": '{"lvl":2}', "operator": "BEST"}
    assert req.path == "/v2/leaderboard/weekly"
    assert req.idempotent
    assert req.idempotency_key
    assert req.headers["Idempotency-Key"] == req.idempotency_key


@pytest.mark.parametrize(
    ("operator", "idempotent"),
    [
        (None, False),
        ("incr", False),
        ("INCREMENT", False),
        (Operator.DECREMENT, False),
        (0, False),
        ("set", True),
        (Operator.BEST, True),
    ],
)
def test_write_idempotency_by_operator(operator: object, idempotent: bool) -> None:
    req = api.write_record("kills", 1, operator=operator, idempotency_key="k-1")  # type: ignore[arg-type]  # testing loose inputs
    assert req.idempotent is idempotent
    assert req.headers["Idempotency-Key"] == "k-1"


def test_list_and_around_queries() -> None:
    req = api.list_records("week ly/x", limit=10, cursor="c1", owner_ids=["a", "b"], expiry=5)
    check(req)
    assert req.path == "/v2/leaderboard/week%20ly%2Fx"
    assert req.query == (
        ("limit", "10"),
        ("cursor", "c1"),
        ("expiry", "5"),
        ("owner_ids", "a"),
        ("owner_ids", "b"),
    )
    around = api.list_records_around("weekly", "user-1", limit=5)
    template, _ = match_path(around)
    assert template == "/v2/leaderboard/{leaderboardId}/owner/{ownerId}"
    check(around)
    delete = api.delete_record("weekly")
    check(delete)
    assert delete.method == "DELETE"
    assert delete.idempotent


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        (lambda: api.list_records("w", limit=0), ValueError),
        (lambda: api.list_records("w", limit=1001), ValueError),
        (lambda: api.list_records_around("w", "u", limit=101), ValueError),
        (lambda: api.list_records("", limit=1), ValueError),
        (lambda: api.write_record("w", 2**63), ValueError),
        (lambda: api.write_record("w", "12"), TypeError),  # type: ignore[arg-type]  # wrong on purpose
        (lambda: api.write_record("w", 1, operator="plus"), ValueError),
    ],
)
def test_bad_arguments_fail_before_sending(call: Any, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        call()
