"""Request builders for the Nakama v2 REST subset: pure functions, no I/O.

Rule 1: a builder returns a ``Request`` (method, path, query, headers, JSON body bytes) and never
        touches the network; the client adds ``Authorization: Bearer`` when ``auth == "bearer"``
        (``"basic"``: the request carries its own header; ``"none"``: it needs no credentials).
Rule 2: bodies are snake_case JSON; int64 values go out as strings, operators as names.
Rule 3: ``idempotent`` says whether a blind resend is safe (GET, DELETE, BEST/SET writes).
        Other writes carry an ``Idempotency-Key`` fixed when the request is built.
Rule 4: credentials (server key, passwords, tokens) live only in ``headers``/``body``, which are
        kept out of ``repr``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._checks import int_between, is_int
from . import routes
from .headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .limits import AROUND_LIMIT_MAX, LIST_LIMIT_MAX
from .wire import Operator, check_int64, dumps, format_int64, parse_operator

__all__ = [
    "IDEMPOTENCY_HEADER",
    "REPLAYED_HEADER",
    "Request",
    "authenticate",
    "authenticate_custom",
    "authenticate_device",
    "authenticate_email",
    "basic_auth",
    "delete_record",
    "healthcheck",
    "list_records",
    "list_records_around",
    "logout",
    "new_idempotency_key",
    "parse_operator",
    "refresh_session",
    "write_record",
]

_JSON = {"Content-Type": "application/json"}
_SAFE_OPERATORS = frozenset({Operator.BEST, Operator.SET})


@dataclass(frozen=True)
class Request:
    """One HTTP request to the API, as plain values."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    body: bytes | None = field(default=None, repr=False)
    auth: Literal["basic", "bearer", "none"] = "bearer"
    idempotent: bool = True
    idempotency_key: str | None = None


def basic_auth(server_key: str) -> str:
    """``Authorization`` value for ``authenticate/*`` and ``session/refresh``."""
    return "Basic " + base64.b64encode(f"{server_key}:".encode()).decode("ascii")


def new_idempotency_key() -> str:
    """128 random bits as hex (uuid4's entropy without building a UUID)."""
    return os.urandom(16).hex()


def _json(body: Mapping[str, Any]) -> bytes:
    return dumps(body).encode()


def _board(board_id: str) -> str:
    return routes.fill(routes.LEADERBOARD, leaderboard_id=board_id)


def _limit(limit: int, high: int) -> str:
    return str(int_between("limit", limit, 1, high))


def _vars(values: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(values or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in out.items()):
        raise ValueError("vars must map str to str")
    return out


def authenticate(
    kind: str,
    server_key: str,
    account: Mapping[str, Any],
    *,
    create: bool,
    username: str | None,
    vars: Mapping[str, str] | None,
    extra: tuple[tuple[str, str], ...] = (),
) -> Request:
    """``POST /v2/account/authenticate/{kind}``: ``account`` with ``vars``, under
    ``?create=&username=`` and ``extra`` (a provider's ``sync``)."""
    query = [("create", "true" if create else "false")]
    if username is not None:
        query.append(("username", username))
    body = {**account, "vars": _vars(vars)}
    return Request(
        "POST",
        routes.fill(routes.AUTHENTICATE, kind=kind),
        (*query, *extra),
        {"Authorization": basic_auth(server_key), **_JSON},
        _json(body),
        auth="basic",
    )


def authenticate_device(
    server_key: str,
    device_id: str,
    *,
    create: bool = True,
    username: str | None = None,
    vars: Mapping[str, str] | None = None,
) -> Request:
    return authenticate(
        "device", server_key, {"id": device_id}, create=create, username=username, vars=vars
    )


def authenticate_custom(
    server_key: str,
    custom_id: str,
    *,
    create: bool = True,
    username: str | None = None,
    vars: Mapping[str, str] | None = None,
) -> Request:
    return authenticate(
        "custom", server_key, {"id": custom_id}, create=create, username=username, vars=vars
    )


def authenticate_email(
    server_key: str,
    email: str,
    password: str,
    *,
    create: bool = True,
    username: str | None = None,
    vars: Mapping[str, str] | None = None,
) -> Request:
    account = {"email": email, "password": password}
    return authenticate("email", server_key, account, create=create, username=username, vars=vars)


def refresh_session(
    server_key: str, refresh_token: str, vars: Mapping[str, str] | None = None
) -> Request:
    body = _json({"token": refresh_token, "vars": _vars(vars)})
    headers = {"Authorization": basic_auth(server_key), **_JSON}
    return Request("POST", routes.SESSION_REFRESH, (), headers, body, auth="basic")


def logout(token: str, refresh_token: str) -> Request:
    body = _json({"token": token, "refresh_token": refresh_token})
    return Request("POST", routes.SESSION_LOGOUT, (), dict(_JSON), body)


def healthcheck() -> Request:
    """``GET /healthcheck``: what load balancers probe; no credentials, answers ``{}``."""
    return Request("GET", routes.HEALTHCHECK, auth="none")


def _int64(value: int, what: str) -> str:
    if not is_int(value):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return format_int64(check_int64(value, what))


def write_record(
    board_id: str,
    score: int,
    *,
    subscore: int = 0,
    metadata: Mapping[str, Any] | None = None,
    operator: Operator | str | int | None = None,
    idempotency_key: str | None = None,
) -> Request:
    """POST a score. Every write carries an idempotency key (a fresh one unless given)."""
    op = parse_operator(operator)
    body: dict[str, Any] = {
        "score": _int64(score, "score"),
        "subscore": _int64(subscore, "subscore"),
    }
    if metadata is not None:
        body["metadata"] = dumps(dict(metadata))
    body["operator"] = op.name
    key = idempotency_key or new_idempotency_key()
    return Request(
        "POST",
        _board(board_id),
        headers={IDEMPOTENCY_HEADER: key, **_JSON},
        body=_json(body),
        idempotent=op in _SAFE_OPERATORS,
        idempotency_key=key,
    )


def delete_record(board_id: str, *, idempotency_key: str | None = None) -> Request:
    headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}
    path = _board(board_id)
    return Request("DELETE", path, headers=headers, idempotency_key=idempotency_key)


def _page_query(
    limit: int, high: int, cursor: str | None, expiry: int | None
) -> list[tuple[str, str]]:
    query = [("limit", _limit(limit, high))]
    if cursor:
        query.append(("cursor", cursor))
    if expiry is not None:
        query.append(("expiry", _int64(expiry, "expiry")))
    return query


def list_records(
    board_id: str,
    *,
    limit: int = 10,
    cursor: str | None = None,
    owner_ids: Iterable[str] | None = None,
    expiry: int | None = None,
) -> Request:
    query = _page_query(limit, LIST_LIMIT_MAX, cursor, expiry)
    query.extend(("owner_ids", owner) for owner in owner_ids or ())
    path = _board(board_id)
    return Request("GET", path, tuple(query))


def list_records_around(
    board_id: str,
    owner_id: str,
    *,
    limit: int = 10,
    cursor: str | None = None,
    expiry: int | None = None,
) -> Request:
    path = routes.fill(routes.LEADERBOARD_OWNER, leaderboard_id=board_id, owner_id=owner_id)
    return Request("GET", path, tuple(_page_query(limit, AROUND_LIMIT_MAX, cursor, expiry)))
