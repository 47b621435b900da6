"""What an asset host's answer means (pure): the status alone decides the error.

Invariants:
- S3 and CDNs answer with XML or HTML, not Nakama bodies, so only the status (and a 429's or
  503's ``Retry-After``, read by the one parser in ``responses``) goes into the error.
- Signed query strings never reach a message: the URL is named without its query.
- Whether a failed transfer is tried again is ``retry.decide``'s business (``retry.DOWNLOAD``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yarl import URL

from .._exceptions import APIError, AuthError, NotFound, RateLimited, ServerError
from .responses import retry_after_seconds

__all__ = ["status_error"]


def status_error(status: int, headers: Mapping[str, str], url: URL) -> APIError:
    """The error for an asset host's status (S3 and CDNs send XML, so the status decides)."""
    where = str(url.with_query(None))
    context: dict[str, Any] = {"status": status, "method": "GET", "url": where}
    if status == 429:
        wait = retry_after_seconds(headers)
        return RateLimited("the asset host is rate limiting", retry_after=wait, **context)
    if status >= 500:
        wait = retry_after_seconds(headers)
        return ServerError(f"the asset host answered {status}", retry_after=wait, **context)
    if status == 404:
        return NotFound("asset not found on the host", **context)
    if status in (401, 403):
        return AuthError("the asset host refused access (signed URL expired?)", **context)
    return APIError(f"the asset host answered {status}", **context)
