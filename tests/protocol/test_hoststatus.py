"""Asset host answers: which error, and whether a download retries it (``retry.DOWNLOAD``)."""

from __future__ import annotations

import pytest
from yarl import URL

from gameservices import (
    APIError,
    AuthError,
    ConnectError,
    IntegrityError,
    NotFound,
    ProtocolError,
    RateLimited,
    RetryPolicy,
    ServerError,
)
from gameservices._protocol.hoststatus import status_error
from gameservices._protocol.retry import DOWNLOAD, Retry, decide

URL_ = URL("https://cdn.example/a.pak?X-Amz-Signature=secret")
POLICY = RetryPolicy(base=1.0, cap=8.0, random=lambda: 1.0)


@pytest.mark.parametrize(
    ("status", "cls"),
    [(404, NotFound), (403, AuthError), (401, AuthError), (503, ServerError), (418, APIError)],
)
def test_status_decides_the_error(status: int, cls: type[APIError]) -> None:
    err = status_error(status, {}, URL_)
    assert type(err) is cls
    assert err.status == status
    assert "secret" not in str(err)  # signed query strings stay out of messages


def test_429_carries_retry_after() -> None:
    err = status_error(429, {"Retry-After": "7"}, URL_)
    assert isinstance(err, RateLimited)
    assert err.retry_after == 7


def retry_delay(policy: RetryPolicy, exc: Exception, attempt: int) -> float | None:
    """The download loop's reading of a decision: seconds to wait, or None (give up)."""
    decision = decide(exc, attempt, policy, DOWNLOAD)
    return decision.wait if isinstance(decision, Retry) else None


def test_retry_after_forms_are_read_by_the_one_parser() -> None:
    decimal = status_error(429, {"Retry-After": "1.5"}, URL_)
    assert isinstance(decimal, RateLimited)
    assert decimal.retry_after == 1.5
    date = "Fri, 27 Nov 2026 10:00:00 GMT"
    dated = status_error(429, {"Retry-After": "Fri, 27 Nov 2026 10:00:07 GMT", "Date": date}, URL_)
    assert isinstance(dated, RateLimited)
    assert dated.retry_after == 7.0
    busy = status_error(503, {"Retry-After": "4"}, URL_)
    assert isinstance(busy, ServerError)
    assert busy.retry_after == 4.0
    assert retry_delay(POLICY, busy, 0) == 4.0


def test_transient_failures_retry_and_the_rest_do_not() -> None:
    assert retry_delay(POLICY, ProtocolError("cut short"), 0) == 1.0
    assert retry_delay(POLICY, ConnectError("refused"), 2) == 4.0
    assert retry_delay(POLICY, status_error(503, {}, URL_), 0) == 1.0
    assert retry_delay(POLICY, status_error(429, {"Retry-After": "7"}, URL_), 0) == 7.0
    assert retry_delay(POLICY, status_error(501, {}, URL_), 0) is None
    assert retry_delay(POLICY, status_error(404, {}, URL_), 0) is None
    assert retry_delay(POLICY, IntegrityError("bad hash"), 0) is None
