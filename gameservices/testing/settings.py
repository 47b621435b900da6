"""``ServerSettings``: the keyword arguments ``ReferenceServer`` and ``ServerThread`` accept.

Invariant: its keys are exactly ``ServerConfig``'s fields (a test holds them equal), so the
helpers' ``**settings`` are typed without repeating the config's defaults here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # the server extra is imported only when a server starts
    from ..server.config import Board
    from ..server.faults import Faults
    from ..server.ratelimit import RateLimit
    from ..server.rpc import RpcHandler
    from ..server.tournaments import Tournament

__all__ = ["ServerSettings"]


class ServerSettings(TypedDict, total=False):
    """Overrides of ``gameservices.server.ServerConfig``, each field by name (docs/server.md)."""

    host: str
    port: int
    db_path: str | Path
    server_key: str
    token_expiry: int
    refresh_expiry: int
    boards: Sequence[Board]
    assets_dir: str | Path | None
    faults: Faults | None
    rate_limit: RateLimit | None
    clock: Callable[[], float]
    token_secret: str | None
    idempotency_ttl: float
    max_body_bytes: int
    read_timeout: float
    synchronous: str
    tournaments: Sequence[Tournament]
    rpc: Mapping[str, RpcHandler | str]
    http_key: str
