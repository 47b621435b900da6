"""Read JWT claims without verifying them: a pure function.

Why by hand, not pyjwt: the runtime dependencies stay aiohttp + yarl (the package installs into
Blender's bundled Python), and the client never verifies signatures, because it does not hold the
server's secret; only the server (which does use pyjwt) can. Reading claims is base64url + JSON,
a dozen lines. The claims are hints for scheduling a refresh; the server stays the judge.
``token_claims`` is the other direction: the payload the reference server signs.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._checks import is_number

__all__ = ["MAX_EXP", "TokenClaims", "decode_claims", "token_claims"]

# 9999-12-31T23:59:59Z, the last second a datetime holds: a later exp cannot be a real expiry,
# and datetime.fromtimestamp would raise OverflowError or OSError on it.
MAX_EXP = 253_402_300_799


@dataclass(frozen=True)
class TokenClaims:
    """What a Nakama session token says: ``exp`` (epoch seconds), ``uid``, ``usn``, ``vrs``."""

    exp: float = 0.0
    user_id: str = ""
    username: str = ""
    vars: dict[str, str] = field(default_factory=dict)


def _payload(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("token is not a JWT (expected three dot-separated parts)")
    raw = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError, RecursionError):
        raise ValueError("token payload is not base64url JSON") from None
    if not isinstance(claims, dict):
        raise ValueError("token payload is not a JSON object")
    return claims


def decode_claims(token: str) -> TokenClaims:
    """The claims of a JWT; ValueError (without the token text) if it is malformed."""
    claims = _payload(token)
    exp = claims.get("exp", 0)
    if not is_number(exp):
        raise ValueError("token exp claim is not a number")
    if not (math.isfinite(exp) and 0 <= exp <= MAX_EXP):
        raise ValueError(f"token exp claim is out of range (0 to {MAX_EXP})")
    vrs = claims.get("vrs") or {}
    if not isinstance(vrs, dict):
        raise ValueError("token vrs claim is not an object")
    return TokenClaims(
        exp=float(exp),
        user_id=str(claims.get("uid", "")),
        username=str(claims.get("usn", "")),
        vars={str(k): str(v) for k, v in vrs.items()},
    )


def token_claims(
    token_id: str,
    user_id: str,
    username: str,
    vars: Mapping[str, str],
    exp: int,
    issued_at: int,
) -> dict[str, Any]:
    """Nakama's claims for a server to sign, in Nakama's order: ``tid`` (one UUID for the
    session and refresh token of a login, kept by refreshes, as ``iat`` is), ``uid``, ``usn``,
    ``vrs`` (left out when empty), ``exp``, ``iat``."""
    claims: dict[str, Any] = {"tid": token_id, "uid": user_id, "usn": username}
    if vars:
        claims["vrs"] = dict(vars)
    claims["exp"] = exp
    claims["iat"] = issued_at
    return claims
