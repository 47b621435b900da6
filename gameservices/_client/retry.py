"""When to resend a request, and after how long: a pure decision over one failure.

Rule 1: a request that never left (``ConnectError``) or was refused for rate (429) is always safe
        to resend; 429 waits ``Retry-After`` when the server gives it.
Rule 2: timeouts, lost connections and 500/502/503/504 are resent only when a resend cannot apply a
        write twice: the request is idempotent, or it carries a key the server has shown it honours.
Rule 3: otherwise a write whose outcome is unknown raises ``OutcomeUnknown`` carrying its key.
Rule 4: anything else (4xx, bad bodies) is raised as it is, except that once an earlier attempt of
        a non-idempotent write may have applied, every final failure is ``OutcomeUnknown``.
"""

from __future__ import annotations

from .._config import RetryPolicy
from .._exceptions import (
    ConnectError,
    GameServicesError,
    OutcomeUnknown,
    ProtocolError,
    RateLimited,
    ServerError,
    TransportError,
)
from .._protocol.api import Request
from .._protocol.hoststatus import RETRY_STATUSES  # one list for API calls and asset hosts

__all__ = ["MAX_RETRY_AFTER", "RETRY_STATUSES", "ambiguous", "retry_delay"]

# A longer Retry-After is handed to the caller (RateLimited.retry_after) rather than slept on.
MAX_RETRY_AFTER = 60.0


def _unknown(req: Request, exc: GameServicesError) -> OutcomeUnknown:
    return OutcomeUnknown(
        f"{req.method} {req.path}: the write may or may not have applied ({exc}); "
        "resend with the same idempotency key to apply it at most once",
        idempotency_key=req.idempotency_key,
    )


def ambiguous(exc: GameServicesError) -> bool:
    """The request may have reached the server, and we do not know what it did."""
    if isinstance(exc, ServerError):
        return exc.status in RETRY_STATUSES
    return isinstance(exc, TransportError) and not isinstance(exc, (ConnectError, ProtocolError))


def retry_delay(
    req: Request,
    exc: GameServicesError,
    attempt: int,
    policy: RetryPolicy,
    keys_honoured: bool,
    maybe_applied: bool = False,
) -> float:
    """Seconds to wait before resending ``req`` after ``exc`` on 0-based ``attempt``.

    Raises the error to hand to the caller instead when ``req`` must not (or can no longer) be
    resent. ``maybe_applied``: an earlier attempt was ambiguous (see Rule 4).
    """
    try:
        return _delay(req, exc, attempt, policy, keys_honoured)
    except OutcomeUnknown:
        raise
    except GameServicesError as final:
        if maybe_applied and not req.idempotent:
            raise _unknown(req, final) from final
        raise


def _delay(
    req: Request, exc: GameServicesError, attempt: int, policy: RetryPolicy, keys_honoured: bool
) -> float:
    safe = req.idempotent or (req.idempotency_key is not None and keys_honoured)
    last = attempt + 1 >= policy.max_attempts
    if isinstance(exc, RateLimited):
        wait = exc.retry_after
        if last or (wait is not None and wait > MAX_RETRY_AFTER):
            raise exc
        return policy.backoff(attempt) if wait is None else wait
    if isinstance(exc, ConnectError):
        if last:
            raise exc
        return policy.backoff(attempt)
    if not ambiguous(exc):
        if isinstance(exc, ProtocolError) and not req.idempotent:
            raise _unknown(req, exc) from exc  # an answer we cannot read: did it apply?
        raise exc
    if not safe or last:
        if req.idempotent:
            raise exc
        raise _unknown(req, exc) from exc
    return policy.backoff(attempt)
