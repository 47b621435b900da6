"""The running server's state, shared by handlers through ``request.app[STATE]``.

Invariants: created once at startup (secret loaded, store opened, rank index rebuilt) and torn
down at cleanup; handlers never see a half-built state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from .config import MIN_SECRET_CHARS, ServerConfig
from .cursors import CursorCodec, SignedCursors
from .group_chat import GroupChatHub
from .idempotency import purge_expired
from .notification_store import NotificationHub
from .online import OnlineUsers
from .ranks import Ranks
from .schedules import ResetClock
from .sqlite_store import Store, Txn
from .tokens import Claims, TokenIssuer, new_secret
from .tournament_store import first_seen

__all__ = [
    "STATE",
    "USER",
    "ServerState",
    "StateHolder",
    "load_or_create_secret",
    "open_state",
    "purge",
    "state_of",
]

log = logging.getLogger("gameservices.server")


@dataclass
class ServerState:
    config: ServerConfig
    store: Store
    ranks: Ranks
    tokens: TokenIssuer
    cursors: CursorCodec
    resets: ResetClock
    tournament_created: dict[str, int] = field(default_factory=dict)  # id -> first seen
    social_cursors: SignedCursors = field(default_factory=lambda: SignedCursors(os.urandom(32)))
    # The listener hook for created notifications (notification_store's docstring).
    notifications: NotificationHub = field(default_factory=NotificationHub)
    # The hook for what group changes post into group channels (group_chat's docstring).
    group_chat: GroupChatHub = field(default_factory=GroupChatHub)
    # Who the realtime hub shows online (``apiUser.online`` in REST answers).
    online: OnlineUsers = field(default_factory=OnlineUsers)


class StateHolder:
    """Set at startup: an application cannot take new keys once it runs."""

    def __init__(self) -> None:
        self.state: ServerState | None = None


STATE = web.AppKey("gameservices_state", StateHolder)
USER = web.RequestKey("gameservices_user", Claims)  # set by the auth middleware on Bearer routes


def state_of(request: web.Request) -> ServerState:
    state = request.app[STATE].state
    if state is None:  # only possible if a request arrives before startup finished
        raise RuntimeError("the server is not started")
    return state


def load_or_create_secret(db_path: str) -> str:
    """The token secret kept beside the database (0600), created on first start (blocking).

    The file appears complete or not at all: the secret is written and fsynced under a temporary
    name, then hard-linked into place (``os.link`` never overwrites). When two servers start on a
    fresh database, the loser's link fails and it reads the winner's secret. A stored secret that
    is too short (empty, truncated, edited) is refused rather than used to sign tokens.
    """
    if db_path == ":memory:":
        return new_secret()
    path = Path(db_path + ".secret")
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    _publish_secret(path, new_secret())
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    try:
        secret = path.read_text(encoding="ascii").strip()
    except UnicodeDecodeError:
        secret = ""  # not one of ours; the decode error would quote the file's bytes
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(
            f"token secret file {path} is damaged (empty, truncated or not ASCII; a secret needs"
            f" at least {MIN_SECRET_CHARS} characters). Restore it from a backup, or delete it to"
            " generate a new one, which signs every player out."
        )
    return secret


def _publish_secret(path: Path, secret: str) -> None:
    temp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secret)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another server won: _read_secret reads its
            os.link(temp, path)
        _fsync_dir(path.parent)
    finally:
        temp.unlink()


def _fsync_dir(directory: Path) -> None:
    """Make the new directory entry durable (POSIX; directories cannot be opened on Windows)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_revoked(conn: sqlite3.Connection, now: float) -> list[str]:
    return [r[0] for r in conn.execute("SELECT digest FROM revoked_tokens WHERE exp > ?", (now,))]


def purge(txn: Txn, now: float, idempotency_ttl: float) -> None:
    """Drop what can no longer matter: expired revocations and idempotency keys."""
    txn.conn.execute("DELETE FROM revoked_tokens WHERE exp <= ?", (now,))
    purge_expired(txn.conn, now, idempotency_ttl)


async def open_state(config: ServerConfig) -> ServerState:
    """Open the store, load the secret and revocations, rebuild the rank index."""
    secret = config.token_secret
    if secret is None:
        secret = await asyncio.to_thread(load_or_create_secret, config.db_path)
    store = Store(config.db_path, config.synchronous)
    await store.open()
    ranks = Ranks(config.record_boards)
    try:
        now = config.clock()
        await store.write(lambda txn: purge(txn, now, config.idempotency_ttl))
        await store.read(lambda conn: ranks.rebuild(conn, config.record_boards))
        started = await store.write(lambda txn: first_seen(txn, config.tournaments, now))
        revoked = await store.read(lambda conn: _load_revoked(conn, config.clock()))
    except BaseException:
        await store.close()
        raise
    tokens = TokenIssuer(
        secret,
        clock=config.clock,
        token_expiry=config.token_expiry,
        refresh_expiry=config.refresh_expiry,
        revoked=revoked,
    )
    cursor_key = hmac.new(secret.encode(), b"cursor", hashlib.sha256).digest()
    codec = CursorCodec(cursor_key)
    return ServerState(
        config,
        store,
        ranks,
        tokens,
        codec,
        ResetClock(),
        started,
        social_cursors=SignedCursors(cursor_key),
    )
