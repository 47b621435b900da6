"""Idempotency keys on writes and deletes: applied at most once per (user, key) for a TTL.

Invariants:
- The stored response is written in the same transaction as the write it describes, so after a
  crash either both exist or neither does.
- A claim carries a digest of method, path and body; the same key with another digest is a 409.
- Expiry is judged with the injected clock; expired rows are ignored and purged.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from .._protocol.headers import IDEMPOTENCY_HEADER, check_idempotency_key
from .._protocol.wire import GrpcCode
from .errors import ApiFailure

__all__ = [
    "IdempotencyClaim",
    "parse_key",
    "purge_expired",
    "remember",
    "replay_of",
    "request_hash",
]


@dataclass(frozen=True)
class IdempotencyClaim:
    user_id: str
    key: str
    request_hash: str
    now: float
    ttl: float


def parse_key(value: str | None) -> str | None:
    """The header value, or None if absent; a malformed key is the client's fault (400)."""
    if value is None:
        return None
    try:
        return check_idempotency_key(value)
    except ValueError as exc:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, str(exc)) from None


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def replay_of(conn: sqlite3.Connection, claim: IdempotencyClaim | None) -> str | None:
    """The stored body if this claim was already applied; 409 if the key was used otherwise."""
    if claim is None:
        return None
    row = conn.execute(
        "SELECT request_hash, body, created FROM idempotency WHERE user_id = ? AND key = ?",
        (claim.user_id, claim.key),
    ).fetchone()
    if row is None or row[2] + claim.ttl <= claim.now:
        return None
    if row[0] != claim.request_hash:
        raise ApiFailure(
            GrpcCode.ALREADY_EXISTS,
            f"{IDEMPOTENCY_HEADER} was already used with a different request.",
        )
    return str(row[1])


def remember(
    conn: sqlite3.Connection, claim: IdempotencyClaim | None, status: int, body: str
) -> None:
    if claim is None:
        return
    conn.execute(
        "INSERT OR REPLACE INTO idempotency(user_id, key, request_hash, status, body, created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (claim.user_id, claim.key, claim.request_hash, status, body, claim.now),
    )


def purge_expired(conn: sqlite3.Connection, now: float, ttl: float) -> int:
    return conn.execute("DELETE FROM idempotency WHERE created <= ?", (now - ttl,)).rowcount
