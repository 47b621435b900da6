"""What an asset host's answer means, and whether a failed transfer is worth another try (pure).

Invariants:
- The status alone decides the error: S3 and CDNs answer with XML or HTML, not Nakama bodies.
- Downloads differ from API calls: a GET of a file is always safe to resend, and a body cut
  short (``ProtocolError``) or a lost connection is the normal case for a resume, so every
  ``TransportError`` is transient here; 4xx other than 429 never is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from yarl import URL

from .._exceptions import (
    APIError,
    AuthError,
    GameServicesError,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
)

__all__ = ["RETRY_STATUSES", "Backoff", "retry_delay", "status_error"]

RETRY_STATUSES = frozenset({500, 502, 503, 504})


class Backoff(Protocol):
    """The part of ``RetryPolicy`` this module needs (``_protocol`` imports no asyncio)."""

    def backoff(self, attempt: int) -> float: ...


def retry_delay(policy: Backoff, exc: GameServicesError, attempt: int) -> float | None:
    """Seconds to wait before retrying after ``exc``, or None when it is not transient."""
    if isinstance(exc, APIError) and not isinstance(exc, (ServerError, RateLimited)):
        return None
    if isinstance(exc, ServerError) and exc.status not in RETRY_STATUSES:
        return None
    if not isinstance(exc, (TransportError, APIError)):
        return None
    delay = policy.backoff(attempt)
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        delay = max(delay, exc.retry_after)
    return delay


def status_error(status: int, headers: Mapping[str, str], url: URL) -> APIError:
    """The error for an asset host's status (S3 and CDNs send XML, so the status decides)."""
    where = str(url.with_query(None))
    if status == 429:
        retry_after = _retry_after(headers)
        return RateLimited(
            "the asset host is rate limiting",
            retry_after=retry_after,
            status=429,
            method="GET",
            url=where,
        )
    cls: type[APIError] = APIError
    message = f"the asset host answered {status}"
    if status == 404:
        cls, message = NotFound, "asset not found on the host"
    elif status in (401, 403):
        cls, message = AuthError, "the asset host refused access (signed URL expired?)"
    elif status >= 500:
        cls = ServerError
    return cls(message, status=status, method="GET", url=where)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None
