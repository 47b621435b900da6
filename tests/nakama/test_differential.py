"""The differential wire test: the same raw HTTP sequence against a real Nakama and against the
reference server, answers compared after normalising what legitimately differs (ids, tokens,
times, cursors: see ``wire.py``). Needs both servers: skipped unless ``GAMESERVICES_NAKAMA_URL``
is set (and the Nakama runs tests/nakama/modules, whose RPCs give each case fresh boards).

Each entry of ``CASES`` is one sequence of requests (good and bad input), run on Nakama first and
then on a fresh reference server with boards of the same ids. A case passes when the two
sequences of exchanges (status, compared headers, body) are equal, except for:

- **Decoder wording.** Where Nakama's message comes from Go's decoders (protojson, encoding/json,
  grpc-gateway's query parsing: "proto: ...", "invalid character ...", "parsing field ..."), only
  status and code must match: that wording is Go's, not Nakama's API.
- **Global divergences** (``GLOBAL``): differences that touch nearly every answer today (error
  ``details``, ``max_num_score``, ``Cache-Control``, ``WWW-Authenticate``, token claims). Each has
  one case of its own that asserts it in full (strict xfail until fixed); the other cases leave
  just that detail out, so each shows its own differences. Fixing one: delete its ``GLOBAL``
  entry (its case then XPASSes and fails the run until you do), and every case checks it again.
- **Deliberate differences** (``DELIBERATE``, also listed in docs/server.md as extensions): a case
  naming one asserts the exact expected difference instead of equality.

A case that differs for any other reason carries ``diverges=`` (a strict xfail naming the fix);
the full list with raw requests and both answers is in the findings brief for the server fix.
"""

from __future__ import annotations

import asyncio
import base64
import difflib
import hashlib
import hmac
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gameservices.server import Board, Operator, ServerConfig, load_config_file
from gameservices.testing import Faults, ReferenceServer

from .differential_links import LINK_CASES
from .differential_social import SOCIAL_CASES
from .differential_tournaments import TOURNAMENT_500, TOURNAMENT_CASES
from .rpc_handlers import RPC_HANDLERS
from .support import (
    BOARDS,
    HTTP_KEY_ENV,
    NAKAMA_SKIP_REASON,
    REFERENCE_LIFETIMES,
    apply_divergence,
    nakama_server_key,
    nakama_url,
    reference_diverges,
    resolve_http_key,
    resolved_http_key,
)
from .wire import Exchange, Names, Reply, Wire

# -- the allow-list ------------------------------------------------------------------------------

DELIBERATE = {
    "idempotency-keys": "the reference server honours Idempotency-Key on writes and deletes "
    "(replays, echoes the key, refuses a malformed one with 400, allows it in CORS); Nakama "
    "ignores the header",
    "asset-host": "the reference server serves /assets/ (manifest and files); Nakama has no "
    "asset host (404)",
    "rate-limiting": "the reference server can answer 429 (code 8, Retry-After) per client IP "
    "when configured; Nakama has no such limit",
    "fault-injection": "the reference server injects latency, 5xx and 429 bursts when configured "
    "(Faults); Nakama never does",
    "nakama-500": "where Nakama answers 500 (code 13) to bad input, the reference server answers "
    "400 (code 3): the input is the client's fault",
    "wrong-method": "a path asked with a method it does not take answers 405 (code 12, Nakama's "
    "code) with an Allow header naming the methods it takes, as HTTP says (RFC 9110); Nakama "
    "answers 501 without Allow",
    "trailing-data": "data after the JSON body is refused (400 code 3); Nakama reads the first "
    "JSON value and ignores the rest, so a cut or doubled request would pass unnoticed",
    "metadata-cap": "record metadata is capped at 16 KiB (400 code 3); Nakama's only bound is its "
    "request size, so one record could hold most of a request",
    "system-user": "Nakama has a system user (the nil uuid, an empty username) that GET /v2/user "
    "finds; the reference server has no system user, so it finds nobody",
    "tournament-500": TOURNAMENT_500,
}
DUMP_ENV = "GAMESERVICES_DIFFERENTIAL_DUMP"
_DECODER = re.compile(
    r"^(proto: |invalid character |parsing field |json: |unexpected EOF|exceeded max depth)"
)


@dataclass(frozen=True)
class GlobalDivergence:
    name: str
    reason: str
    strip: Callable[[Exchange], Exchange]


# Empty today: every divergence that touched nearly every answer is fixed (their cases, "global:
# ...", assert each detail in full). A new one goes here, with its case.
GLOBAL: list[GlobalDivergence] = []


# -- the case table ------------------------------------------------------------------------------

Run = Callable[[Wire], Awaitable[None]]
Check = Callable[[list[Exchange], list[Exchange]], None]
Overrides = Callable[[Path], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    id: str
    run: Run
    boards: tuple[str, ...] = ()
    diverges: str | None = None
    deliberate: str | None = None
    check: Check | None = None  # for a deliberate difference: asserts exactly that difference
    reference: Overrides | None = None  # reference ServerConfig overrides (faults, rate limit...)
    global_name: str | None = None  # the global divergence this case asserts in full


CASES: list[Case] = []

LUA_OPERATORS = {
    Operator.BEST: "best",
    Operator.SET: "set",
    Operator.INCREMENT: "incr",
    Operator.DECREMENT: "decr",
}
# Board kinds a case can ask for: fresh boards on both servers (sort, operator, reset, ranks as
# the suite's boards of the same kind).
KINDS = {
    "best": BOARDS["gs_best_desc"],
    "asc": BOARDS["gs_best_asc"],
    "set": BOARDS["gs_set"],
    "incr": BOARDS["gs_incr"],
    "decr": BOARDS["gs_decr"],
    "noranks": BOARDS["gs_noranks"],
    "weekly": BOARDS["gs_weekly"],
}


def case(
    id: str,
    *,
    boards: tuple[str, ...] = (),
    diverges: str | None = None,
    deliberate: str | None = None,
    check: Check | None = None,
    reference: Overrides | None = None,
    global_name: str | None = None,
) -> Callable[[Run], Run]:
    assert deliberate is None or deliberate in DELIBERATE, deliberate
    assert all(kind in KINDS for kind in boards), boards

    def register(fn: Run) -> Run:
        assert all(c.id != id for c in CASES), f"duplicate case id {id!r}"
        CASES.append(Case(id, fn, boards, diverges, deliberate, check, reference, global_name))
        return fn

    return register


DEVICE = "/v2/account/authenticate/device"
CUSTOM = "/v2/account/authenticate/custom"
EMAIL = "/v2/account/authenticate/email"
REFRESH = "/v2/account/session/refresh"
LOGOUT = "/v2/session/logout"
ACCOUNT = "/v2/account"
PASSWORD = "correct horse"


def lb(w: Wire, kind: str, rest: str = "") -> str:
    return f"/v2/leaderboard/{w.board(kind)}{rest}"


def around(w: Wire, kind: str, role: str, query: str = "") -> str:
    return f"/v2/leaderboard/{w.board(kind)}/owner/{w.user(role).user_id}{query}"


async def device(
    w: Wire, body: Any = None, query: str = "", *, data: bytes | None = None, **kw: Any
) -> None:
    kw.setdefault("auth", "basic")
    await w.call("POST", DEVICE + query, json=body, data=data, **kw)


async def scores(w: Wire, kind: str, values: list[int], roles: list[str]) -> None:
    """Each role logs in and writes its value (unrecorded: the set-up of a case)."""
    for role, value in zip(roles, values, strict=True):
        await w.login(role)
        await w.write(role, kind, {"score": value}, record=False)


# ---- authenticate: device ----


@case("device: create with a username, log in again, create=false, unknown device")
async def _(w: Wire) -> None:
    name = w.names.username("alice")
    await device(w, {"id": w.names.device("alice")}, f"?create=true&username={name}")
    await device(w, {"id": w.names.device("alice")}, "?create=false")
    await device(w, {"id": w.names.device("alice")}, "?create=true")
    await device(w, {"id": w.names.device("nobody")}, "?create=false")


@case("device: a taken username is a conflict")
async def _(w: Wire) -> None:
    await w.login("alice", username=True)
    name = w.names.username("alice")
    await device(w, {"id": w.names.device("bob")}, f"?create=true&username={name}")


@case("device: username rules (control character, 128 and 129 bytes, empty)")
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a")}, "?username=gs%07bell" + w.names.case)
    await device(w, {"id": w.names.device("b")}, "?username=" + "u" * 129)
    await device(w, {"id": w.names.device("c")}, "?username=" + ("u" * 116 + w.names.case))
    await device(w, {"id": w.names.device("d")}, "?username=")


@case(
    "device: a username with a space",
)
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a")}, f"?username=gs%20{w.names.case}")


@case(
    "device: username with invalid UTF-8 or a UTF-16 surrogate (percent-encoded)",
    deliberate="nakama-500",
)
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a")}, f"?username=%FF%FE{w.names.case}")
    await device(w, {"id": w.names.device("b")}, f"?username=%ED%A0%80{w.names.case}")


@case("device: create=maybe is refused")
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a")}, "?create=maybe")


@case("device: id rules (short, long, space, tab, missing, empty, null, a number)")
async def _(w: Wire) -> None:
    for body in (
        {"id": "short"},
        {"id": "d" * 129},
        {"id": "has space " + w.names.case},
        {"id": "tab\t" + w.names.case},
        {},
        {"id": ""},
        {"id": None},
        {"id": 12345678901},
    ):
        await device(w, body)


@case("device: ids of exactly 10 and 128 bytes; length is counted in bytes")
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.case[:10]})
    await device(w, {"id": (w.names.case * 11)[:128]})
    await device(w, {"id": "é" * 4 + w.names.case[:2]})  # 10 bytes, 6 characters
    await device(w, {"id": "é" * 4 + w.names.case[:1]})  # 9 bytes


@case("device: vars go into the token; bad vars are refused")
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a"), "vars": {"lang": "fr", "n": "1"}})
    await device(w, {"id": w.names.device("b"), "vars": {"n": 1}})
    await device(w, {"id": w.names.device("c"), "vars": "lang=fr"})
    await device(w, {"id": w.names.device("d"), "vars": {"k": {"nested": "x"}}})


@case("device: unknown fields are ignored, field names are case-sensitive")
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a"), "color": "blue", "nested": {"x": [1, 2]}})
    await device(w, {"Id": w.names.device("b")})
    await device(w, {"ID": w.names.device("b")})


@case(
    "device: a duplicate key",
)
async def _(w: Wire) -> None:
    a, b = w.names.device("a"), w.names.device("b")
    await device(w, data=f'{{"id": "{a}", "id": "{b}"}}'.encode())


@case("device: a lone UTF-16 surrogate in the id")
async def _(w: Wire) -> None:
    await device(w, data=b'{"id": "gs-\\ud800-' + w.names.case.encode() + b'"}')
    await device(w, data=b'{"id": "gs-' + w.names.case.encode() + b'\\ud800"}')
    await device(w, data=b'{"id": "gs-\\udc00\\ud800-' + w.names.case.encode() + b'"}')


@case("device: a surrogate pair (an emoji) is a valid id")
async def _(w: Wire) -> None:
    await device(w, data=b'{"id": "gs-\\ud83d\\ude00-' + w.names.case.encode() + b'"}')


@case("device: a body that is not UTF-8")
async def _(w: Wire) -> None:
    await device(w, data=b'{"id": "gs-\xff\xfe-' + w.names.case.encode() + b'"}')
    await device(w, data=b"\xff\xfe{")
    await device(w, data=b'{"id": "gs-latin1-\xe9' + w.names.case.encode() + b'"}')


@case(
    "device: a UTF-8 byte-order mark before the JSON",
)
async def _(w: Wire) -> None:
    await device(w, data=b'\xef\xbb\xbf{"id": "' + w.names.device("a").encode() + b'"}')


@case(
    "device: more after the JSON object",
    deliberate="trailing-data",
    check=lambda nakama, reference: _check_refused(nakama, reference, "not valid JSON"),
)
async def _(w: Wire) -> None:
    await device(w, data=b'{"id": "' + w.names.device("a").encode() + b'"} trailing')
    await device(w, data=b'{"id": "' + w.names.device("b").encode() + b'"}{"id": 1}')


@case("device: a body that is not an object")
async def _(w: Wire) -> None:
    for data in (b"[]", b"null", b'"id"', b"12", b"{bad json", b"{"):
        await device(w, data=data)


@case("device: an empty body")
async def _(w: Wire) -> None:
    await device(w, data=b"")


@case(
    "device: JSON nested 1,000, 10,001 and 20,000 deep",
)
async def _(w: Wire) -> None:
    head = b'{"id": "' + w.names.device("a").encode() + b'", "extra": '
    await device(w, data=head + b"[" * 1000 + b"]" * 1000 + b"}")
    await device(w, data=head + b"[" * 20000 + b"]" * 20000 + b"}")
    await device(w, data=head + b'{"a":' * 10001 + b"1" + b"}" * 10001 + b"}")


@case("device: JSON nested 500 deep in an unknown field")
async def _(w: Wire) -> None:
    head = b'{"id": "' + w.names.device("a").encode() + b'", "extra": '
    await device(w, data=head + b"[" * 500 + b"]" * 500 + b"}")


@case("device: server key missing, wrong, garbage, or a bearer token instead")
async def _(w: Wire) -> None:
    body = {"id": w.names.device("a")}
    await device(w, body, auth=None)
    await device(w, body, auth="basic:not-the-key")
    await device(w, body, auth=None, headers={"Authorization": "Basic !!!not-base64"})
    await device(w, body, auth=None, headers={"Authorization": "Bearer " + "x" * 20})


@case("device: Content-Type is not looked at")
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a")}, headers={"Content-Type": "text/plain"})


# ---- authenticate: custom and email ----


@case("custom: create, log in, create=false, unknown, id rules")
async def _(w: Wire) -> None:
    custom = w.names.custom("alice")
    await w.call("POST", CUSTOM + "?create=true", json={"id": custom}, auth="basic")
    await w.call("POST", CUSTOM + "?create=false", json={"id": custom}, auth="basic")
    await w.call("POST", CUSTOM + "?create=false", json={"id": custom + "x"}, auth="basic")
    for body in ({"id": "short"}, {"id": "c" * 129}, {"id": "a space " + custom}, {}):
        await w.call("POST", CUSTOM, json=body, auth="basic")


@case("custom: a lone UTF-16 surrogate in the id")
async def _(w: Wire) -> None:
    await w.call(
        "POST", CUSTOM, data=b'{"id": "gs-\\ud800-' + w.names.case.encode() + b'"}', auth="basic"
    )


@case("email: create, log in (any case), wrong password, unknown email")
async def _(w: Wire) -> None:
    email = w.names.email("alice")
    await w.call("POST", EMAIL, json={"email": email.upper(), "password": PASSWORD}, auth="basic")
    await w.call(
        "POST", EMAIL + "?create=false", json={"email": email, "password": PASSWORD}, auth="basic"
    )
    for create in ("false", "true"):
        body = {"email": email, "password": "wrong password"}
        await w.call("POST", f"{EMAIL}?create={create}", json=body, auth="basic")
    body = {"email": w.names.email("nobody"), "password": PASSWORD}
    await w.call("POST", EMAIL + "?create=false", json=body, auth="basic")


@case("email: address and password rules")
async def _(w: Wire) -> None:
    for body in (
        {"email": "not-an-email-" + w.names.case, "password": PASSWORD},
        {"email": "a@b.c", "password": PASSWORD},
        {"email": "x" * 250 + "@example.com", "password": PASSWORD},
        {"email": w.names.email("a"), "password": "short"},
        {"email": "has space" + w.names.email("b"), "password": PASSWORD},
    ):
        await w.call("POST", EMAIL, json=body, auth="basic")


@case(
    "email: no address: log in by username and password",
)
async def _(w: Wire) -> None:
    await w.login("alice", kind="email", username=True)
    name = w.names.username("alice")
    await w.call("POST", f"{EMAIL}?username={name}&create=false", json={"password": PASSWORD},
                 auth="basic")  # fmt: skip
    await w.call("POST", f"{EMAIL}?username={name}", json={"password": "wrong password"},
                 auth="basic")  # fmt: skip
    ghost = w.names.username("ghost")
    await w.call("POST", f"{EMAIL}?username={ghost}", json={"password": PASSWORD}, auth="basic")
    await w.login("bob", username=True)  # a device account: no password
    await w.call("POST", f"{EMAIL}?username={w.names.username('bob')}",
                 json={"password": PASSWORD}, auth="basic")  # fmt: skip
    await w.call("POST", EMAIL, json={"password": PASSWORD}, auth="basic")
    await w.call("POST", EMAIL, json={}, auth="basic")


@case(
    "email: a missing password",
)
async def _(w: Wire) -> None:
    await w.call("POST", EMAIL, json={"email": w.names.email("a")}, auth="basic")
    await w.call("POST", EMAIL, json={"email": w.names.email("a"), "password": ""}, auth="basic")


@case("email: a lone UTF-16 surrogate in the address")
async def _(w: Wire) -> None:
    data = b'{"email": "gs\\ud800' + w.names.case.encode() + b'@example.com", "password": "x"}'
    await w.call("POST", EMAIL, data=data.replace(b'"x"', b'"correct horse"'), auth="basic")


# ---- sessions ----


@case("refresh: a new pair, vars, and the old refresh token still works")
async def _(w: Wire) -> None:
    alice = await w.login("alice", vars={"lang": "fr"})
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")
    body = {"token": alice.refresh_token, "vars": {"lang": "de"}}
    await w.call("POST", REFRESH, json=body, auth="basic")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")


@case("refresh: bad tokens and missing fields")
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    for body in (
        {"token": "garbage"},
        {},
        {"token": ""},
        {"token": alice.token},  # a session token is not a refresh token
        {"refreshToken": alice.refresh_token},  # the field is "token"
        {"refresh_token": alice.refresh_token},
        {"token": 12},
    ):
        await w.call("POST", REFRESH, json=body, auth="basic")


@case("refresh: server key missing or wrong, or a bearer token instead")
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    body = {"token": alice.refresh_token}
    await w.call("POST", REFRESH, json=body)
    await w.call("POST", REFRESH, json=body, auth="basic:not-the-key")
    await w.call("POST", REFRESH, json=body, auth="alice")


def _forge(claims: dict[str, Any], *, alg: str = "HS256", key: bytes = b"not-the-key") -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    head = part({"alg": alg, "typ": "JWT"}) + "." + part(claims)
    if alg == "none":
        return head + "."
    sig = hmac.new(key, head.encode(), hashlib.sha256).digest()
    return head + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


@case("refresh: forged and expired-looking refresh tokens")
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    claims = {"uid": alice.user_id, "usn": alice.username, "exp": 4_000_000_000}
    for token in (
        _forge(claims),
        _forge(claims, alg="none"),
        _forge({**claims, "exp": 1_000_000_000}),
    ):
        await w.call("POST", REFRESH, json={"token": token}, auth="basic")


@case("logout: both tokens; afterwards neither works", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    body = {"token": alice.token, "refresh_token": alice.refresh_token}
    await w.call("POST", LOGOUT, json=body, auth="alice")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")
    await w.call("GET", lb(w, "best"), auth="alice")
    await w.call("POST", LOGOUT, json=body, auth="alice")


@case(
    "logout: refreshToken in lowerCamelCase",
)
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    body = {"token": alice.token, "refreshToken": alice.refresh_token}
    await w.call("POST", LOGOUT, json=body, auth="alice")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")


@case("logout: only the refresh token; the session token lives on", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("POST", LOGOUT, json={"refresh_token": alice.refresh_token}, auth="alice")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")
    await w.call("GET", lb(w, "best"), auth="alice")


@case("logout: only the session token", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("POST", LOGOUT, json={"token": alice.token}, auth="alice")
    await w.call("GET", lb(w, "best"), auth="alice")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")


@case("logout: an empty body revokes nothing", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("POST", LOGOUT, json={}, auth="alice")
    await w.call("GET", lb(w, "best"), auth="alice")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")


@case(
    "logout: garbage tokens",
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call(
        "POST", LOGOUT, json={"token": "garbage", "refresh_token": "garbage"}, auth="alice"
    )
    await w.call("POST", LOGOUT, json={"refresh_token": "garbage"}, auth="alice")


@case(
    "logout: another player's tokens",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    bob = await w.login("bob")
    body = {"token": bob.token, "refresh_token": bob.refresh_token}
    await w.call("POST", LOGOUT, json=body, auth="alice")
    await w.call("GET", lb(w, "best"), auth="bob")
    await w.call("POST", REFRESH, json={"token": bob.refresh_token}, auth="basic")


@case("logout: without a session token")
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("POST", LOGOUT, json={"token": alice.token})


@case(
    "bearer: an Authorization header that is not 'Bearer <token>'",
    boards=("best",),
)
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    path = lb(w, "best")
    await w.call("GET", path, headers={"Authorization": "Bearer "})
    await w.call("GET", path, headers={"Authorization": "Token abc"})
    await w.call("GET", path, auth="basic")
    await w.call("GET", path, headers={"Authorization": "bearer " + alice.token})
    await w.call("POST", LOGOUT, json={"token": alice.token}, auth="basic")


@case(
    "basic: the scheme of the server key header",
)
async def _(w: Wire) -> None:
    key = base64.b64encode(b"defaultkey:").decode()
    for header in ("basic " + key, "BASIC " + key, "Basic " + key + "  "):
        await device(w, {"id": w.names.device("a")}, auth=None, headers={"Authorization": header})


# ---- bearer tokens ----


@case("bearer: missing, empty, garbage, forged, alg none, a refresh token", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    claims = {"uid": alice.user_id, "usn": alice.username, "exp": 4_000_000_000}
    path = lb(w, "best")
    await w.call("GET", path)
    await w.call("GET", path, headers={"Authorization": "Bearer garbage"})
    await w.call("GET", path, headers={"Authorization": "Bearer " + _forge(claims)})
    await w.call("GET", path, headers={"Authorization": "Bearer " + _forge(claims, alg="none")})
    await w.call("GET", path, auth="refresh:alice")
    expired = _forge({**claims, "exp": 1_000_000_000})
    await w.call("GET", path, headers={"Authorization": "Bearer " + expired})


# ---- account, healthcheck, CORS, methods, unknown paths ----


@case(
    "account: GET /v2/account for device, custom and email players",
)
async def _(w: Wire) -> None:
    await w.login("alice", username=True)
    await w.login("bob", kind="custom")
    await w.login("carol", kind="email")
    for role in ("alice", "bob", "carol"):
        await w.call("GET", ACCOUNT, auth=role)


@case("account: GET /v2/account without a session token")
async def _(w: Wire) -> None:
    await w.call("GET", ACCOUNT)
    await w.call("GET", ACCOUNT, headers={"Authorization": "Bearer garbage"})


@case(
    "healthcheck: GET /healthcheck",
)
async def _(w: Wire) -> None:
    await w.call("GET", "/healthcheck")


@case(
    "healthcheck: POST and HEAD /healthcheck",
    deliberate="wrong-method",
    check=lambda nakama, reference: _check_wrong_method(nakama, reference),
)
async def _(w: Wire) -> None:
    await w.call("POST", "/healthcheck")
    await w.call("HEAD", "/healthcheck")


def _check_wrong_method(nakama: list[Exchange], reference: list[Exchange]) -> None:
    """Where Nakama answers 501 code 12, the reference server answers 405 code 12 with Allow;
    every other exchange is the same on both."""
    assert len(nakama) == len(reference)
    for nk, ref in zip(nakama, reference, strict=True):
        if nk["status"] != 501:
            assert (nk["status"], nk["body"]) == (ref["status"], ref["body"]), nk["request"]
            continue
        assert nk["body"] in ("", {"code": 12, "message": "Method Not Allowed"}), nk
        assert "allow" not in nk["headers"]
        assert ref["status"] == 405, ref
        assert ref["body"] in ("", {"code": 12, "message": "Method Not Allowed"}), ref
        method = ref["request"].split()[0]
        allowed = ref["headers"]["allow"].split(",")
        assert allowed, ref
        assert method not in allowed, ref
        assert ref["headers"].get("cache-control") == nk["headers"].get("cache-control")


def _check_refused(nakama: list[Exchange], reference: list[Exchange], message: str) -> None:
    """Nakama takes each request (200); the reference server refuses each with 400 code 3."""
    assert [x["status"] for x in nakama] == [200] * len(nakama)
    assert [x["status"] for x in reference] == [400] * len(nakama)
    for ref in reference:
        assert ref["body"]["code"] == 3
        assert message in ref["body"]["message"], ref["body"]


ORIGIN = {"Origin": "http://game.example"}


def preflight(method: str, request_headers: str = "") -> dict[str, str]:
    headers = {**ORIGIN, "Access-Control-Request-Method": method}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    return headers


@case(
    "cors: preflights for the API",
    boards=("best",),
)
async def _(w: Wire) -> None:
    board = lb(w, "best")
    await w.call("OPTIONS", board, headers=preflight("GET", "authorization,content-type"))
    await w.call("OPTIONS", DEVICE, headers=preflight("POST", "authorization,content-type"))
    await w.call("OPTIONS", board, headers=preflight("DELETE"))
    await w.call("OPTIONS", board, headers=preflight("GET", "user-agent"))
    await w.call("OPTIONS", board, headers=preflight("GET", "x-custom"))
    await w.call("OPTIONS", board, headers=preflight("TRACE"))
    await w.call("OPTIONS", board, headers=ORIGIN)
    await w.call("OPTIONS", board)
    await w.call("OPTIONS", "/v2/no/such/route", headers=preflight("GET"))


def _check_cors_idempotency_key(nakama: list[Exchange], reference: list[Exchange]) -> None:
    # Nakama's CORS allows Authorization, Content-Type and User-Agent only; the reference server
    # takes Idempotency-Key from browsers too, so its preflight must allow it.
    assert nakama[0]["status"] == 403
    assert reference[0]["status"] == 200
    allowed = reference[0]["headers"].get("access-control-allow-headers", "").lower()
    assert "idempotency-key" in allowed
    assert reference[0]["headers"].get("access-control-allow-origin") == "*"


@case(
    "cors: a preflight asking for Idempotency-Key",
    deliberate="idempotency-keys",
    check=_check_cors_idempotency_key,
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.call("OPTIONS", lb(w, "best"), headers=preflight("POST", "idempotency-key"))


@case(
    "cors: answers to a request with an Origin",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", lb(w, "best"), auth="alice", headers=ORIGIN)
    await w.call("GET", lb(w, "best"), headers=ORIGIN)
    await w.call("POST", DEVICE, json={"id": "short"}, auth="basic", headers=ORIGIN)


@case(
    "methods: a route with the wrong method",
    deliberate="wrong-method",
    check=lambda nakama, reference: _check_wrong_method(nakama, reference),
    boards=("best",),
)
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("PUT", lb(w, "best"), json={"score": 1}, auth="alice")
    await w.call("PUT", lb(w, "best"), json={"score": 1})  # routing comes before auth
    await w.call("HEAD", lb(w, "best"), auth="alice")
    await w.call("PATCH", lb(w, "best", f"/owner/{alice.user_id}"), auth="alice")
    await w.call("GET", DEVICE, auth="basic")
    await w.call("GET", LOGOUT, auth="alice")
    await w.call("DELETE", REFRESH, auth="basic")
    await w.call("POST", ACCOUNT + "/authenticate/device/extra", auth="basic")


@case("root: GET / answers an empty 200")
async def _(w: Wire) -> None:
    await w.call("GET", "/")


@case("cors: methods and header lists in preflights", boards=("best",))
async def _(w: Wire) -> None:
    board = lb(w, "best")
    for method in ("PUT", "PATCH", "HEAD", "get", "OPTIONS"):
        await w.call("OPTIONS", board, headers=preflight(method))
    for asked in ("Content-Type, Authorization", "content-type,,authorization", "accept,origin",
                  "AUTHORIZATION", " x-custom "):  # fmt: skip
        await w.call("OPTIONS", board, headers=preflight("POST", asked))
    await w.call("OPTIONS", "/healthcheck", headers=preflight("GET"))
    await w.call("GET", "/healthcheck", headers=ORIGIN)
    await w.call("GET", "/no/such/route", headers=ORIGIN)


@case("basic: malformed server key credentials")
async def _(w: Wire) -> None:
    key = base64.b64encode(b"defaultkey:").decode()
    for header in (
        "Basic " + base64.b64encode(b"defaultkey").decode(),  # no colon
        "Basic  " + key,  # two spaces
        "Basic " + key.rstrip("="),  # no padding
        "",
    ):
        await device(w, {"id": w.names.device("a")}, auth=None, headers={"Authorization": header})


@case("bearer: an empty header and two spaces", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    for header in ("", "Bearer  " + alice.token):
        await w.call("GET", lb(w, "best"), headers={"Authorization": header})


@case("paths: unknown routes", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", "/v2/no/such/route", auth="alice")
    await w.call("GET", "/no/such/route")
    await w.call("GET", "/v2/leaderboard", auth="alice")
    await w.call("GET", lb(w, "best", "/owner"), auth="alice")


@case(
    "paths: around an empty owner id",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", lb(w, "best", "/owner/"), auth="alice")


# ---- leaderboard writes ----


@case("write: a first record and better ones (BEST)", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in ({"score": 100}, {"score": 150, "subscore": 2}, {"score": 170, "subscore": 3}):
        await w.write("alice", "best", body)


@case(
    "write: num_score counts only the writes that changed the record",
    boards=("best", "set", "incr"),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for kind, values in (("best", (100, 90, 100)), ("set", (5, 5)), ("incr", (3, 0))):
        for value in values:
            await w.write("alice", kind, {"score": value})


@case(
    "write: BEST takes the greater score and the greater subscore separately",
    boards=("best", "asc"),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for kind in ("best", "asc"):
        for body in ({"score": 100, "subscore": 1}, {"score": 90, "subscore": 5}):
            await w.write("alice", kind, body)


@case(
    "write: metadata changes only with the score",
    boards=("best", "set"),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    # Metadata as Nakama's jsonb prints it, so that only this divergence shows.
    await w.write("alice", "best", {"score": 50, "metadata": '{"run": 1}'})
    await w.write("alice", "best", {"score": 10, "metadata": '{"run": 2}'})
    await w.write("alice", "set", {"score": 5, "metadata": '{"run": 1}'})
    await w.write("alice", "set", {"score": 5, "metadata": '{"run": 2}'})


@case("write: SET, INCREMENT and DECREMENT boards", boards=("set", "incr", "decr"))
async def _(w: Wire) -> None:
    await w.login("alice")
    for kind, values in (("set", (100, 50)), ("incr", (5, 7)), ("decr", (10,))):
        for value in values:
            await w.write("alice", kind, {"score": value, "subscore": 1})


@case("write: DECREMENT stops at 0; a negative decrement adds", boards=("decr",))
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in (
        {"score": 10, "operator": "INCREMENT"},
        {"score": 3},
        {"score": 30},
        {"score": -4},
    ):
        await w.write("alice", "decr", body)


@case("write: operators by name and by number", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    # Every write changes the record (so num_score counts each on both servers).
    steps = [("BEST", 10), ("SET", 5), ("INCREMENT", 3), ("DECREMENT", 2), ("NO_OVERRIDE", 9),
             (0, 11), (1, 12), (2, 4), (3, 1), (4, 1)]  # fmt: skip
    for operator, score in steps:
        await w.write("alice", "best", {"score": score, "operator": operator})


@case(
    "write: an unknown operator name means the board's operator",
    boards=("set",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.write("alice", "set", {"score": 10}, record=False)
    for operator in ("NOPE", "incr", "increment", "Best", "3"):
        await w.write("alice", "set", {"score": 7, "operator": operator})


@case(
    "write: an operator number out of range",
    deliberate="nakama-500",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for operator in (9, -1):
        await w.write("alice", "best", {"score": 7, "operator": operator})
    await w.write("alice", "best", {"score": 1})  # nothing was applied


@case("write: an operator of the wrong type", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    for operator in (True, 1.5, {"op": 1}, [1]):
        await w.write("alice", "best", {"score": 7, "operator": operator})


@case("write: score and subscore types", boards=("set",))
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in (
        {"score": "100"},
        {"score": 101},
        {"score": "9223372036854775807"},
        {"score": 9223372036854775806},
        {"score": "9223372036854775808"},
        {"score": "abc"},
        {"score": 1.5},
        {"score": True},
        {"score": [1]},
        {"score": {}},
        {"score": 5, "subscore": "7"},
        {"score": 5, "subscore": "x"},
    ):
        await w.write("alice", "set", body)
    for data in (b'{"score": 1e2}', b'{"score": 6.0}', b'{"score": "7", "subscore": 2E1}'):
        await w.call("POST", lb(w, "set"), data=data, auth="alice")


@case(
    "write: null fields",
    boards=("set",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.write(
        "alice", "set", {"score": 3, "subscore": None, "metadata": None, "operator": None}
    )
    await w.write("alice", "set", {"score": None})


@case("write: score spellings protojson reads", boards=("set",))
async def _(w: Wire) -> None:
    await w.login("alice")
    bodies = (b'{"score": "-0"}', b'{"score": "1e2"}', b'{"score": "6.0"}', b'{"score": "1E3"}',
              b'{"score": 1.0e1}', b'{"score": -0}', b'{"score": "007"}', b'{"score": "1.5"}',
              b'{"score": "0x10"}', b'{"score": NaN}')  # fmt: skip
    for data in bodies:
        await w.call("POST", lb(w, "set"), data=data, auth="alice")


@case("write: metadata numbers, key order and escapes as jsonb prints them", boards=("set",))
async def _(w: Wire) -> None:
    await w.login("alice")
    metas = [
        '{"a": 1e2, "b": -0, "c": 1.0e-3, "d": 1.50e1, "e": 0.0, "f": -0.0, "g": 1E+2, "h": 1e-7}',
        '{"é": 1, "z": 2, "aa": 3, "Z": 4, "ab": 5, "b": 6}',
        '{"a": 1, "a": 2}',
        '{"a": "x\\ty\\u001f\\u007f/\\/\\u00e9\\ud83d\\ude00"}',
        '{"a":1} ',
        '{"a": 12345678901234567890123, "b": true, "c": [], "d": {}, "e": [{}, [], null]}',
        '{"a":1}{"b":2}',
    ]
    for score, meta in enumerate(metas, 1):
        await w.write("alice", "set", {"score": score, "metadata": meta})


@case("device: create and username query values", boards=())
async def _(w: Wire) -> None:
    for n, query in enumerate(("create=", "create=t", "create=TRUE", "create=TrUe", "create=f",
                               f"username=a%5B%5Db{w.names.case}",
                               f"username=a%5Bb{w.names.case}",
                               f"username=a%C2%A0b{w.names.case}")):  # fmt: skip
        await device(w, {"id": w.names.device(f"q{n}")}, f"?{query}")


@case("logout: a refreshed refresh token ends the whole login")
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    reply = await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")
    renewed = w.adopt("alice", reply.json())
    body = {"refresh_token": renewed.refresh_token}
    await w.call("POST", LOGOUT, json=body, auth="alice")
    await w.call("POST", REFRESH, json={"token": alice.refresh_token}, auth="basic")
    await w.call("POST", REFRESH, json={"token": renewed.refresh_token}, auth="basic")


@case(
    "write: score spellings protojson refuses",
    boards=("set",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for data in (b'{"score": " 5"}', b'{"score": "+6"}', b'{"score": "7 "}'):
        await w.call("POST", lb(w, "set"), data=data, auth="alice")


@case(
    "write: negative scores and subscores",
    deliberate="nakama-500",
    boards=("set", "incr", "best"),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.write("alice", "set", {"score": 5})
    for kind, body in (
        ("set", {"score": -3}),
        ("set", {"score": 3, "subscore": -1}),
        ("incr", {"score": -2}),
        ("best", {"score": "-9223372036854775808"}),
    ):
        await w.write("alice", kind, body)
    await w.write("alice", "set", {"score": 5})  # nothing was applied


@case(
    "write: metadata is normalised",
    boards=("set",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    metas = ['{"b":1,"a":2}', '{"long_key": 1, "k": [1,2], "m": {"z": null, "a": 1.50}}']
    for score, meta in enumerate(metas, 1):
        await w.write("alice", "set", {"score": score, "metadata": meta})


@case("write: metadata that is not a JSON object", boards=("set",))
async def _(w: Wire) -> None:
    await w.login("alice")
    for meta in ("not json", "[1, 2]", "5", '"text"', {"a": 1}, 12, "null"):
        await w.write("alice", "set", {"score": 1, "metadata": meta})


@case("write: empty metadata", boards=("set",))
async def _(w: Wire) -> None:
    await w.login("alice")
    for score, meta in enumerate(("", "{}"), 1):
        await w.write("alice", "set", {"score": score, "metadata": meta})


@case(
    "write: metadata over 16 KB",
    deliberate="metadata-cap",
    check=lambda nakama, reference: _check_refused(nakama, reference, "at most 16384 bytes"),
    boards=("set",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.write("alice", "set", {"score": 1, "metadata": json.dumps({"k": "x" * 20000})})


@case("write: bodies that are not a write", boards=("best",))
async def _(w: Wire) -> None:
    bodies = (b"{bad json", b"[]", b"null", b"", b'{"unknown": 1}', b'{"score": 4, "x": [1]}')
    for n, data in enumerate(bodies):
        await w.login(f"p{n}")  # one player per body, each alone on the board
        await w.call("POST", lb(w, "best"), data=data, auth=f"p{n}")
        await w.call("DELETE", lb(w, "best"), auth=f"p{n}", record=False)


@case("write: an unknown board, and no session token", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("POST", "/v2/leaderboard/gsd_no_such_board", json={"score": 1}, auth="alice")
    await w.call("POST", lb(w, "best"), json={"score": 1})


@case(
    "write: a bad body to an unknown board",
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("POST", "/v2/leaderboard/gsd_no_such_board", data=b"{bad", auth="alice")


@case(
    "write: a board without ranks",
    boards=("noranks",),
)
async def _(w: Wire) -> None:
    await scores(w, "noranks", [10, 30, 20], ["alice", "bob", "carol"])
    await w.write("alice", "noranks", {"score": 15})
    await w.call("GET", lb(w, "noranks", "?limit=5"), auth="alice")
    await w.call(
        "GET", lb(w, "noranks", f"?limit=1&owner_ids={w.user('carol').user_id}"), auth="alice"
    )
    await w.call("GET", around(w, "noranks", "carol", "?limit=3"), auth="alice")


@case(
    "write: a board with a weekly reset",
    boards=("weekly",),
)
async def _(w: Wire) -> None:
    await scores(w, "weekly", [10, 30], ["alice", "bob"])
    reply = await w.write("alice", "weekly", {"score": 15})
    await w.call("GET", lb(w, "weekly", "?limit=5"), auth="alice")
    expiry_time = str((reply.body or {}).get("expiry_time", ""))
    expiry = _epoch(expiry_time)
    for value in (0, expiry, expiry - 7 * 86400, expiry + 1):
        await w.call("GET", lb(w, "weekly", f"?limit=5&expiry={value}"), auth="alice")


def _epoch(rfc3339: str) -> int:
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def _check_idempotent_replay(nakama: list[Exchange], reference: list[Exchange]) -> None:
    # Nakama applies the INCREMENT twice and never echoes the key ...
    assert [x["body"].get("score") for x in nakama] == ["5", "10"]
    assert all("Idempotency-Key" not in x["_raw_headers"] for x in nakama)
    # ... the reference server applies it once, replays the stored answer, echoes the key.
    assert [x["body"].get("score") for x in reference] == ["5", "5"]
    assert all(x["_raw_headers"].get("Idempotency-Key") == "gs-key-1" for x in reference)
    assert reference[1]["_raw_headers"].get("Idempotent-Replayed") == "true"


@case(
    "write: the same Idempotency-Key twice",
    deliberate="idempotency-keys",
    check=_check_idempotent_replay,
    boards=("incr",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for _ in range(2):
        await w.call(
            "POST",
            lb(w, "incr"),
            json={"score": 5},
            auth="alice",
            headers={"Idempotency-Key": "gs-key-1"},
        )


def _check_bad_idempotency_key(nakama: list[Exchange], reference: list[Exchange]) -> None:
    assert [x["status"] for x in nakama] == [200, 200]
    assert [(x["status"], x["body"].get("code")) for x in reference] == [(400, 3), (400, 3)]


@case(
    "write: a malformed Idempotency-Key",
    deliberate="idempotency-keys",
    check=_check_bad_idempotency_key,
    boards=("incr",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    bad = {"Idempotency-Key": "k" * 256}
    await w.call("POST", lb(w, "incr"), json={"score": 1}, auth="alice", headers=bad)
    await w.call("DELETE", lb(w, "incr"), auth="alice", headers=bad)


# ---- delete ----


@case("delete: my record, twice, then write again", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.write("alice", "best", {"score": 10, "subscore": 3})
    await w.call("DELETE", lb(w, "best"), auth="alice")
    await w.call("GET", lb(w, "best", f"?owner_ids={alice.user_id}"), auth="alice")
    await w.call("DELETE", lb(w, "best"), auth="alice")
    await w.write("alice", "best", {"score": 4})


@case("delete: an unknown board, no session token, a body", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("DELETE", "/v2/leaderboard/gsd_no_such_board", auth="alice")
    await w.call("DELETE", lb(w, "best"))
    await w.call("DELETE", lb(w, "best"), data=b"{bad json", auth="alice")


# ---- list ----

ROLES = ["alice", "bob", "carol", "dave", "erin"]


@case("list: an empty board", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("GET", lb(w, "best"), auth="alice")
    await w.call("GET", lb(w, "best", f"?owner_ids={alice.user_id}"), auth="alice")
    await w.call("GET", lb(w, "best", "?limit=10"), auth="alice")


@case("list: the default page is one record", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [10, 50, 30], ROLES[:3])
    await w.call("GET", lb(w, "best"), auth="alice")


@case("list: descending and ascending boards", boards=("best", "asc"))
async def _(w: Wire) -> None:
    await scores(w, "best", [10, 50, 30, 40, 20], ROLES)
    await scores(w, "asc", [10, 50, 30, 15, 20], ROLES)
    await w.call("GET", lb(w, "best", "?limit=10"), auth="alice")
    await w.call("GET", lb(w, "asc", "?limit=10"), auth="alice")


@case("list: a tie on score is broken by subscore", boards=("best", "asc"))
async def _(w: Wire) -> None:
    for role, subscore in zip(ROLES[:3], (1, 3, 2), strict=True):
        await w.login(role)
        for kind in ("best", "asc"):
            await w.write(role, kind, {"score": 5, "subscore": subscore}, record=False)
    await w.call("GET", lb(w, "best", "?limit=10"), auth="alice")
    await w.call("GET", lb(w, "asc", "?limit=10"), auth="alice")


@case(
    "list: a full tie is broken by owner id",
    boards=("best", "asc"),
)
async def _(w: Wire) -> None:
    users = await w.logins(ROLES)
    # Ids differ between the servers: players are shown by the order of their ids instead.
    for n, user in enumerate(sorted(users, key=lambda u: u.user_id), 1):
        w.relabel(user.role, f"id{n}-of-5")
    # Written in the order that differs from Nakama's rule, so the result is deterministic.
    for kind, first_greatest in (("best", False), ("asc", True)):
        order = sorted(users, key=lambda u: u.user_id, reverse=first_greatest)
        for user in order:
            await w.write(user.role, kind, {"score": 5, "subscore": 1}, record=False)
        await w.call("GET", lb(w, kind, "?limit=10"), auth="alice")
        await w.call("GET", lb(w, kind, f"?owner_ids={order[0].user_id}"), auth="alice")
        await w.call("GET", around(w, kind, order[2].role, "?limit=3"), auth="alice")


@case("list: limits", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [10, 20], ROLES[:2])
    for limit in ("0", "1001", "-1", "abc", "1.5", "1000", "2", "%20"):
        await w.call("GET", lb(w, "best", f"?limit={limit}"), auth="alice")


@case(
    "list: an empty limit parameter",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await scores(w, "best", [10], ROLES[:1])
    await w.call("GET", lb(w, "best", "?limit="), auth="alice")
    await w.call("GET", lb(w, "best", f"/owner/{w.user('alice').user_id}?limit="), auth="alice")


@case("list: following next_cursor and prev_cursor", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [50, 40, 30, 20, 10], ROLES)
    first = await w.call("GET", lb(w, "best", "?limit=2"), auth="alice")
    cursor = str((first.body or {}).get("next_cursor", ""))
    second = await w.call("GET", lb(w, "best", f"?limit=2&cursor={cursor}"), auth="alice")
    cursor = str((second.body or {}).get("next_cursor", ""))
    third = await w.call("GET", lb(w, "best", f"?limit=2&cursor={cursor}"), auth="alice")
    back = str((third.body or {}).get("prev_cursor", ""))
    await w.call("GET", lb(w, "best", f"?limit=2&cursor={back}"), auth="alice")
    prev = str((second.body or {}).get("prev_cursor", ""))
    await w.call("GET", lb(w, "best", f"?limit=2&cursor={prev}"), auth="alice")


@case("list: bad cursors", boards=("best", "asc"))
async def _(w: Wire) -> None:
    await scores(w, "best", [50, 40, 30], ROLES[:3])
    await scores(w, "asc", [50, 40, 30], ROLES[:3])
    other = await w.call("GET", lb(w, "asc", "?limit=1"), auth="alice", record=False)
    for cursor in ("garbage", "AAAA", str((other.body or {}).get("next_cursor", ""))):
        await w.call("GET", lb(w, "best", f"?limit=1&cursor={cursor}"), auth="alice")


@case("list: a cursor that is not UTF-8", deliberate="nakama-500", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [50], ROLES[:1])
    await w.call("GET", lb(w, "best", "?limit=1&cursor=%FF"), auth="alice")


@case("list: owner_ids (proto name and lowerCamelCase)", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [10, 50, 30], ROLES[:3])
    await w.login("dave")  # no record
    a, c, d = (w.user(r).user_id for r in ("alice", "carol", "dave"))
    for query in (
        f"?owner_ids={a}",
        f"?owner_ids={a}&owner_ids={c}&owner_ids={d}",
        f"?ownerIds={c}",
        f"?limit=1&owner_ids={c}",
        f"?owner_ids={a.upper()}",
        f"?owner_ids={a}&owner_ids={a}",
        f"?owner_ids={d}",
    ):
        await w.call("GET", lb(w, "best", query), auth="alice")


@case("list: bad owner_ids", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    for query in (
        "?owner_ids=not-a-uuid",
        f"?owner_ids={alice.user_id}&owner_ids=x",
        "?owner_ids=",
    ):
        await w.call("GET", lb(w, "best", query), auth="alice")


@case(
    "list: expiry",
    boards=("best",),
)
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.write("alice", "best", {"score": 5}, record=False)
    for expiry in ("0", "-5", "1000", "4000000000"):
        await w.call(
            "GET", lb(w, "best", f"?owner_ids={alice.user_id}&expiry={expiry}"), auth="alice"
        )
        await w.call("GET", lb(w, "best", f"?limit=5&expiry={expiry}"), auth="alice")


@case("list: expiry and limit spellings as the gateway parses them", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [10], ROLES[:1])
    for query in ("expiry=", "expiry=%2B5", "expiry=1.5", "expiry=99999999999999999999",
                  "limit=%2B2", "limit=2147483648", "limit=0x2"):  # fmt: skip
        await w.call("GET", lb(w, "best", f"?{query}"), auth="alice")
    for query in ("limit=%2B2", "limit=-1", "expiry=", "expiry=-1"):
        await w.call("GET", around(w, "best", "alice", f"?{query}"), auth="alice")


@case("list: an expiry that is not a number", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", lb(w, "best", "?expiry=abc"), auth="alice")


@case("list: an unknown board and no session token", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", "/v2/leaderboard/gsd_no_such_board", auth="alice")
    await w.call("GET", lb(w, "best"))


# ---- around an owner ----


@case("around: limits around the top, the middle and the bottom", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [50, 40, 30, 20, 10], ROLES)
    for role in ("alice", "carol", "erin"):
        for query in ("", "?limit=1", "?limit=2", "?limit=3", "?limit=5", "?limit=100"):
            await w.call("GET", around(w, "best", role, query), auth="alice")


@case("around: an ascending board", boards=("asc",))
async def _(w: Wire) -> None:
    await scores(w, "asc", [50, 40, 30, 20, 10], ROLES)
    await w.call("GET", around(w, "asc", "carol", "?limit=3"), auth="alice")


@case("around: following its cursors", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [50, 40, 30, 20, 10], ROLES)
    page = await w.call("GET", around(w, "best", "carol", "?limit=2"), auth="alice")
    for key in ("next_cursor", "prev_cursor"):
        cursor = str((page.body or {}).get(key, ""))
        await w.call("GET", around(w, "best", "carol", f"?limit=2&cursor={cursor}"), auth="alice")


@case("around: bad limits and owners", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.write("alice", "best", {"score": 5}, record=False)
    for query in ("?limit=0", "?limit=101", "?limit=abc"):
        await w.call("GET", around(w, "best", "alice", query), auth="alice")
    await w.call("GET", lb(w, "best", "/owner/not-a-uuid"), auth="alice")
    await w.call("GET", lb(w, "best", f"/owner/{alice.user_id.upper()}"), auth="alice")


@case(
    "around: an owner without a record",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await scores(w, "best", [5], ["alice"])
    await w.login("bob")
    await w.call("GET", around(w, "best", "bob", "?limit=3"), auth="alice")
    await w.call("GET", lb(w, "best", "/owner/00000000-0000-4000-8000-000000000000"), auth="alice")


@case("around: a garbage cursor", deliberate="nakama-500", boards=("best",))
async def _(w: Wire) -> None:
    await scores(w, "best", [5], ["alice"])
    await w.call("GET", around(w, "best", "alice", "?cursor=garbage"), auth="alice")


@case(
    "around: expiry",
    boards=("best",),
)
async def _(w: Wire) -> None:
    await scores(w, "best", [5], ["alice"])
    for expiry in ("0", "-1", "100"):
        await w.call("GET", around(w, "best", "alice", f"?expiry={expiry}"), auth="alice")


@case("around: an unknown board and no session token", boards=("best",))
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("GET", f"/v2/leaderboard/gsd_no_such_board/owner/{alice.user_id}", auth="alice")
    await w.call("GET", around(w, "best", "alice"))


# ---- the global divergences, each in full ----


@case("global: error-details", global_name="error-details", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await device(w, {"id": "short"})
    await w.call("GET", "/v2/leaderboard/gsd_no_such_board", auth="alice")
    await w.call("GET", lb(w, "best"))


@case("global: max-num-score", global_name="max-num-score", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.write("alice", "best", {"score": 5})
    await w.call("GET", lb(w, "best"), auth="alice")


@case("global: cache-control", global_name="cache-control", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice")
    await device(w, {"id": w.names.device("alice")})
    await w.write("alice", "best", {"score": 5})
    await w.call("GET", lb(w, "best"), auth="alice")
    await w.call("GET", lb(w, "best"))


@case("global: www-authenticate", global_name="www-authenticate", boards=("best",))
async def _(w: Wire) -> None:
    await device(w, {"id": w.names.device("a")}, auth=None)
    await device(w, {"id": w.names.device("a")}, auth="basic:not-the-key")
    await w.call("GET", lb(w, "best"))
    await w.call("GET", lb(w, "best"), headers={"Authorization": "Bearer garbage"})
    body = {"email": w.names.email("a"), "password": PASSWORD}
    await w.call("POST", EMAIL, json=body, auth="basic", record=False)
    await w.call("POST", EMAIL, json={**body, "password": "wrong password"}, auth="basic")


@case("global: token-claims", global_name="token-claims")
async def _(w: Wire) -> None:
    reply = await w.call("POST", DEVICE, json={"id": w.names.device("a"), "vars": {"k": "v"}},
                         auth="basic")  # fmt: skip
    refresh = str((reply.body or {}).get("refresh_token", ""))
    await w.call("POST", REFRESH, json={"token": refresh}, auth="basic")


# ---- deliberate differences without a case above ----


async def _with_assets(tmp_path: Path) -> dict[str, Any]:
    def make() -> Path:
        root = tmp_path / "assets"
        root.mkdir()
        (root / "level1.bin").write_bytes(b"level one")
        return root

    return {"assets_dir": await asyncio.to_thread(make)}


def _check_asset_host(nakama: list[Exchange], reference: list[Exchange]) -> None:
    assert [(x["status"], x["body"]) for x in nakama] == [
        (404, {"code": 5, "message": "Not Found"}),
        (404, {"code": 5, "message": "Not Found"}),
    ]
    assert [x["status"] for x in reference] == [200, 200]
    assert "level1.bin" in json.dumps(reference[0]["body"])
    assert reference[1]["body"] == "level one"


@case(
    "assets: the manifest and a file",
    deliberate="asset-host",
    check=_check_asset_host,
    reference=_with_assets,
)
async def _(w: Wire) -> None:
    await w.call("GET", "/assets/manifest.json")
    await w.call("GET", "/assets/level1.bin")


async def _with_rate_limit(tmp_path: Path) -> dict[str, Any]:
    def make() -> ServerConfig:
        path = tmp_path / "config.json"
        path.write_text(json.dumps({"rate_limit": {"rate_per_s": 0.001, "burst": 3}}))
        return load_config_file(path)

    return {"config": await asyncio.to_thread(make)}


def _check_rate_limit(nakama: list[Exchange], reference: list[Exchange]) -> None:
    assert [x["status"] for x in nakama] == [200, 200, 200]
    assert [x["status"] for x in reference] == [200, 200, 429]
    assert reference[2]["body"]["code"] == 8
    assert "Retry-After" in reference[2]["_raw_headers"]


@case(
    "rate limit: a burst over the limit",
    deliberate="rate-limiting",
    check=_check_rate_limit,
    reference=_with_rate_limit,
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.login("alice")  # takes one token of the reference server's burst of 3
    for _ in range(3):
        await w.call("GET", lb(w, "best"), auth="alice")


async def _with_faults(tmp_path: Path) -> dict[str, Any]:
    return {"faults": Faults(error_rate=1.0, error_status=503, times=1, paths=("/v2/leaderboard",))}


def _check_faults(nakama: list[Exchange], reference: list[Exchange]) -> None:
    assert [x["status"] for x in nakama] == [200, 200]
    assert [x["status"] for x in reference] == [503, 200]
    assert reference[0]["body"]["code"] == 14


@case(
    "faults: an injected 503",
    deliberate="fault-injection",
    check=_check_faults,
    reference=_with_faults,
    boards=("best",),
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for _ in range(2):
        await w.call("GET", lb(w, "best"), auth="alice")


for _id, _run, _options in SOCIAL_CASES:  # friends, notifications, groups
    case(_id, **_options)(_run)
for _id, _run, _options in TOURNAMENT_CASES:  # tournaments, match listing
    case(_id, **_options)(_run)
for _id, _run, _options in LINK_CASES:  # account links, provider logins and links
    case(_id, **_options)(_run)
# ---- account updates and deletes, users (issue 12) ----

USERS = "/v2/user"
NIL_USER = "00000000-0000-0000-0000-000000000000"


@case("account: PUT /v2/account sets every profile field, GET shows them")
async def _(w: Wire) -> None:
    await w.login("alice")
    profile = {
        "display_name": "Alice A.",
        "avatar_url": "https://example.com/a.png",
        "lang_tag": "fr",
        "location": "Paris",
        "timezone": "Europe/Paris",
    }
    await w.call("PUT", ACCOUNT, json=profile, auth="alice")
    await w.call("GET", ACCOUNT, auth="alice")


@case('account: PUT /v2/account: "" clears, null and absent leave, camelCase names')
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("PUT", ACCOUNT, json={"displayName": "Alice", "avatarUrl": "a", "langTag": "de"},
                 auth="alice")  # fmt: skip
    await w.call("PUT", ACCOUNT, json={"display_name": "", "location": None}, auth="alice")
    await w.call("PUT", ACCOUNT, json={"display_name": "A", "displayName": "B"}, auth="alice")
    await w.call("GET", ACCOUNT, auth="alice")


@case("account: PUT /v2/account username rules (empty, 129 bytes, bell, [], taken, own, new)")
async def _(w: Wire) -> None:
    await w.login("alice", username=True)
    await w.login("bob", username=True)
    for name in ("", "u" * 129, "gs\u0007bell", "gs[]x", w.names.username("bob")):
        await w.call("PUT", ACCOUNT, json={"username": name}, auth="alice")
    await w.call("PUT", ACCOUNT, json={"username": w.names.username("alice")}, auth="alice")
    await w.call("PUT", ACCOUNT, json={"username": w.names.username("carol")}, auth="alice")
    await w.call("GET", ACCOUNT, auth="alice")


@case("account: PUT /v2/account with nothing to update")
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in ({}, {"username": None, "display_name": None}, {"metadata": "{}", "wallet": 1}):
        await w.call("PUT", ACCOUNT, json=body, auth="alice")
    await w.call("PUT", ACCOUNT, data=b"", auth="alice")


@case("account: PUT /v2/account with the wrong types")
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in ({"display_name": 5}, {"username": {"value": "x"}}, [], "x"):
        await w.call("PUT", ACCOUNT, json=body, auth="alice")
    await w.call("PUT", ACCOUNT, json={"display_name": "x"})


@case(
    "account: PUT /v2/account with values the columns refuse (empty lang_tag, too long, NUL)",
    deliberate="nakama-500",
)
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in (
        {"lang_tag": ""},
        {"lang_tag": "x" * 19},
        {"display_name": "x" * 256},
        {"avatar_url": "x" * 513},
        {"location": "x" * 256},
        {"timezone": "x" * 256},
        {"display_name": "a\u0000b"},
    ):
        await w.call("PUT", ACCOUNT, json=body, auth="alice")
    await w.call("PUT", ACCOUNT, json={"display_name": "é" * 255, "lang_tag": "x" * 18},
                 auth="alice")  # fmt: skip
    await w.call("GET", ACCOUNT, auth="alice")


@case("account: DELETE /v2/account, then its login and its username are free", boards=("best",))
async def _(w: Wire) -> None:
    await w.login("alice", username=True)
    await w.write("alice", "best", {"score": 5})
    await w.call("DELETE", ACCOUNT, auth="alice")
    await device(w, {"id": w.names.device("alice")}, "?create=false")
    await w.login("bob")
    await w.call("GET", f"{USERS}?ids={w.user('alice').user_id}", auth="bob")
    await w.call("GET", lb(w, "best"), auth="bob")
    name = w.names.username("alice")
    await device(w, {"id": w.names.device("carol")}, f"?create=true&username={name}")


@case("users: GET /v2/user by ids, usernames, both, unknown ones, none")
async def _(w: Wire) -> None:
    alice, bob = await w.login("alice", username=True), await w.login("bob", username=True)
    await w.call("GET", f"{USERS}?ids={alice.user_id}", auth="bob")
    await w.call("GET", f"{USERS}?usernames={bob.username}", auth="bob")
    await w.call("GET", f"{USERS}?ids={alice.user_id}&usernames={alice.username}", auth="bob")
    await w.call("GET", f"{USERS}?ids={alice.user_id}&ids={bob.user_id}", auth="bob")
    await w.call("GET", f"{USERS}?ids=0f0e0d0c-0b0a-4908-8706-050403020100", auth="bob")
    await w.call("GET", f"{USERS}?usernames=gs_nobody_{w.names.case}", auth="bob")
    await w.call("GET", f"{USERS}?facebook_ids=gs-fb-{w.names.case}", auth="bob")
    await w.call("GET", f"{USERS}?facebookIds=gs-fb-{w.names.case}", auth="bob")
    await w.call("GET", USERS, auth="bob")
    await w.call("GET", f"{USERS}?usernames={alice.username.upper()}", auth="bob")


@case("users: GET /v2/user with ids that are not uuids, and without a session")
async def _(w: Wire) -> None:
    await w.login("alice")
    for bad in ("not-a-uuid", "", "0f0e0d0c-0b0a-4908-8706-05040302010", "%7B0f0e%7D"):
        await w.call("GET", f"{USERS}?ids={bad}", auth="alice")
    await w.call("GET", f"{USERS}?ids=0f0e0d0c-0b0a-4908-8706-050403020100")


@case("users: an urn:uuid: id (Nakama's parser takes it, PostgreSQL does not)",
      deliberate="nakama-500")  # fmt: skip
async def _(w: Wire) -> None:
    alice = await w.login("alice")
    await w.call("GET", f"{USERS}?ids=urn:uuid:{alice.user_id}", auth="alice")


def _check_system_user(nakama: list[Exchange], reference: list[Exchange]) -> None:
    """Nakama finds its system user (the nil id, an empty username); the reference server has
    none, so it finds nobody."""
    for nk, ref in zip(nakama, reference, strict=True):
        users = json.loads(nk["_raw_body"])["users"]
        assert [(u["id"], u.get("username", "")) for u in users] == [(NIL_USER, "")], nk
        assert (ref["status"], ref["body"]) == (200, {}), ref


@case(
    "users: the system user (nil id, empty username)",
    deliberate="system-user",
    check=_check_system_user,
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", f"{USERS}?ids={NIL_USER}", auth="alice")
    await w.call("GET", f"{USERS}?usernames=", auth="alice")


# ---- server functions: POST /v2/rpc/{id} (issue 12) ----


def rpc_path(rpc_id: str, query: str = "") -> str:
    return f"/v2/rpc/{rpc_id}{query}"


def _key() -> str:
    return "basic:" + resolved_http_key()


def _rpc_text(value: Any) -> str:
    return json.dumps(json.dumps(value))


async def _with_rpc(_tmp: Path) -> dict[str, Any]:
    return {"rpc": RPC_HANDLERS, "http_key": resolved_http_key()}


@case("rpc: with a session: echo, empty and null bodies, GET, an upper-case id, vars",
      reference=_with_rpc)  # fmt: skip
async def _(w: Wire) -> None:
    await w.login("alice", vars={"lang": "fr"})
    await w.call("POST", rpc_path("gs_echo"), data=_rpc_text({"a": [1, "é"]}).encode(),
                 auth="alice")  # fmt: skip
    await w.call("POST", rpc_path("gs_whoami"), data=b"", auth="alice")
    await w.call("POST", rpc_path("gs_whoami"), data=b"null", auth="alice")
    await w.call("POST", rpc_path("GS_ECHO"), data=b'"x"', auth="alice")
    await w.call("GET", rpc_path("gs_whoami", "?payload=ignored"), auth="alice")
    await w.call("POST", rpc_path("gs_nothing"), data=b'"{}"', auth="alice")


@case("rpc: unwrap: the payload raw, answered with the request's Content-Type",
      reference=_with_rpc)  # fmt: skip
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("POST", rpc_path("gs_echo", "?unwrap"), data=b'{"raw":1}', auth="alice")
    await w.call("POST", rpc_path("gs_echo", "?unwrap=false"), data=b"text", auth="alice",
                 headers={"Content-Type": "application/json"})  # fmt: skip


@case("rpc: the runtime HTTP key (Basic), wrong keys, no credentials, a bad token",
      reference=_with_rpc)  # fmt: skip
async def _(w: Wire) -> None:
    await w.call("POST", rpc_path("gs_whoami"), data=b'"{}"', auth=_key())
    await w.call("POST", rpc_path("gs_whoami"), data=b'"{}"', auth="basic:not-the-http-key")
    await w.call("POST", rpc_path("gs_whoami", "?http_key=not-the-http-key"), data=b'"{}"')
    await w.call("POST", rpc_path("gs_whoami", "?http_key="), data=b'"{}"')
    await w.call("POST", rpc_path("gs_whoami"), data=b'"{}"')
    await w.call("POST", rpc_path("gs_whoami"), data=b'"{}"',
                 headers={"Authorization": "Bearer garbage"})  # fmt: skip


@case("rpc: an unknown function, an empty id, an id with a slash", reference=_with_rpc)
async def _(w: Wire) -> None:
    await w.login("alice")
    for rpc_id in ("gs_no_such_function", "", "gs_echo/x"):
        await w.call("POST", rpc_path(rpc_id), data=b'"{}"', auth="alice")
    await w.call("POST", rpc_path("gs_no_such_function"), data=b'"{}"')


@case("rpc: a body that is not a JSON string", reference=_with_rpc)
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in (b'{"a":1}', b"[1]", b"12", b"true", b"not json", b'"x" 1'):
        await w.call("POST", rpc_path("gs_echo"), data=body, auth="alice")


@case("rpc: a function's errors (codes 3, 5, 7, 16, 99, 0) and a broken function",
      reference=_with_rpc)  # fmt: skip
async def _(w: Wire) -> None:
    await w.login("alice")
    for code in (3, 5, 7, 16, 99, 0):
        body = _rpc_text({"message": f"refused with {code}", "code": code}).encode()
        await w.call("POST", rpc_path("gs_fail"), data=body, auth="alice")
    await w.call("POST", rpc_path("gs_crash"), data=b'"{}"', auth="alice")


# ---- storage ----

STORAGE = "/v2/storage"


def col(w: Wire) -> str:
    return f"gsd_{w.names.case}"


def obj(w: Wire, key: str, value: str = '{"n": 1}', **extra: Any) -> dict[str, Any]:
    return {"collection": col(w), "key": key, "value": value, **extra}


async def put(w: Wire, role: str, *objects: dict[str, Any]) -> Reply:
    return await w.call("PUT", STORAGE, json={"objects": list(objects)}, auth=role)


async def read(w: Wire, role: str, key: str, owner: str | None) -> None:
    ident = {"collection": col(w), "key": key}
    if owner is not None:
        ident["user_id"] = w.user(owner).user_id
    await w.call("POST", STORAGE, json={"object_ids": [ident]}, auth=role)


async def delete(w: Wire, role: str, *ids: dict[str, Any]) -> None:
    await w.call("PUT", f"{STORAGE}/delete", json={"object_ids": list(ids)}, auth=role)


@case("storage: write, read back as jsonb prints it, and the version rules")
async def _(w: Wire) -> None:
    await w.login("alice")
    raw = '{"b": 1, "aa": [1, 2.50, 1e2], "z": "\u00e9", "n": null}'
    first = await put(w, "alice", obj(w, "k", raw, permission_read=2))
    version = first.json()["acks"][0]["version"]
    await read(w, "alice", "k", "alice")
    await put(w, "alice", obj(w, "k", '{"x": 1}', version="*"))
    await put(w, "alice", obj(w, "k", '{"x": 1}', version="0" * 32))
    await put(w, "alice", obj(w, "absent", '{"x": 1}', version=version))
    await put(w, "alice", obj(w, "k", '{"x": 2}', version=version))
    await put(w, "alice", obj(w, "k", '{"x": 2}'))  # identical: nothing changes
    await read(w, "alice", "k", "alice")
    await put(w, "alice", obj(w, "fresh", "{}", version="*"))


@case("storage: read and write permissions, for the owner and for another player")
async def _(w: Wire) -> None:
    await w.logins(["alice", "bob"])
    for n in (0, 1, 2):
        await put(w, "alice", obj(w, f"r{n}", permission_read=n))
    await put(w, "alice", obj(w, "locked", permission_write=0))
    for role in ("alice", "bob"):
        for key in ("r0", "r1", "r2"):
            await read(w, role, key, "alice")
    await read(w, "alice", "r2", None)  # no user: a system object (there is none)
    await put(w, "alice", obj(w, "locked", '{"n": 2}'))
    await put(w, "alice", obj(w, "locked", '{"n": 2}', version="*"))
    await put(w, "alice", obj(w, "locked", '{"n": 2}', version="0" * 32))
    await delete(w, "alice", {"collection": col(w), "key": "locked"})
    await read(w, "alice", "locked", "alice")


@case("storage: one refused object fails the whole write")
async def _(w: Wire) -> None:
    await w.login("alice")
    await put(w, "alice", obj(w, "taken"))
    await put(w, "alice", obj(w, "new"), obj(w, "taken", "{}", version="*"))
    await put(w, "alice", obj(w, "zz"), obj(w, "aa"), obj(w, "taken", "{}", version="bad"))
    for key in ("new", "zz", "aa"):
        await read(w, "alice", key, "alice")


async def _listed(w: Wire, role: str, query: str) -> Reply:
    return await w.call("GET", f"{STORAGE}/{col(w)}{query}", auth=role)


@case("storage: listings (own, another's, everyone's public) and their cursors")
async def _(w: Wire) -> None:
    alice, bob = await w.logins(["alice", "bob"])
    await put(w, "alice", *(obj(w, f"k{n}", permission_read=1 + n % 2) for n in range(4)))
    await put(w, "bob", obj(w, "b", permission_read=2), obj(w, "hidden"))
    for owner in (f"&user_id={alice.user_id}", f"&user_id={bob.user_id}", ""):
        query = f"?limit=2{owner}"
        while True:
            page = await _listed(w, "alice", query)
            cursor = (page.json() or {}).get("cursor")
            if not cursor:
                break
            query = f"?limit=2{owner}&cursor={cursor}"
    await _listed(w, "alice", f"?user_id={alice.user_id}")  # no limit: one object
    await _listed(w, "alice", "?limit=100&user_id=00000000-0000-0000-0000-000000000000")
    await w.call("GET", f"{STORAGE}/gsd_{w.names.case}_empty?limit=10", auth="alice")


@case("storage: a listing with the owner in the path (GET /v2/storage/{collection}/{userId})")
async def _(w: Wire) -> None:
    alice, _ = await w.logins(["alice", "bob"])
    await put(w, "alice", obj(w, "k1", permission_read=2), obj(w, "k2"))
    for role in ("alice", "bob"):
        await _listed(w, role, f"/{alice.user_id}?limit=10")
    await _listed(w, "alice", "/not-a-uuid")


@case("storage: delete rules (missing, version, all or none)")
async def _(w: Wire) -> None:
    await w.login("alice")
    reply = await put(w, "alice", obj(w, "a"), obj(w, "b", '{"n": 2}'), obj(w, "c"))
    versions = [ack["version"] for ack in reply.json()["acks"]]
    ident = {"collection": col(w)}
    await delete(w, "alice", {**ident, "key": "missing"})
    await delete(w, "alice", {**ident, "key": "a", "version": versions[1]})
    await delete(w, "alice", {**ident, "key": "a"}, {**ident, "key": "missing"})
    await read(w, "alice", "a", "alice")
    await delete(w, "alice", {**ident, "key": "a", "version": versions[0]}, {**ident, "key": "b"})
    await read(w, "alice", "b", "alice")
    await delete(w, "alice")


@case("storage: bad writes (ids, permissions, values, shapes)")
async def _(w: Wire) -> None:
    await w.login("alice")
    for o in (
        {"key": "k", "value": "{}"},
        {"collection": col(w), "value": "{}"},
        {"collection": col(w), "key": "k"},
        obj(w, "k", permission_read=3),
        obj(w, "k", permission_read=-1),
        obj(w, "k", permission_write=2),
        obj(w, "k", "[1]"),
        obj(w, "k", '"text"'),
        obj(w, "k", "{bad"),
        obj(w, "k", " \n{}"),
        obj(w, "k2", permission_read="2"),
        obj(w, "k3", permissionRead=2, permissionWrite=0),
        obj(w, "k", permission_read=None),
    ):
        await put(w, "alice", o)
    await put(w, "alice", obj(w, "ok"), obj(w, "k", "[]"))  # refused before anything is written
    await read(w, "alice", "ok", "alice")
    await put(w, "alice")
    await w.call("PUT", STORAGE, json={}, auth="alice")
    await w.call("PUT", STORAGE, json={"objects": {"a": 1}}, auth="alice")
    await w.call("PUT", STORAGE, json={"objects": [{"collection": 5}]}, auth="alice")
    await w.call("PUT", STORAGE, json={"objects": [{"value": {"a": 1}}]}, auth="alice")
    await w.call("PUT", STORAGE, data=b"not json", auth="alice")


@case("storage: bad reads, listings and deletes")
async def _(w: Wire) -> None:
    await w.login("alice")
    for ident in (
        {"key": "k"},
        {"collection": col(w)},
        {"collection": col(w), "key": "k", "user_id": "nope"},
        {"collection": col(w), "key": "k", "user_id": "00000000-0000-0000-0000-000000000000"},
        {"collection": col(w), "key": "k", "userId": w.user("alice").user_id},
    ):
        await w.call("POST", STORAGE, json={"object_ids": [ident]}, auth="alice")
    await w.call("POST", STORAGE, json={"object_ids": []}, auth="alice")
    for query in ("?limit=0", "?limit=101", "?limit=abc", "?limit=", "?user_id=nope",
                  "?cursor=garbage", "?cursor=WzEsImsiLCIiXQ.AAAA"):  # fmt: skip
        await _listed(w, "alice", query)
    await delete(w, "alice", {"key": "k"})
    await delete(w, "alice", {"collection": col(w), "key": ""})


@case(
    "storage: a value jsonb cannot store (\\u0000, a number beyond numeric)",
    deliberate="nakama-500",
)
async def _(w: Wire) -> None:
    await w.login("alice")
    await put(w, "alice", obj(w, "k", '{"a": "\\u0000"}'))
    await put(w, "alice", obj(w, "k", '{"a": 1e999999}'))


@case("storage: every route wants a session token")
async def _(w: Wire) -> None:
    await w.call("PUT", STORAGE, json={"objects": []})
    await w.call("POST", STORAGE, json={"object_ids": []})
    await w.call("GET", f"{STORAGE}/{col(w)}")
    await w.call("PUT", f"{STORAGE}/delete", json={"object_ids": []})


@case("events: accepted, and what protojson refuses (a non-string property, a bad time)")
async def _(w: Wire) -> None:
    await w.login("alice")
    for body in (
        {"name": "start", "properties": {"level": "3"}},
        {"name": "t", "timestamp": "2026-01-02T03:04:05.250Z", "external": True},
        {},
        {"name": "bad", "properties": {"level": 3}},
        {"name": "bad", "timestamp": "garbage"},
    ):
        await w.call("POST", "/v2/event", json=body, auth="alice")
    await w.call("POST", "/v2/event", json={"name": "x"})


@case("iap: purchase validations on a server without store settings (bodies read first)")
async def _(w: Wire) -> None:
    await w.login("alice")
    for store, good in (
        ("apple", {"receipt": "TUlJ"}),
        ("google", {"purchase": "{}"}),
        ("huawei", {"purchase": "{}", "signature": "c2ln"}),
        ("facebookinstant", {"signedRequest": "a.b"}),
    ):
        path = f"/v2/iap/purchase/{store}"
        for body in (good, {**good, "persist": False}, {}, {"persist": "x"}, {"receipt": 5}):
            await w.call("POST", path, json=body, auth="alice")
        await w.call("POST", path, data=b"x", auth="alice")
        await w.call("POST", path, json=good)


@case("iap: subscriptions: validations, the (empty) list and one (unknown) subscription")
async def _(w: Wire) -> None:
    await w.login("alice")
    for store in ("apple", "google"):
        for body in ({"receipt": "TUlJ"}, {}, {"receipt": 5}, {"persist": None}):
            await w.call("POST", f"/v2/iap/subscription/{store}", json=body, auth="alice")
    for body in ({}, {"limit": 5}, {"limit": "5"}, {"limit": 0}, {"limit": 101}, {"limit": True},
                 {"cursor": ""}, {"cursor": 5}):  # fmt: skip
        await w.call("POST", "/v2/iap/subscription", json=body, auth="alice")
    for product in ("com.example.vip", "apple", "%C3%BC"):
        await w.call("GET", f"/v2/iap/subscription/{product}", auth="alice")
    await w.call("GET", "/v2/iap/subscription/x")


@case("parties: listings find none; Nakama's limit and flag checks")
async def _(w: Wire) -> None:
    await w.login("alice")
    for query in ("", "?limit=1", "?limit=100&open=true", "?open=f&query=label.mode:duel",
                  "?query=(", "?cursor=", "?limit=0", "?limit=101", "?limit=x",
                  "?open=maybe"):  # fmt: skip
        await w.call("GET", f"/v2/party{query}", auth="alice")
    await w.call("GET", "/v2/party")
    await w.call("GET", "/v2/matchmaker/stats")


@case("parties: a cursor the server cannot read", deliberate="nakama-500")
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.call("GET", "/v2/party?cursor=garbage", auth="alice")


# -- running a case ------------------------------------------------------------------------------


def _params() -> list[Any]:
    params = []
    for c in CASES:
        marks: list[pytest.MarkDecorator] = []
        reason = c.diverges
        if c.global_name is not None:
            entry = next((g for g in GLOBAL if g.name == c.global_name), None)
            reason = entry.reason if entry is not None else None
        if reason:
            marks.append(reference_diverges(reason))
        params.append(pytest.param(c, id=c.id, marks=marks))
    return params


@dataclass
class Servers:
    http: aiohttp.ClientSession
    nakama: str
    server_key: str
    http_key: str
    created: list[str] = field(default_factory=list)

    async def rpc(self, name: str, payload: dict[str, Any]) -> None:
        url = f"{self.nakama}/v2/rpc/{name}?http_key={self.http_key}&unwrap"
        async with self.http.post(url, data=json.dumps(payload)) as resp:
            text = await resp.text()
            if resp.status != 200:
                pytest.fail(
                    f"Nakama RPC {name} failed ({resp.status} {text}): does it run "
                    f"tests/nakama/modules, and is {HTTP_KEY_ENV} its runtime.http_key?"
                )

    async def create_boards(self, boards: dict[str, str]) -> None:
        for kind, board_id in boards.items():
            spec = KINDS[kind]
            await self.rpc(
                "gameservices_board_create",
                {
                    "id": board_id,
                    "sort": "desc" if spec.descending else "asc",
                    "operator": LUA_OPERATORS[spec.operator],
                    "reset": spec.reset,
                    "ranks": spec.ranks,
                },
            )
            self.created.append(board_id)


@pytest.fixture
async def servers(request: pytest.FixtureRequest) -> AsyncIterator[Servers]:
    url = nakama_url()
    if url is None:
        pytest.skip(NAKAMA_SKIP_REASON)
    apply_divergence(request)
    async with aiohttp.ClientSession() as http:
        found = Servers(http, url, nakama_server_key(), await resolve_http_key(http, url))
        try:
            yield found
        finally:
            for board_id in found.created:
                await found.rpc("gameservices_board_delete", {"id": board_id})


def _compare(case: Case, nakama: list[Exchange], reference: list[Exchange]) -> None:
    strips = [g.strip for g in GLOBAL if g.name != case.global_name]
    allow_500 = case.deliberate == "nakama-500"
    left, right = [], []
    for i in range(max(len(nakama), len(reference))):
        nk = nakama[i] if i < len(nakama) else {"missing": True}
        ref = reference[i] if i < len(reference) else {"missing": True}
        nk = {k: v for k, v in nk.items() if not k.startswith("_")}
        ref = {k: v for k, v in ref.items() if not k.startswith("_")}
        if "missing" not in nk and "missing" not in ref:
            for strip in strips:
                nk, ref = strip(nk), strip(ref)
            nk, ref = _decoder_wording(nk, ref)
            if allow_500:
                nk, ref = _nakama_500(nk, ref)
        left.append(nk)
        right.append(ref)
    if left != right:
        diff = difflib.unified_diff(
            _pretty(left), _pretty(right), "nakama", "reference", lineterm="", n=4
        )
        pytest.fail(f"{case.id}: the servers answered differently\n" + "\n".join(diff))


def _pretty(exchanges: list[Exchange]) -> list[str]:
    return json.dumps(exchanges, indent=1, sort_keys=True, ensure_ascii=False).splitlines()


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("message"), str) and "code" in body


def _decoder_wording(nk: Exchange, ref: Exchange) -> tuple[Exchange, Exchange]:
    if _is_error(nk["body"]) and _DECODER.match(nk["body"]["message"]):
        nk = {**nk, "body": {**nk["body"], "message": "<decoder error>"}}
        if _is_error(ref["body"]):
            ref = {**ref, "body": {**ref["body"], "message": "<decoder error>"}}
    return nk, ref


def _nakama_500(nk: Exchange, ref: Exchange) -> tuple[Exchange, Exchange]:
    """The allowed difference: Nakama 500 code 13 where the reference server says 400 code 3."""
    nakama_500 = nk["status"] == 500 and _is_error(nk["body"]) and nk["body"]["code"] == 13
    ours_400 = ref["status"] == 400 and _is_error(ref["body"]) and ref["body"]["code"] == 3
    if nakama_500 and ours_400:
        same = {"status": "<nakama 500, reference 400>", "body": "<error>"}
        return {**nk, **same}, {**ref, **same}
    return nk, ref


@pytest.mark.parametrize("case", _params())
async def test_differential(case: Case, servers: Servers, tmp_path: Path) -> None:
    names = Names()
    boards = {kind: f"gsd_{names.case}_{kind}" for kind in case.boards}
    await servers.create_boards(boards)
    nakama = Wire(servers.http, servers.nakama, servers.server_key, boards, names)
    await case.run(nakama)

    overrides = await case.reference(tmp_path) if case.reference is not None else {}
    config = overrides.pop("config", None)
    reference_boards = tuple(
        replace(KINDS[kind].board, id=board_id) for kind, board_id in boards.items()
    ) or (Board("gsd_placeholder"),)
    async with ReferenceServer(
        config, boards=reference_boards, **REFERENCE_LIFETIMES, **overrides
    ) as server:
        reference = Wire(servers.http, server.url, "defaultkey", boards, names)
        await case.run(reference)

    await _dump(case, nakama.exchanges, reference.exchanges)
    if case.check is not None:
        case.check(nakama.exchanges, reference.exchanges)
    else:
        _compare(case, nakama.exchanges, reference.exchanges)


async def _dump(case: Case, nakama: list[Exchange], reference: list[Exchange]) -> None:
    """With GAMESERVICES_DIFFERENTIAL_DUMP=DIR, write each case's raw and normalised exchanges
    (both servers) to DIR/<case>.json: the material for a divergence report."""
    folder = os.environ.get(DUMP_ENV)
    if not folder:
        return
    name = re.sub(r"[^A-Za-z0-9]+", "_", case.id).strip("_") + ".json"
    text = json.dumps(
        {"case": case.id, "diverges": case.diverges, "nakama": nakama, "reference": reference},
        indent=1,
        ensure_ascii=False,
    )

    def write() -> None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_text(text, encoding="utf-8")

    await asyncio.to_thread(write)


def test_the_case_table_is_consistent() -> None:
    """Runs without Nakama: every global divergence has its case, every case a unique id."""
    names = {g.name for g in GLOBAL}
    assert names <= {c.global_name for c in CASES}
    assert all(c.check is not None for c in CASES if c.deliberate not in (None, "nakama-500"))
    assert all(c.deliberate is not None for c in CASES if c.check is not None)
    assert len({c.id for c in CASES}) == len(CASES)
