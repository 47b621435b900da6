"""What every answer of the server shares with Nakama's gateway: CORS, Cache-Control,
WWW-Authenticate, routing before auth, 405 with Allow (ours), the health probes, and bodies and
queries read as protojson and grpc-gateway read them (never a 500)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import BASIC, Api

NO_STORE = "no-store, no-cache, must-revalidate"
ORIGIN = {"Origin": "http://game.example"}
DEVICE = "/v2/account/authenticate/device"


def preflight(method: str, headers: str = "") -> dict[str, str]:
    asked = {**ORIGIN, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return asked


@pytest.mark.parametrize(
    ("headers", "status", "answer"),
    [
        (preflight("GET", "authorization,content-type"), 200,
         {"Access-Control-Allow-Headers": "Authorization,Content-Type"}),
        (preflight("POST", "idempotency-key, user-agent"), 200,
         {"Access-Control-Allow-Headers": "Idempotency-Key,User-Agent"}),
        (preflight("DELETE"), 200, {"Access-Control-Allow-Methods": "DELETE"}),
        (preflight("PUT", "accept,origin"), 200, {"Access-Control-Allow-Methods": "PUT"}),
        (preflight("GET", "x-custom"), 403, {}),
        (preflight("PATCH"), 405, {}),
        (preflight("get"), 405, {}),
        (ORIGIN, 400, {}),
        ({}, 200, {}),
    ],
)  # fmt: skip
async def test_preflights_are_answered_before_auth_and_routing(
    api: Api, headers: dict[str, str], status: int, answer: dict[str, str]
) -> None:
    for path in ("/v2/leaderboard/weekly", "/v2/no/such/route"):
        resp = await api.client.options(path, headers=headers)
        assert resp.status == status
        assert await resp.read() == b""
        cors = {k: v for k, v in resp.headers.items() if k.startswith("Access-Control-")}
        if status == 200 and "Origin" in headers:
            answer = {**answer, "Access-Control-Allow-Origin": "*"}
        assert cors == answer
        assert "Cache-Control" not in resp.headers
        assert "Content-Type" not in resp.headers


async def test_answers_to_a_request_with_an_origin_allow_it(api: Api) -> None:
    headers = await api.login("device-cors-000")
    for path, sent in (("/v2/leaderboard/weekly", headers), ("/v2/leaderboard/weekly", {})):
        resp = await api.client.get(path, headers={**sent, **ORIGIN})
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    resp = await api.client.get("/v2/leaderboard/weekly", headers=headers)
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_api_answers_are_never_cached(api: Api) -> None:
    headers = await api.login("device-cache-00")
    for method, path, sent in [
        ("GET", "/v2/leaderboard/weekly", headers),
        ("GET", "/v2/leaderboard/weekly", {}),
        ("GET", "/v2/leaderboard/nope", headers),
        ("GET", "/no/such/route", {}),
        ("GET", "/healthcheck", {}),
    ]:
        resp = await api.client.request(method, path, headers=sent)
        assert resp.headers["Cache-Control"] == NO_STORE, (method, path)


async def test_a_401_repeats_its_message_in_www_authenticate(api: Api) -> None:
    cases: list[tuple[str, dict[str, str], str]] = [
        (DEVICE, {}, "Server key required"),
        (DEVICE, {"Authorization": "basic ZGVmYXVsdGtleTo="}, "Server key invalid"),
        (DEVICE, {"Authorization": "Basic ZGVmYXVsdGtleQ=="}, "Server key invalid"),  # no colon
        ("/v2/leaderboard/weekly", {}, "Auth token required"),
        ("/v2/leaderboard/weekly", {"Authorization": "Bearer "}, "Auth token invalid"),
        ("/v2/leaderboard/weekly", {"Authorization": BASIC}, "Auth token invalid"),
    ]
    for path, headers, message in cases:
        method = "POST" if path == DEVICE else "GET"
        resp = await api.client.request(method, path, headers=headers, json={"id": "device-www-1"})
        assert (resp.status, await resp.json()) == (401, {"code": 16, "message": message})
        assert resp.headers["WWW-Authenticate"] == message


async def test_the_bearer_scheme_is_case_sensitive(api: Api) -> None:
    headers = await api.login("device-bearer-0")
    token = headers["Authorization"].removeprefix("Bearer ")
    for value in ("bearer " + token, "Bearer  " + token, "BEARER " + token):
        resp = await api.client.get("/v2/leaderboard/weekly", headers={"Authorization": value})
        assert resp.status == 401, value


async def test_a_wrong_method_is_405_with_allow_before_auth(api: Api) -> None:
    for method, path, allowed in [
        ("PUT", "/v2/leaderboard/weekly", {"DELETE", "GET", "POST"}),
        ("HEAD", "/v2/leaderboard/weekly", {"DELETE", "GET", "POST"}),
        ("GET", DEVICE, {"POST"}),
        ("POST", "/healthcheck", {"GET"}),
    ]:
        resp = await api.client.request(method, path)  # no credentials: routing comes first
        assert resp.status == 405, (method, path)
        assert set(resp.headers["Allow"].split(",")) == allowed
        if method != "HEAD":
            assert await resp.json() == {"code": 12, "message": "Method Not Allowed"}
    resp = await api.client.get("/v2/no/such/route")
    assert (resp.status, await resp.json()) == (404, {"code": 5, "message": "Not Found"})


async def test_the_health_probes_need_no_credentials(api: Api) -> None:
    resp = await api.client.get("/healthcheck")
    assert (resp.status, await resp.json()) == (200, {})
    resp = await api.client.get("/")
    assert (resp.status, await resp.read()) == (200, b"")
    assert "Content-Type" not in resp.headers


async def test_a_query_that_is_not_utf8_is_400(api: Api) -> None:
    for query in ("username=%FF%FEab", "username=%ED%A0%80ab", "create=%C3"):
        resp = await api.client.post(
            f"{DEVICE}?{query}", json={"id": "device-utf8-0001"}, headers={"Authorization": BASIC}
        )
        assert (resp.status, await resp.json()) == (
            400,
            {"code": 3, "message": "Query string is not valid UTF-8."},
        )


def _nested(depth: int, inner: bytes = b"1") -> bytes:
    return b'{"id": "device-deep-00001", "extra": ' + b"[" * depth + inner + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (_nested(1000), 200),  # deeper than Python's parser goes, within protojson's limit
        (_nested(9000), 200),
        (_nested(10_001), 400),  # "exceeded max depth"
        (_nested(20_000), 400),
        (b'\xef\xbb\xbf{"id": "device-deep-00001"}', 400),  # a byte-order mark
        (b'{"id": "device-deep-00001", "id": "device-deep-00002"}', 400),  # a duplicate key
        (b'{"id": "device-deep-00001", "x": {"k": 1, "k": 2}}', 200),  # unknown: not looked at
        (b'{"id": "device-deep-00001", "vars": {"k": "1", "k": "2"}}', 400),
        (b'{"id": "device-deep-00001", "x": [NaN]}', 400),
        (b'{"id": "device-deep-00001", "x": "\\udc00"}', 400),  # a lone surrogate anywhere
        ('{"id": "device-deep-00001"}'.encode("utf-16"), 400),
        (b'{"id": "device-deep-00001"} trailing', 400),  # ours: Nakama ignores what follows
    ],
)
async def test_bodies_are_read_as_protojson_reads_them(api: Api, data: bytes, status: int) -> None:
    resp = await api.client.post(DEVICE, data=data, headers={"Authorization": BASIC})
    body: Any = await resp.json()
    assert resp.status == status, body
    if status == 400:
        assert body["code"] == 3
