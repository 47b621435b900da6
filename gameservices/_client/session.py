"""The player's session: both tokens and what their claims say, plus its file in ``data_dir``.

Rule 1: a ``Session`` is immutable; a refresh makes a new one. Tokens never appear in ``repr``.
Rule 2: the file is JSON holding only the two tokens and ``created``; everything else is decoded
        from the tokens again on load, so the file cannot disagree with them.
Rule 3: the file is written atomically (temp file, fsync, ``os.replace``, directory fsync) with
        mode 0600, always off the loop thread; saves are serialised so the newest one wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._exceptions import ProtocolError, StorageError
from .._protocol.jwt import decode_claims

__all__ = ["SESSION_FILE", "Session", "SessionStore", "write_private"]

SESSION_FILE = "session.json"
_FORMAT = 1


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


@dataclass(frozen=True)
class Session:
    """An authenticated player: tokens, identity and expiry times (UTC), decoded from the JWTs."""

    token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    user_id: str
    username: str
    vars: Mapping[str, str]
    expires_at: datetime
    refresh_expires_at: datetime
    created: bool = False

    @classmethod
    def from_tokens(cls, token: str, refresh_token: str, *, created: bool = False) -> Session:
        """Decode both JWTs (claims only; the server verifies). ProtocolError if malformed."""
        try:
            claims, refresh = decode_claims(token), decode_claims(refresh_token)
        except ValueError as exc:
            raise ProtocolError(f"the server sent an unreadable session token: {exc}") from None
        return cls(
            token=token,
            refresh_token=refresh_token,
            user_id=claims.user_id,
            username=claims.username,
            vars=claims.vars,
            expires_at=_utc(claims.exp),
            refresh_expires_at=_utc(refresh.exp),
            created=created,
        )

    def expires_within(self, seconds: float, now: float) -> bool:
        """True if the session token expires within ``seconds`` of ``now`` (server epoch time)."""
        return self.expires_at.timestamp() - now <= seconds

    def refresh_expired(self, now: float) -> bool:
        return self.refresh_expires_at.timestamp() <= now

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "token": self.token,
            "refresh_token": self.refresh_token,
            "created": self.created,
        }

    @classmethod
    def from_json(cls, data: object) -> Session:
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a gameservices session file")
        token, refresh = data.get("token"), data.get("refresh_token")
        if not isinstance(token, str) or not isinstance(refresh, str):
            raise ValueError("session file lacks its tokens")
        return cls.from_tokens(token, refresh, created=bool(data.get("created", False)))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # os.write may write less than asked (signals, some filesystems)
        view = view[os.write(fd, view) :]


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600 (blocking: run it in a thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):  # POSIX (and 3.13+ Windows): O_CREAT's mode is umask-masked
            os.fchmod(fd, 0o600)
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:  # any failure: no half-written temp file is left behind; re-raised
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.close(fd)
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # not every platform can fsync a directory
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _read(path: Path) -> Session | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return Session.from_json(json.loads(raw))
    except (ValueError, RecursionError, ProtocolError):
        return None  # a damaged file is no session: log in again


class SessionStore:
    """``data_dir/session.json``; every method runs its file work in a thread."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SESSION_FILE
        self._lock: asyncio.Lock | None = None

    async def save(self, session: Session | None) -> None:
        """Write ``session`` (or remove the file for None), atomically, mode 0600."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            try:
                if session is None:
                    await asyncio.to_thread(self.path.unlink, missing_ok=True)
                else:
                    data = json.dumps(session.to_json()).encode()
                    await asyncio.to_thread(write_private, self.path, data)
            except OSError as exc:
                raise StorageError(f"cannot write the session file {self.path}: {exc}") from exc

    async def load(self) -> Session | None:
        try:
            return await asyncio.to_thread(_read, self.path)
        except OSError as exc:
            raise StorageError(f"cannot read the session file {self.path}: {exc}") from exc
