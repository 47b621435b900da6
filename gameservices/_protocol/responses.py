"""Turn an HTTP response into data or an exception from the tree: pure functions, no I/O.

Rule 1: ``decipher_response`` returns the decoded JSON object of a 2xx answer (``{}`` when empty).
Rule 2: any other status raises the matching ``APIError`` subclass, carrying status, server code,
        message, method, url and request id. A body that is not Nakama's error JSON (an HTML page
        from a proxy) still maps by status, and its text never reaches the message.
        A 400 with code 9 whose message ends in "is not configured." (Nakama's words for a
        provider without settings: an IAP store, Apple or Steam login) is ``NotConfigured``.
Rule 3: a 2xx that is not JSON, not an object or not decodable raises ``ProtocolError``.
Rule 4: time values come from headers (``Date``, ``Retry-After``), never from a clock read here.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Mapping
from datetime import timezone
from typing import Any

from yarl import URL

from .._checks import is_int
from .._exceptions import (
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
from .fields import loads

__all__ = [
    "REQUEST_ID_HEADERS",
    "decipher_response",
    "format_retry_after",
    "parse_http_date",
    "parse_retry_after",
    "retry_after_seconds",
]

_DELAY = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # ASCII digits only (\d matches other scripts)
REQUEST_ID_HEADERS = ("X-Request-Id", "X-Request-ID", "X-Amzn-Trace-Id")
_ERRORS: Mapping[int, type[APIError]] = {
    400: InvalidArgument,
    401: AuthError,
    403: AuthError,
    404: NotFound,
    409: Conflict,
    413: InvalidArgument,
}
_FAILED_PRECONDITION = 9
_NOT_CONFIGURED = " is not configured."


def parse_http_date(value: str | None) -> float | None:
    """An HTTP date (``Date``, ``Retry-After``) as epoch seconds, or None if absent or bad."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; obsolete forms may lack the zone
        return moment.replace(tzinfo=timezone.utc).timestamp()
    return moment.timestamp()


def parse_retry_after(value: str | None, *, now: float | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, the one parser of the package.

    Delay-seconds (RFC 9110: digits; a decimal such as ``"1.5"`` is accepted too) or an HTTP
    date, relative to ``now`` (the server's ``Date``). A date in the past gives 0; garbage, a
    sign, ``inf``, or a date without ``now`` gives None (no hint: plain backoff).
    """
    if not value:
        return None
    text = value.strip()
    if _DELAY.fullmatch(text):
        return float(text)
    moment = parse_http_date(text)
    if moment is None or now is None:
        return None
    return max(0.0, moment - now)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The ``Retry-After`` of a response, dates judged by its own ``Date`` header (else ``now``)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    return parse_retry_after(value, now=parse_http_date(headers.get("Date")) or now)


def format_retry_after(seconds: float) -> str:
    """``Retry-After`` as a server sends it: whole delta-seconds, rounded up, never negative."""
    return str(max(0, math.ceil(seconds)))


def _header(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None


def _is_json(headers: Mapping[str, str]) -> bool:
    ctype = headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def _error_fields(headers: Mapping[str, str], body: bytes) -> tuple[int | None, str | None]:
    if not body or not _is_json(headers):
        return None, None
    try:
        data = loads(body.decode())
    except ValueError:  # not JSON, not UTF-8 or nested too deeply: an error without fields
        return None, None
    if not isinstance(data, dict):
        return None, None
    code, message = data.get("code"), data.get("message")
    code = code if is_int(code) else None
    return code, message if isinstance(message, str) else None


def _redirect_message(status: int, headers: Mapping[str, str], method: str, url: str) -> str:
    """A redirect that reached the caller: the transport follows a GET anywhere and any request
    on its own origin, so this one pointed a write at another origin (or nowhere)."""
    location = headers.get("Location")
    if not location:
        return f"the server redirected ({status}) without a Location"
    try:
        target = URL(url).join(URL(location))
    except ValueError:
        return f"the server redirected ({status}) to an unreadable Location"
    where = target.with_query(None).with_fragment(None)
    return (
        f"the server redirected this {method or 'request'} ({status}) to another origin, {where}; "
        "not followed: a request that is not a GET is never re-sent to another origin (point "
        "the client at the server that answers)"
    )


def _api_error(
    status: int, headers: Mapping[str, str], body: bytes, method: str, url: str, now: float | None
) -> APIError:
    code, message = _error_fields(headers, body)
    if 300 <= status < 400:
        message = _redirect_message(status, headers, method, url)
    elif message is None:
        kind = headers.get("Content-Type", "no content type").split(";", 1)[0]
        message = f"server answered without a Nakama error body ({kind})"
    context: dict[str, Any] = {
        "status": status,
        "code": code,
        "method": method,
        "url": url,
        "request_id": _header(headers, REQUEST_ID_HEADERS),
    }
    if status == 429:
        return RateLimited(message, retry_after=retry_after_seconds(headers, now), **context)
    if status >= 500:
        return ServerError(message, retry_after=retry_after_seconds(headers, now), **context)
    if status == 400 and code == _FAILED_PRECONDITION and message.endswith(_NOT_CONFIGURED):
        return NotConfigured(message, **context)
    return _ERRORS.get(status, APIError)(message, **context)


def decipher_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str = "",
    url: str = "",
    now: float | None = None,
) -> dict[str, Any]:
    """The JSON object of a 2xx response; otherwise raise the matching error (see Rules)."""
    if not 200 <= status < 300:
        raise _api_error(status, headers, body, method, url, now)
    if not body or body.isspace():
        return {}
    if not _is_json(headers):
        kind = headers.get("Content-Type", "none")
        raise ProtocolError(f"{method} {url}: expected JSON, got content type {kind!r}")
    try:
        data = loads(body.decode())
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise ProtocolError(f"{method} {url}: response is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{method} {url}: expected a JSON object, got {type(data).__name__}")
    return data
