"""``Client``: one player's connection to a Nakama-compatible server (the composition root).

Rule 1: lifecycle NEW -> OPEN (first use or ``async with``) -> CLOSED; a closed client raises
        ``UsageError``. Inside a TickRunner, opening registers ``close`` with ``runner.on_close``.
Rule 2: the client only composes: the transport moves bytes (``transport=``, aiohttp by
        default), ``Calls`` is the one call path with retries, the ``SessionKeeper`` owns the
        session and the auth policy, the namespaces build requests and see only ``Caller``; the
        outbox and assets get what they need handed in and never see the client.
Rule 3: configuration is validated here, at construction, before anything opens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from yarl import URL

from .._assets.service import Assets
from .._config import DEFAULT, RealtimeOptions, RetryPolicy, SessionOptions, Timeouts
from .._exceptions import UsageError
from .._lifecycle import Lifecycle
from .._outbox.db import OutboxEntry
from .._outbox.outbox import Outbox
from .._outbox.store import OutboxStore
from .._protocol import api
from .._protocol.models import parse_auth, parse_empty
from .._protocol.operations import covers
from .._protocol.urls import check_base_url, check_url
from .._runner.ambient import current_runner
from .accounts import AccountService, UserService
from .auth import AuthService
from .calls import Calls, Parse, Timeout
from .channels import ChannelService
from .events import EventService
from .friends import FriendService
from .groups import GroupService
from .keeper import SessionHook, SessionKeeper
from .leaderboards import LeaderboardService
from .matches import MatchService
from .notifications import NotificationService
from .parties import PartyService
from .purchases import PurchaseService
from .realtime import Realtime
from .rpc import call_rpc
from .saves import Merge, SaveService
from .session import Session, SessionStore
from .storage import StorageService
from .tournaments import TournamentService
from .transport import AiohttpTransport, HttpTransport
from .websocket import WebSocket

MAX_INCOMING_FRAME = 4 * 1024 * 1024  # a channel's presences can be long; Nakama's limit is ours

__all__ = ["Client"]

T = TypeVar("T")
Reauthenticate = Callable[["Client"], Awaitable[object]]


def _check_config(server_key: object, timeouts: object, retry: object, sessions: object) -> None:
    if not isinstance(server_key, str):
        raise TypeError(f"server_key must be a str, not {type(server_key).__name__}")
    for name, value, cls in (
        ("timeouts", timeouts, Timeouts),
        ("retry", retry, RetryPolicy),
        ("sessions", sessions, SessionOptions),
    ):
        if not isinstance(value, cls):
            raise TypeError(f"{name} must be a {cls.__name__}, not {type(value).__name__}")


class Client:
    """``async with Client(url, server_key=...) as client: await client.auth.device(...)``.

    - ``data_dir``: where the session (and the score outbox) is kept; None keeps nothing.
    - ``timeouts``/``retry``: defaults for every call (``timeout=`` overrides per call).
    - ``assets_url``: where the asset manifest lives (default ``{base_url}/assets/``).
    - ``allow_insecure``: permit plain ``http://`` to a host that is not loopback.
    - ``reauthenticate``: ``async fn(client)`` that logs in again once the refresh token died.
    - ``session_updated``: ``fn(session_or_None)`` after every session change.
    - ``sessions``: ``SessionOptions`` (refresh window, wall clock).
    - ``merge``: ``fn(local, remote) -> value`` (or a coroutine) deciding a save slot changed on
      another device (``client.saves``); without it both copies wait for ``saves.resolve``.
    - ``transport``: an ``HttpTransport``; default ``AiohttpTransport(timeouts=...,
      allow_insecure=...)`` (pass your own for ``max_body``/``trace_configs``, or a
      ``gameservices.testing.MockTransport`` in tests).
    """

    def __init__(
        self,
        base_url: str,
        *,
        server_key: str = "defaultkey",
        data_dir: str | Path | None = None,
        timeouts: Timeouts = Timeouts(),  # noqa: B008  # frozen value object, safe to share
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008  # frozen value object, safe to share
        assets_url: str | None = None,
        allow_insecure: bool = False,
        reauthenticate: Reauthenticate | None = None,
        session_updated: SessionHook | None = None,
        sessions: SessionOptions = SessionOptions(),  # noqa: B008  # frozen value object
        transport: HttpTransport | None = None,
        merge: Merge | None = None,
    ) -> None:
        _check_config(server_key, timeouts, retry, sessions)
        self.base_url = URL(base_url.rstrip("/"))
        check_base_url(self.base_url)
        self.assets_url = URL(assets_url) if assets_url else self.base_url / "assets" / ""
        for url in (self.base_url, self.assets_url):
            check_url(url, allow_insecure=allow_insecure)
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.timeouts, self.retry = timeouts, retry
        self.transport: HttpTransport = transport or AiohttpTransport(
            timeouts=timeouts, allow_insecure=allow_insecure
        )
        self.state = Lifecycle.NEW
        self._closers: list[Callable[[], Awaitable[object]]] = []
        self._sessions = SessionKeeper(
            server_key=server_key,
            send=lambda req: self._calls.send(req, parse_auth),
            store=SessionStore(self.data_dir) if self.data_dir is not None else None,
            options=sessions,
            reauthenticate=None if reauthenticate is None else lambda: reauthenticate(self),
            session_updated=session_updated,
            on_session=self._resume,  # queued scores and saves waiting for a session
        )
        self._calls = Calls(
            self.base_url,
            self.transport,
            self._sessions,
            retry=retry,
            timeouts=timeouts,
            opened=self._open,
        )
        self.outbox = self._score_outbox()
        self.on_close(self.outbox.close)
        self.auth = AuthService(self._calls)
        self.leaderboards = LeaderboardService(self._calls, self.outbox)
        self.channels = ChannelService(self._calls)
        self.tournaments = TournamentService(self._calls, self.outbox)
        self.matches = MatchService(self._calls)
        self.parties = PartyService(self._calls)
        self.assets = Assets(
            self.transport, self.assets_url, retry=retry, timeouts=timeouts, opened=self._open
        )
        self.friends = FriendService(self._calls)
        self.notifications = NotificationService(self._calls, self.data_dir)
        self.groups = GroupService(self._calls)
        self.account = AccountService(self._calls)
        self.users = UserService(self._calls)
        self.storage = StorageService(self._calls)
        self.saves = SaveService(
            self.storage,
            self._sessions,
            self.data_dir,
            retry=retry,
            merge=merge,
            on_use=self._open,
        )
        self.on_close(self.saves.close)
        self.events = EventService(self._calls, self.outbox)
        self.purchases = PurchaseService(self._calls)

    def __repr__(self) -> str:
        return f"Client({str(self.base_url)!r}, state={self.state.value})"

    @property
    def session(self) -> Session | None:
        return self._sessions.current

    @property
    def server_honours_idempotency_keys(self) -> bool:
        """True once the server has echoed an ``Idempotency-Key`` (so resends are safe)."""
        return self._calls.keys_honoured

    def server_time(self) -> float:
        """Now, by the server's clock as last seen in its ``Date`` header (epoch seconds)."""
        return self._sessions.server_time()

    @covers("Nakama_RpcFunc")
    async def rpc(
        self,
        rpc_id: str,
        payload: Any = None,
        *,
        http_key: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> Any:
        """Call the server function ``rpc_id`` with ``payload`` (any JSON value; None sends
        none) and return its answer's JSON value (None for an empty one). With the session, or
        server to server with ``http_key`` (the server's runtime HTTP key; no session needed).

        Never resent once it may have run: a lost answer raises ``OutcomeUnknown``. The
        function's own error arrives with its code: ``InvalidArgument``, ``NotFound``,
        ``AuthError``... or ``ServerError`` (500) for a function that failed.
        """
        return await call_rpc(self._calls, rpc_id, payload, http_key=http_key, timeout=timeout)

    @covers("Nakama_Healthcheck")
    async def healthcheck(self, *, timeout: Timeout = DEFAULT) -> None:
        """Return once the server answers its health probe (no session needed); raise
        ``ConnectError``, ``RequestTimeout`` or ``ServerError`` when it does not."""
        await self._calls.send(api.healthcheck(), parse_empty, timeout)

    async def send(self, req: api.Request, parse: Parse[T], timeout: Timeout = DEFAULT) -> T:
        """Send ``req`` with the session and the retry policy; return ``parse(json_object)``."""
        return await self._calls.send(req, parse, timeout)

    def realtime(self, options: RealtimeOptions | None = None) -> Realtime:
        """A realtime socket for this client's player (not yet open: ``async with`` it, or
        ``await rt.connect()``). Needs the default aiohttp transport."""
        if options is not None and not isinstance(options, RealtimeOptions):
            raise TypeError(f"options must be a RealtimeOptions, not {type(options).__name__}")
        websocket = getattr(self.transport, "websocket", None)
        if websocket is None:
            raise UsageError(f"the realtime socket needs a transport with websocket(), not "
                             f"{type(self.transport).__name__}")  # fmt: skip
        chosen = options or RealtimeOptions()
        connect = self.timeouts.connect

        async def open_socket(url: URL) -> WebSocket:
            return await websocket(  # type: ignore[no-any-return]  # AiohttpTransport's
                url, heartbeat=chosen.heartbeat, max_frame=MAX_INCOMING_FRAME, timeout=connect
            )

        rt = Realtime(
            base_url=self.base_url, caller=self._calls, open_socket=open_socket,
            retry=self.retry, options=chosen, opened=self._open,
        )  # fmt: skip
        self.on_close(rt.close)
        return rt

    # -- lifecycle ---------------------------------------------------------------------------

    def _open(self) -> None:
        if self.state is Lifecycle.CLOSED:
            raise UsageError("the client is closed")
        if self.state is Lifecycle.NEW:
            self.state = Lifecycle.OPEN
            runner = current_runner()
            if runner is not None:
                runner.on_close(self.close)

    def on_close(self, fn: Callable[[], Awaitable[object]]) -> None:
        """Run ``fn`` when the client closes, before its HTTP session goes (newest first)."""
        self._closers.append(fn)

    async def close(self) -> None:
        """Stop background work and close the HTTP session. Idempotent."""
        if self.state is Lifecycle.CLOSED:
            return
        self.state = Lifecycle.CLOSED
        for fn in reversed(self._closers):
            await fn()
        await self._sessions.close()
        await self.transport.close()

    async def __aenter__(self) -> Client:
        self._open()
        await self.outbox.start()  # resume sending scores a previous run left on disk
        await self.saves.start()  # and save slots
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- wiring ------------------------------------------------------------------------------

    async def _resume(self) -> None:
        await self.outbox.resume()
        await self.saves.start()

    def _score_outbox(self) -> Outbox:
        """The outbox sends each entry through ``leaderboards.write`` with its own idempotency
        key, as the user who submitted it (never credited to another player)."""

        def whoami() -> str | None:
            session = self._sessions.current
            return None if session is None else session.user_id

        async def send(entry: OutboxEntry) -> None:
            if entry.owner is not None and entry.owner != whoami():
                raise UsageError(
                    f"{entry.describe()} was submitted by user {entry.owner}; it is sent once "
                    "that user is logged in again (the entries queued after it wait too)"
                )
            if entry.kind == "event":
                await self.events.post(entry)
                return
            write = (
                self.tournaments.write if entry.kind == "tournament" else self.leaderboards.write
            )
            await write(
                entry.board,
                entry.score,
                subscore=entry.subscore,
                metadata=entry.metadata,
                operator=entry.operator,
                idempotency_key=entry.idempotency_key,
            )

        store = None if self.data_dir is None else OutboxStore(self.data_dir)
        return Outbox(store, send, retry=self.retry, whoami=whoami, on_use=self._open)
