"""decipher_response maps statuses and bodies onto the one error tree, like gidgethub's sansio."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameservices import (
    APIError,
    AuthError,
    Conflict,
    InvalidArgument,
    NotConfigured,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
)
from gameservices._protocol.redact import redact, redact_headers
from gameservices._protocol.responses import (
    decipher_response,
    parse_http_date,
    parse_retry_after,
)

SAMPLES = Path(__file__).parent.parent / "samples" / "handwritten"
JSON = {"Content-Type": "application/json"}


def test_success_returns_the_object() -> None:
    body = (SAMPLES / "record_full.json").read_bytes()
    assert decipher_response(200, JSON, body)["score"] == "1200"
    assert decipher_response(200, {}, b"") == {}


@pytest.mark.parametrize(
    ("status", "sample", "cls", "code"),
    [
        (404, "error_404.json", NotFound, 5),
        (401, "error_401.json", AuthError, 16),
        (400, "error_400.json", InvalidArgument, 3),
    ],
)
def test_nakama_errors(status: int, sample: str, cls: type[APIError], code: int) -> None:
    body = (SAMPLES / sample).read_bytes()
    headers = {**JSON, "X-Request-Id": "req-1"}
    with pytest.raises(cls) as info:
        decipher_response(status, headers, body, method="GET", url="http://h/v2/leaderboard/x")
    err = info.value
    assert (err.status, err.code, err.request_id, err.method) == (status, code, "req-1", "GET")
    assert str(err).startswith(f"HTTP {status}, code {code}: ")


def test_invalid_argument_is_also_value_error() -> None:
    with pytest.raises(ValueError, match="limit"):
        decipher_response(400, JSON, (SAMPLES / "error_400.json").read_bytes())


@pytest.mark.parametrize(
    "message", ["Apple IAP is not configured.", "Steam authentication is not configured."]
)
def test_a_provider_without_settings_is_not_configured(message: str) -> None:
    body = f'{{"code":9,"message":"{message}"}}'.encode()
    with pytest.raises(NotConfigured, match=message) as info:
        decipher_response(400, JSON, body)
    assert not isinstance(info.value, ValueError)  # the operator's fault, not the caller's


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, '{"code":9,"message":"Tournament has reached max size."}'),  # another precondition
        (400, '{"code":3,"message":"Apple IAP is not configured."}'),
    ],
)
def test_other_failed_preconditions_stay_invalid_argument(status: int, body: str) -> None:
    with pytest.raises(InvalidArgument):
        decipher_response(status, JSON, body.encode())


def test_html_error_page_maps_by_status_without_its_text() -> None:
    body = (SAMPLES / "error_502.html").read_bytes()
    with pytest.raises(ServerError) as info:
        decipher_response(502, {"Content-Type": "text/html"}, body)
    assert info.value.code is None
    assert "nginx" not in str(info.value)
    assert "text/html" in str(info.value)


@pytest.mark.parametrize(("status", "cls"), [(409, Conflict), (403, AuthError), (418, APIError)])
def test_other_statuses(status: int, cls: type[APIError]) -> None:
    with pytest.raises(cls):
        decipher_response(status, JSON, b'{"code":6,"message":"taken"}')


def test_rate_limited_carries_retry_after_seconds_or_date() -> None:
    with pytest.raises(RateLimited) as info:
        decipher_response(429, {**JSON, "Retry-After": "3"}, b"{}")
    assert info.value.retry_after == 3.0
    headers = {
        "Retry-After": "Fri, 27 Nov 2026 10:00:07 GMT",
        "Date": "Fri, 27 Nov 2026 10:00:00 GMT",
    }
    with pytest.raises(RateLimited) as info:
        decipher_response(429, headers, b"")
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"{garbage", JSON),
        (b"[1, 2]", JSON),
        (b"<html>hi</html>", {"Content-Type": "text/html"}),
        (b"\xff\xfe", JSON),
    ],
)
def test_unusable_success_bodies(body: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(ProtocolError):
        decipher_response(200, headers, body)


def test_retry_after_forms() -> None:
    now = parse_http_date("Fri, 27 Nov 2026 10:00:00 GMT")
    assert now is not None
    assert parse_retry_after("120", now=None) == 120.0
    assert parse_retry_after("Fri, 27 Nov 2026 10:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Fri, 27 Nov 2026 09:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("Fri, 27 Nov 2026 10:01:00 GMT", now=None) is None
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(" 1.5 ", now=None) == 1.5  # a decimal, as some proxies send
    for garbage in ("inf", "nan", "-5", "1e3", "\uff11\uff12"):  # no sign, exponent or other digits
        assert parse_retry_after(garbage, now=now) is None
    assert parse_retry_after(None, now=now) is None
    assert parse_http_date("not a date") is None


def test_redaction() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOiJ4In0.sig-nature_1"
    text = f'Authorization: Bearer {jwt} {{"password": "hunter22", "token": "abc"}} {jwt}'
    out = redact(text)
    assert jwt not in out
    assert "hunter22" not in out
    assert '"token": "***"' in out
    assert redact_headers({"Authorization": "Basic x", "Accept": "a"}) == {
        "Authorization": "***",
        "Accept": "a",
    }
