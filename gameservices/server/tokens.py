"""Session and refresh tokens: HS256 JWTs with Nakama's claims ``exp``, ``uid``, ``usn``, ``vrs``.

Invariants:
- The algorithm is pinned to HS256 on decode, so ``alg: none`` and other algorithms are rejected.
- Session and refresh tokens are signed with different keys derived from one secret, so neither
  can stand in for the other.
- Expiry is judged against the injected clock, never the wall clock.
- Revocation is by token digest; the revoked set is loaded from the store at startup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import jwt

from .._protocol.jwt import token_claims

__all__ = ["Claims", "TokenError", "TokenIssuer", "new_secret", "token_digest"]

_ALGORITHM = "HS256"
_CACHE_SIZE = 50_000


class TokenError(Exception):
    """A token is missing, malformed, forged, expired or revoked (message safe to show)."""


@dataclass(frozen=True)
class Claims:
    """What a verified token says."""

    user_id: str
    username: str
    vars: Mapping[str, str]
    expires_at: int


def token_digest(token: str) -> str:
    """The stored identity of a token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


class TokenIssuer:
    """Issues and verifies token pairs; ``clock`` gives seconds since the epoch."""

    def __init__(
        self,
        secret: str,
        *,
        clock: Callable[[], float],
        token_expiry: int,
        refresh_expiry: int,
        revoked: Iterable[str] = (),
    ) -> None:
        self._session_key = _derive(secret, "session")
        self._refresh_key = _derive(secret, "refresh")
        self._clock = clock
        self._token_expiry = token_expiry
        self._refresh_expiry = refresh_expiry
        self._revoked = set(revoked)
        # Signature checks are the costly part; a verified token's claims are kept (bounded).
        # Expiry and revocation are still judged on every use.
        self._verified: dict[str, tuple[bytes, Claims, str]] = {}

    def __repr__(self) -> str:
        return (
            f"TokenIssuer(token_expiry={self._token_expiry}, refresh_expiry={self._refresh_expiry})"
        )

    def issue(self, user_id: str, username: str, vars_: Mapping[str, str]) -> tuple[str, str]:
        """A fresh (session token, refresh token) pair."""
        now = int(self._clock())
        return (
            self._sign(self._session_key, user_id, username, vars_, now + self._token_expiry),
            self._sign(self._refresh_key, user_id, username, vars_, now + self._refresh_expiry),
        )

    def _sign(
        self, key: bytes, user_id: str, username: str, vars_: Mapping[str, str], exp: int
    ) -> str:
        # tid makes every token distinct, so revoking one never revokes a twin issued in the same
        # second.
        claims = {"tid": uuid.uuid4().hex, **token_claims(user_id, username, vars_, exp)}
        return jwt.encode(claims, key, algorithm=_ALGORITHM)

    def verify_session(self, token: str) -> Claims:
        return self._verify(token, self._session_key, "Auth token invalid")

    def verify_refresh(self, token: str) -> Claims:
        return self._verify(token, self._refresh_key, "Refresh token invalid or expired.")

    def _verify(self, token: str, key: bytes, message: str) -> Claims:
        cached = self._verified.get(token)
        if cached is None or cached[0] != key:
            cached = (key, self._decode(token, key, message), token_digest(token))
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = cached
        _, claims, digest = cached
        if claims.expires_at <= self._clock() or digest in self._revoked:
            raise TokenError(message)
        return claims

    def _decode(self, token: str, key: bytes, message: str) -> Claims:
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[_ALGORITHM],
                # exp is judged below against the injected clock.
                options={"verify_exp": False, "require": ["exp", "uid", "usn"]},
            )
        except jwt.PyJWTError:
            raise TokenError(message) from None
        exp, uid, usn = payload["exp"], payload["uid"], payload["usn"]
        vrs = payload.get("vrs") or {}
        if not (isinstance(exp, int) and isinstance(uid, str) and isinstance(usn, str)):
            raise TokenError(message)
        if not isinstance(vrs, dict):
            raise TokenError(message)
        return Claims(uid, usn, {str(k): str(v) for k, v in vrs.items()}, exp)

    def mark_revoked(self, digests: Iterable[str]) -> None:
        """Called once the revocation is committed to the store."""
        self._revoked.update(digests)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
