"""Session and refresh tokens: HS256 JWTs with Nakama's claims ``tid``, ``uid``, ``usn``,
``vrs``, ``exp``, ``iat``.

Invariants:
- The algorithm is pinned to HS256 on decode, so ``alg: none`` and other algorithms are rejected.
- Session and refresh tokens are signed with different keys derived from one secret, so neither
  can stand in for the other.
- A login mints one ``tid`` (a UUID) and ``iat`` for both its tokens; a refresh keeps them and
  moves both ``exp``, so every token of one login shares its ``tid``.
- Expiry is judged against the injected clock, never the wall clock.
- Revocation: a session token by its digest (a refresh after a session-only logout still gives
  a working token); a refresh token by its ``tid``, so a logout also kills the refresh tokens
  issued before it in that login (as Nakama); every token of a user issued before a given second
  (``user_revocation``: a deleted account), judged as Nakama's session cache judges it (a token
  issued in that same second stays valid). The revoked set is loaded from the store at startup.
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

__all__ = [
    "Claims",
    "TokenError",
    "TokenIssuer",
    "new_secret",
    "refresh_revocation",
    "session_revocation",
    "token_digest",
    "user_revocation",
]

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
    token_id: str = ""
    issued_at: int = 0


def token_digest(token: str) -> str:
    """The stored identity of a token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_revocation(token: str) -> str:
    """The revocation key of a session token: its digest."""
    return token_digest(token)


def refresh_revocation(claims: Claims) -> str:
    """The revocation key of a refresh token: its login's ``tid``."""
    return "refresh-tid:" + claims.token_id


_USER_PREFIX = "user-before:"


def user_revocation(user_id: str, when: int) -> str:
    """The revocation key of every token of ``user_id`` issued before ``when`` (epoch s)."""
    return f"{_USER_PREFIX}{when}:{user_id}"


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
        self._revoked: set[str] = set()
        self._users_revoked: dict[str, int] = {}  # user id -> tokens issued before are dead
        self.mark_revoked(revoked)
        # Signature checks are the costly part; a verified token's claims are kept (bounded).
        # Expiry and revocation are still judged on every use.
        self._verified: dict[str, tuple[bytes, Claims, str]] = {}

    def __repr__(self) -> str:
        return (
            f"TokenIssuer(token_expiry={self._token_expiry}, refresh_expiry={self._refresh_expiry})"
        )

    @property
    def refresh_expiry(self) -> int:
        return self._refresh_expiry

    def issue(
        self, user_id: str, username: str, vars_: Mapping[str, str], login: Claims | None = None
    ) -> tuple[str, str]:
        """A (session token, refresh token) pair: for a new login (a new ``tid``, ``iat`` now),
        or, given the ``login``'s refresh claims, a refreshed pair of that login."""
        now = int(self._clock())
        token_id = login.token_id if login is not None else str(uuid.uuid4())
        issued_at = login.issued_at if login is not None and login.issued_at else now

        def sign(key: bytes, lifetime: int) -> str:
            claims = token_claims(token_id, user_id, username, vars_, now + lifetime, issued_at)
            return jwt.encode(claims, key, algorithm=_ALGORITHM)

        return sign(self._session_key, self._token_expiry), sign(
            self._refresh_key, self._refresh_expiry
        )

    def verify_session(self, token: str) -> Claims:
        claims, key = self._verify(token, self._session_key, "Auth token invalid")
        if key in self._revoked or self._user_revoked(claims, self._token_expiry):
            raise TokenError("Auth token invalid")
        return claims

    def verify_refresh(self, token: str) -> Claims:
        message = "Refresh token invalid or expired."
        claims, _ = self._verify(token, self._refresh_key, message)
        if refresh_revocation(claims) in self._revoked:
            raise TokenError(message)
        if self._user_revoked(claims, self._refresh_expiry):
            raise TokenError(message)
        return claims

    def _user_revoked(self, claims: Claims, lifetime: int) -> bool:
        """Issued (expiry less lifetime, as Nakama reckons it) before the user's revocation."""
        before = self._users_revoked.get(claims.user_id)
        return before is not None and claims.expires_at - lifetime < before

    def read_session(self, token: str) -> Claims:
        """A signed, unexpired session token's claims, revoked or not (what logout checks)."""
        return self._verify(token, self._session_key, "Session token invalid.")[0]

    def read_refresh(self, token: str) -> Claims:
        """A signed, unexpired refresh token's claims, revoked or not (what logout checks)."""
        return self._verify(token, self._refresh_key, "Refresh token invalid.")[0]

    def _verify(self, token: str, key: bytes, message: str) -> tuple[Claims, str]:
        """The claims and the session revocation key (digest) of a signed, unexpired token."""
        cached = self._verified.get(token)
        if cached is None or cached[0] != key:
            cached = (key, self._decode(token, key, message), session_revocation(token))
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = cached
        _, claims, digest = cached
        if claims.expires_at <= self._clock():
            raise TokenError(message)
        return claims, digest

    def _decode(self, token: str, key: bytes, message: str) -> Claims:
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[_ALGORITHM],
                # exp is judged below against the injected clock; iat is never judged (pyjwt
                # would compare it with the wall clock).
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "require": ["exp", "uid", "usn"],
                },
            )
        except jwt.PyJWTError:
            raise TokenError(message) from None
        exp, uid, usn = payload["exp"], payload["uid"], payload["usn"]
        vrs = payload.get("vrs") or {}
        tid, iat = payload.get("tid", ""), payload.get("iat", 0)
        if not (isinstance(exp, int) and isinstance(uid, str) and isinstance(usn, str)):
            raise TokenError(message)
        if not (isinstance(vrs, dict) and isinstance(tid, str) and isinstance(iat, int)):
            raise TokenError(message)
        return Claims(uid, usn, {str(k): str(v) for k, v in vrs.items()}, exp, tid, iat)

    def mark_revoked(self, keys: Iterable[str]) -> None:
        """Called once the revocation (``session_revocation``/``refresh_revocation`` keys) is
        committed to the store."""
        for key in keys:
            if key.startswith(_USER_PREFIX):
                when, _, user_id = key[len(_USER_PREFIX) :].partition(":")
                before = max(int(when), self._users_revoked.get(user_id, 0))
                self._users_revoked[user_id] = before
            else:
                self._revoked.add(key)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
