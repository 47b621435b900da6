"""The one retry decision: which failures are resent, after how long, and which become
OutcomeUnknown, for every loop (API calls, assets, the outbox), over plain values."""

from __future__ import annotations

import pytest

from gameservices import (
    APIError,
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
from gameservices._protocol import api
from gameservices._protocol.responses import decipher_response
from gameservices._protocol.retry import (
    DOWNLOAD,
    MAX_RETRY_AFTER,
    OUTBOX,
    GiveUp,
    Kind,
    Operation,
    Retry,
    decide,
    for_request,
    kind,
)

POLICY = RetryPolicy(max_attempts=4, base=0.5, cap=8.0, random=lambda: 1.0)
GET = api.list_records("weekly")
BEST = api.write_record("weekly", 1, operator="best")
INCR = api.write_record("kills", 1, operator="incr", idempotency_key="key-1")


def server_error(status: int) -> ServerError:
    return ServerError("boom", status=status)


def retry_delay(
    req: api.Request,
    exc: GameServicesError,
    attempt: int,
    policy: RetryPolicy,
    keys_honoured: bool,
    maybe_applied: bool = False,
) -> float:
    """The API loop's reading of a decision: the wait, or the error raised as the loop does."""
    op = for_request(req, keys_honoured=keys_honoured, maybe_applied=maybe_applied)
    decision = decide(exc, attempt, policy, op)
    if isinstance(decision, GiveUp):
        raise decision.error from decision.error.__cause__
    return decision.wait


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


def test_a_write_that_may_have_applied_gives_up_as_outcome_unknown() -> None:
    # An earlier attempt timed out; this one is refused: did the first one apply? Unknown.
    refused = InvalidArgument("bad", status=400)
    with pytest.raises(OutcomeUnknown) as info:
        retry_delay(INCR, refused, 1, POLICY, keys_honoured=True, maybe_applied=True)
    assert info.value.__cause__ is refused
    assert info.value.idempotency_key == "key-1"
    with pytest.raises(InvalidArgument):  # a read never becomes OutcomeUnknown
        retry_delay(GET, refused, 1, POLICY, keys_honoured=True, maybe_applied=True)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ConnectError("refused"), Kind.NOT_SENT),
        (RateLimited("slow", status=429), Kind.THROTTLED),
        (RequestTimeout("slow"), Kind.MAYBE_APPLIED),
        (TransportError("lost"), Kind.MAYBE_APPLIED),
        (OutcomeUnknown("lost"), Kind.MAYBE_APPLIED),
        (server_error(503), Kind.MAYBE_APPLIED),
        (server_error(501), Kind.REFUSED),
        (ProtocolError("cut short"), Kind.UNREADABLE),
        (InvalidArgument("bad", status=400), Kind.REFUSED),
        (KeyError("a bug"), Kind.OTHER),
    ],
)
def test_what_a_failure_says(exc: BaseException, expected: Kind) -> None:
    assert kind(exc) is expected


def test_retry_after_is_a_floor_on_the_wait_for_429_and_503() -> None:
    policy = RetryPolicy(max_attempts=9, base=0.5, cap=8.0, random=lambda: 1.0)
    short = RateLimited("slow", retry_after=0.1, status=429)
    assert decide(short, 4, policy) == Retry(8.0)  # the backoff is longer: it wins
    busy = ServerError("down", retry_after=5.0, status=503)
    assert decide(busy, 0, policy) == Retry(5.0)


def test_one_retry_after_cap_every_loop_a_caller_waits_on() -> None:
    long = RateLimited("later", retry_after=MAX_RETRY_AFTER + 1, status=429)
    just = RateLimited("soon", retry_after=MAX_RETRY_AFTER, status=429)
    for op in (Operation(), DOWNLOAD, for_request(INCR, keys_honoured=True, maybe_applied=False)):
        assert decide(long, 0, POLICY, op) == GiveUp(long)
        assert decide(just, 0, POLICY, op) == Retry(MAX_RETRY_AFTER)
    assert decide(long, 0, POLICY, OUTBOX) == Retry(MAX_RETRY_AFTER + 1)  # nobody waits on it


def test_downloads_resume_a_body_cut_short() -> None:
    cut = ProtocolError("the body was cut short")
    assert decide(cut, 0, POLICY, DOWNLOAD) == Retry(0.5)
    assert decide(cut, 3, POLICY, DOWNLOAD) == GiveUp(cut)  # attempts spent
    assert decide(cut, 0, POLICY) == GiveUp(cut)  # an API answer we cannot read is final


@pytest.mark.parametrize("status", [400, 403, 404, 409, 413])
def test_the_outbox_gives_up_only_on_a_lasting_refusal(status: int) -> None:
    refused = APIError("no", status=status)
    assert decide(refused, 0, POLICY, OUTBOX) == GiveUp(refused)


@pytest.mark.parametrize(
    "exc",
    [
        AuthError("who", status=401),
        APIError("slow", status=408),
        RateLimited("slow", status=429),
        server_error(501),
        OutcomeUnknown("lost"),
        ProtocolError("garbage"),
        KeyError("a bug is retried, not dropped"),
    ],
)
def test_the_outbox_retries_everything_else_for_ever(exc: Exception) -> None:
    assert decide(exc, 10_000, POLICY, OUTBOX) == Retry(8.0)  # past max_attempts, at the cap


def test_backoff_stays_finite_for_any_attempt() -> None:
    assert RetryPolicy(random=lambda: 1.0).backoff(10**6) == 8.0


def test_the_decision_reads_a_503_retry_after_from_the_response() -> None:
    headers = {"Content-Type": "application/json", "Retry-After": "3"}
    with pytest.raises(ServerError) as info:
        decipher_response(503, headers, b'{"code": 14, "message": "down"}')
    assert info.value.retry_after == 3.0
    assert decide(info.value, 0, POLICY) == Retry(3.0)
