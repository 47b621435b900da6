"""Server settings: a frozen, validated ``ServerConfig`` and the ``Board`` definitions.

Invariants: a config is immutable and valid once constructed (bad values raise ``ValueError`` or
``TypeError`` naming the field); board ids are unique; secrets never appear in ``repr``.
``--board`` specs and ``--config`` JSON files are parsed here into the same value.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .._checks import is_int, is_number
from .._protocol.limits import ID_MAX_BYTES
from .._protocol.wire import OPERATOR_NAMES, Operator, SortOrder
from .faults import Faults
from .ratelimit import RateLimit
from .rpc import RpcHandler, check_rpc
from .schedules import check_schedule
from .tournaments import Tournament, tournament_from_json

__all__ = [
    "DEMO_BOARDS",
    "MIN_SECRET_CHARS",
    "Board",
    "ServerConfig",
    "config_from_mapping",
    "load_config_file",
    "parse_board",
]

DEFAULT_SERVER_KEY = "defaultkey"
DEFAULT_HTTP_KEY = "defaulthttpkey"  # Nakama's default runtime.http_key
DEFAULT_TOKEN_EXPIRY = 3600
DEFAULT_REFRESH_EXPIRY = 604800
DEFAULT_PORT = 7350
MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_TTL = 24 * 3600.0
READ_TIMEOUT = 30.0
# A token secret signs every session: shorter than this (e.g. an empty or half-written secret
# file) would let anyone forge tokens, so it is refused rather than used.
MIN_SECRET_CHARS = 32

# Nakama's rule for ids and usernames: no whitespace or control characters.
_INVALID_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")
_SORTS = {"desc": SortOrder.DESCENDING, "asc": SortOrder.ASCENDING}
_SYNC_MODES = ("FULL", "NORMAL")


@dataclass(frozen=True)
class Board:
    """A leaderboard defined by the server: id, sort order, default write operator, whether it
    keeps ranks (Nakama's ``enable_ranks``) and its reset schedule (cron, UTC; None: never)."""

    id: str
    sort: SortOrder = SortOrder.DESCENDING
    operator: Operator = Operator.BEST
    ranks: bool = True
    reset: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not 1 <= len(self.id.encode()) <= ID_MAX_BYTES:
            raise ValueError(f"board id must be a string of 1-{ID_MAX_BYTES} bytes")
        if _INVALID_CHARS.search(self.id):
            raise ValueError(f"board id {self.id!r} must not contain spaces or control characters")
        object.__setattr__(self, "sort", SortOrder(self.sort))
        operator = Operator(self.operator)
        if operator is Operator.NO_OVERRIDE:
            raise ValueError(f"board {self.id!r}: the default operator cannot be NO_OVERRIDE")
        object.__setattr__(self, "operator", operator)
        if not isinstance(self.ranks, bool):
            raise TypeError(f"board {self.id!r}: ranks must be true or false")
        if self.reset is not None:
            if not isinstance(self.reset, str):
                raise TypeError(f"board {self.id!r}: reset must be a cron expression string")
            try:
                object.__setattr__(self, "reset", check_schedule(self.reset))
            except ValueError as exc:
                raise ValueError(f"board {self.id!r}: {exc}") from None


DEMO_BOARDS: tuple[Board, ...] = (
    Board("weekly", SortOrder.DESCENDING, Operator.BEST),
    Board("alltime", SortOrder.DESCENDING, Operator.BEST),
    Board("kills", SortOrder.DESCENDING, Operator.INCREMENT),
    Board("speedrun", SortOrder.ASCENDING, Operator.BEST),
)


_BOARD_SPEC = "ID[:desc|asc][:best|set|incr|decr][:noranks][:reset=CRON]"


def parse_board(spec: str) -> Board:
    """``ID[:desc|asc][:best|set|incr|decr][:noranks][:reset=CRON]`` -> Board (the options in
    any order after the id, each at most once); ValueError says what is wrong."""
    board_id, *options = spec.split(":")
    if not board_id:
        raise ValueError(f"board spec {spec!r} must look like {_BOARD_SPEC}")
    found: dict[str, Any] = {}
    for option in options:
        name, value = _board_option(spec, option)
        if name in found:
            raise ValueError(f"board spec {spec!r} gives the {name} twice")
        found[name] = value
    return Board(board_id, **found)


def _board_option(spec: str, option: str) -> tuple[str, Any]:
    word = option.strip().lower()
    if word in _SORTS:
        return "sort", _SORTS[word]
    if word in OPERATOR_NAMES:
        return "operator", OPERATOR_NAMES[word]
    if word in ("noranks", "ranks"):
        return "ranks", word == "ranks"
    if word.startswith("reset="):
        return "reset", option.strip()[len("reset=") :]
    raise ValueError(
        f"board spec {spec!r}: {option!r} is not desc, asc, best, set, incr, decr, noranks or"
        f" reset=CRON (the form is {_BOARD_SPEC})"
    )


def _check_positive(name: str, value: object, *, allow_float: bool = False) -> None:
    if not is_number(value) or not (allow_float or is_int(value)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")


@dataclass(frozen=True)
class ServerConfig:
    """Everything the reference server needs; see docs/server.md for each field."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db_path: str = ":memory:"
    server_key: str = field(default=DEFAULT_SERVER_KEY, repr=False)
    token_expiry: int = DEFAULT_TOKEN_EXPIRY
    refresh_expiry: int = DEFAULT_REFRESH_EXPIRY
    boards: tuple[Board, ...] = DEMO_BOARDS
    assets_dir: Path | None = None
    faults: Faults | None = None
    rate_limit: RateLimit | None = None
    clock: Callable[[], float] = time.time
    # Signs tokens and cursors; None: generated once and kept in "<db>.secret" (0600).
    token_secret: str | None = field(default=None, repr=False)
    idempotency_ttl: float = IDEMPOTENCY_TTL
    max_body_bytes: int = MAX_BODY_BYTES
    read_timeout: float = READ_TIMEOUT
    # FULL: fsync at each group commit (survives power loss); NORMAL: survives process crashes.
    synchronous: str = "FULL"
    tournaments: tuple[Tournament, ...] = ()
    # Server functions (POST /v2/rpc/{id}): id -> handler or "module:function" (server/rpc.py).
    rpc: Mapping[str, RpcHandler] = field(default_factory=dict, hash=False)
    # Nakama's --runtime.http_key: a server-to-server RPC carries it instead of a session.
    http_key: str = field(default=DEFAULT_HTTP_KEY, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "db_path", str(self.db_path))
        if self.assets_dir is not None:
            object.__setattr__(self, "assets_dir", Path(self.assets_dir))
        object.__setattr__(self, "boards", tuple(self.boards))
        object.__setattr__(self, "tournaments", tuple(self.tournaments))
        object.__setattr__(self, "rpc", check_rpc(self.rpc))
        self._validate()

    def _validate(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise ValueError("host must be a non-empty string")
        if isinstance(self.port, bool) or not isinstance(self.port, int):
            raise TypeError("port must be an integer")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0-65535, got {self.port}")
        if not isinstance(self.server_key, str) or not self.server_key:
            raise ValueError("server_key must be a non-empty string")
        if self.token_secret is not None and len(self.token_secret) < MIN_SECRET_CHARS:
            raise ValueError(f"token_secret must be at least {MIN_SECRET_CHARS} characters")
        _check_positive("token_expiry", self.token_expiry)
        _check_positive("refresh_expiry", self.refresh_expiry)
        _check_positive("idempotency_ttl", self.idempotency_ttl, allow_float=True)
        _check_positive("max_body_bytes", self.max_body_bytes)
        _check_positive("read_timeout", self.read_timeout, allow_float=True)
        if not callable(self.clock):
            raise TypeError("clock must be a callable returning seconds since the epoch")
        if self.synchronous not in _SYNC_MODES:
            raise ValueError(f"synchronous must be one of {_SYNC_MODES}, not {self.synchronous!r}")
        if not self.boards or not all(isinstance(b, Board) for b in self.boards):
            raise ValueError("boards must be a non-empty sequence of Board")
        ids = [b.id for b in self.boards]
        if len(set(ids)) != len(ids):
            raise ValueError(f"board ids must be unique: {ids}")
        if not isinstance(self.http_key, str) or not self.http_key:
            raise ValueError("http_key must be a non-empty string")
        if not all(isinstance(t, Tournament) for t in self.tournaments):
            raise ValueError("tournaments must be a sequence of Tournament")
        ids += [t.id for t in self.tournaments]
        if len(set(ids)) != len(ids):
            raise ValueError(f"board and tournament ids must be unique: {ids}")

    def board(self, board_id: str) -> Board | None:
        """The board with this id, or None."""
        for board in self.boards:
            if board.id == board_id:
                return board
        return None

    def tournament(self, tournament_id: str) -> Tournament | None:
        """The tournament with this id, or None."""
        for t in self.tournaments:
            if t.id == tournament_id:
                return t
        return None

    @property
    def record_boards(self) -> tuple[Board, ...]:
        """Every board records live on: the boards, then each tournament's."""
        return (*self.boards, *(t.board for t in self.tournaments))

    def with_overrides(self, **changes: Any) -> ServerConfig:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)


_FILE_FIELDS = {f.name for f in fields(ServerConfig)} - {"clock", "faults", "rate_limit"}


def config_from_mapping(data: Mapping[str, Any], base: ServerConfig | None = None) -> ServerConfig:
    """Settings from a JSON object (same names as ServerConfig; boards as specs or objects)."""
    unknown = set(data) - _FILE_FIELDS - {"faults", "rate_limit"}
    if unknown:
        raise ValueError(f"unknown config keys: {sorted(unknown)}")
    changes: dict[str, Any] = {k: v for k, v in data.items() if k in _FILE_FIELDS}
    if "boards" in changes:
        changes["boards"] = tuple(_board_from_json(b) for b in changes["boards"])
    if "tournaments" in changes:
        changes["tournaments"] = tuple(tournament_from_json(t) for t in changes["tournaments"])
    if changes.get("assets_dir") is not None:
        changes["assets_dir"] = Path(changes["assets_dir"])
    if isinstance(data.get("faults"), Mapping):
        changes["faults"] = Faults.from_mapping(data["faults"])
    if isinstance(data.get("rate_limit"), Mapping):
        changes["rate_limit"] = RateLimit(**data["rate_limit"])
    return replace(base or ServerConfig(), **changes)


_BOARD_KEYS = frozenset({"id", "sort", "operator", "ranks", "reset"})


def _board_from_json(item: object) -> Board:
    if isinstance(item, str):
        return parse_board(item)
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        raise ValueError(f"a board must be a spec string or an object with an id, not {item!r}")
    unknown = set(item) - _BOARD_KEYS
    if unknown:
        raise ValueError(f"board {item['id']!r}: unknown keys {sorted(unknown)}")
    board = parse_board(
        ":".join(str(item[k]) for k in ("id", "sort", "operator") if item.get(k) is not None)
    )
    return replace(board, ranks=item.get("ranks", True), reset=item.get("reset"))


def load_config_file(path: str | Path, base: ServerConfig | None = None) -> ServerConfig:
    """Read a JSON config file; ValueError names the file and the problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read config file {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"config file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"config file {path} must hold a JSON object")
    try:
        return config_from_mapping(data, base)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config file {path}: {exc}") from exc
