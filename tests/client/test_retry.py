"""retry_delay: which failures are resent, after how long, and which become OutcomeUnknown."""

from __future__ import annotations

import pytest

from gameservices import (
    AuthError,
    ConnectError,
    GameServicesError,
    InvalidArgument,
    OutcomeUnknown,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
    ServerError,
    TransportError,
)
from gameservices._client.retry import retry_delay
from gameservices._protocol import api

POLICY = RetryPolicy(max_attempts=4, base=0.5, cap=8.0, random=lambda: 1.0)
GET = api.list_records("weekly")
BEST = api.write_record("weekly", 1, operator="best")
INCR = api.write_record("kills", 1, operator="incr", idempotency_key="key-1")


def server_error(status: int) -> ServerError:
    return ServerError("boom", status=status)


@pytest.mark.parametrize("req", [GET, BEST, INCR])
def test_connect_errors_always_retry_with_full_jitter_backoff(req: api.Request) -> None:
    exc = ConnectError("refused")
    assert [retry_delay(req, exc, n, POLICY, False) for n in range(3)] == [0.5, 1.0, 2.0]
    with pytest.raises(ConnectError):
        retry_delay(req, exc, 3, POLICY, False)


def test_backoff_is_capped_and_jittered() -> None:
    draws = iter([0.25, 0.5])
    policy = RetryPolicy(max_attempts=10, base=0.5, cap=8.0, random=lambda: next(draws))
    assert retry_delay(GET, ConnectError("x"), 8, policy, False) == 2.0  # 0.25 * cap
    assert retry_delay(GET, ConnectError("x"), 0, policy, False) == 0.25


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_idempotent_calls_retry_5xx(status: int) -> None:
    assert retry_delay(GET, server_error(status), 0, POLICY, False) == 0.5
    assert retry_delay(BEST, server_error(status), 1, POLICY, False) == 1.0


def test_501_is_not_retried() -> None:
    with pytest.raises(ServerError):
        retry_delay(GET, server_error(501), 0, POLICY, False)


@pytest.mark.parametrize(
    "exc", [server_error(503), RequestTimeout("slow"), TransportError("lost"), ProtocolError("bad")]
)
def test_unsafe_write_without_key_support_is_outcome_unknown(exc: GameServicesError) -> None:
    with pytest.raises(OutcomeUnknown) as info:
        retry_delay(INCR, exc, 0, POLICY, keys_honoured=False)
    assert info.value.idempotency_key == "key-1"
    assert info.value.__cause__ is exc


@pytest.mark.parametrize("exc", [server_error(503), RequestTimeout("slow"), TransportError("x")])
def test_unsafe_write_retries_once_keys_are_honoured(exc: GameServicesError) -> None:
    assert retry_delay(INCR, exc, 0, POLICY, keys_honoured=True) == 0.5
    with pytest.raises(OutcomeUnknown):
        retry_delay(INCR, exc, 3, POLICY, keys_honoured=True)  # attempts spent: still unknown


def test_rate_limited_honours_retry_after() -> None:
    hinted = RateLimited("slow down", retry_after=7.0, status=429)
    assert retry_delay(INCR, hinted, 0, POLICY, False) == 7.0  # a 429 never applied the write
    unhinted = RateLimited("slow down", retry_after=None, status=429)
    assert retry_delay(GET, unhinted, 1, POLICY, False) == 1.0
    with pytest.raises(RateLimited):
        retry_delay(GET, RateLimited("later", retry_after=3600.0, status=429), 0, POLICY, False)
    with pytest.raises(RateLimited):
        retry_delay(GET, hinted, 3, POLICY, False)


@pytest.mark.parametrize(
    "exc",
    [
        InvalidArgument("bad", status=400),
        AuthError("who", status=401),
        ProtocolError("garbage"),
    ],
)
def test_caller_and_protocol_errors_are_raised_as_is_for_idempotent(exc: GameServicesError) -> None:
    with pytest.raises(type(exc)):
        retry_delay(GET, exc, 0, POLICY, True)


def test_timeouts_on_idempotent_calls_retry_then_raise() -> None:
    assert retry_delay(GET, RequestTimeout("slow"), 2, POLICY, False) == 2.0
    with pytest.raises(RequestTimeout):
        retry_delay(GET, RequestTimeout("slow"), 3, POLICY, False)
