"""Keep secrets out of logs, reprs and messages: pure helpers.

Rule: anything shaped like a JWT, an ``Authorization`` value, or a password/token JSON field is
replaced by ``***`` before text leaves the library.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["REDACTED", "redact", "redact_headers"]

REDACTED = "***"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_PATTERNS = (
    # JWTs: three base64url parts, the first starting with "eyJ" ('{"' encoded).
    re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*"),
    re.compile(r"(?i)\b(Bearer|Basic)\s+[\w.~+/=-]+"),
    re.compile(r'(?i)("(?:password|token|refresh_token)"\s*:\s*)"[^"]*"'),
)


def _mask(match: re.Match[str]) -> str:
    if match.re is _PATTERNS[1]:
        return f"{match.group(1)} {REDACTED}"
    if match.re is _PATTERNS[2]:
        return f'{match.group(1)}"{REDACTED}"'
    return REDACTED


def redact(text: str) -> str:
    """``text`` with tokens, auth header values and password/token fields masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(_mask, text)
    return text


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credentials masked, fit for a debug log."""
    return {k: (REDACTED if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}
