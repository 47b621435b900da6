"""``Client``: one player's connection to a Nakama-compatible server.

Rule 1: lifecycle NEW -> OPEN (first use or ``async with``) -> CLOSED; a closed client raises
        ``UsageError``. Inside a TickRunner, opening registers ``close`` with ``runner.on_close``.
Rule 2: every call is build -> ``send`` -> parse. ``send`` adds the bearer token, refreshes it
        first when it expires within ``refresh_window`` by the *server's* clock (its ``Date``
        header), and resends per ``_retry.retry_delay``.
Rule 3: refresh is single-flight: concurrent callers share one refresh task. A 401 on a call
        causes at most one refresh and one resend. A dead refresh token calls ``reauthenticate``
        if given, else raises ``SessionExpired``.
Rule 4: every session change is persisted to ``data_dir`` (if any) and then reported to
        ``session_updated``.
Rule 5: logs go to the ``gameservices`` logger at DEBUG and carry no token, password or key.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from yarl import URL

from .._assets.service import Assets
from .._config import DEFAULT, Default, RetryPolicy, Timeouts
from .._exceptions import AuthError, GameServicesError, SessionExpired, UsageError
from .._outbox.outbox import client_outbox
from .._protocol import api
from .._protocol.models import AuthResult, parse_auth
from .._protocol.redact import redact
from .._protocol.responses import decipher_response, parse_http_date
from .._runner.ambient import current_runner
from .auth import AuthService
from .leaderboards import LeaderboardService
from .retry import ambiguous, retry_delay
from .session import Session, SessionStore
from .transport import MAX_BODY, Response, TraceConfigs, Transport

__all__ = ["DEFAULT_REFRESH_WINDOW", "Client", "ClientState"]

DEFAULT_REFRESH_WINDOW = 300.0
log = logging.getLogger("gameservices")
T = TypeVar("T")
Parse = Callable[[dict[str, Any]], T]
Reauthenticate = Callable[["Client"], Awaitable[object]]
SessionHook = Callable[[Session | None], object]


class ClientState(enum.Enum):
    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"


class Client:
    """``async with Client(url, server_key=...) as client: await client.auth.device(...)``.

    - ``data_dir``: where the session (and the score outbox) is kept; None keeps nothing.
    - ``timeouts``/``retry``: defaults for every call (``timeout=`` overrides per call).
    - ``assets_url``: where the asset manifest lives (default ``{base_url}/assets/``).
    - ``allow_insecure``: permit plain ``http://`` to a host that is not loopback.
    - ``refresh_window``: refresh when the token has less than this left (server's clock).
    - ``reauthenticate``: ``async fn(client)`` that logs in again once the refresh token died.
    - ``session_updated``: ``fn(session_or_None)`` after every session change.
    - ``trace_configs``: aiohttp ``TraceConfig`` objects, for metrics.
    - ``max_body``: response body cap in bytes; ``clock``: our wall clock (tests).
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
        refresh_window: float = DEFAULT_REFRESH_WINDOW,
        reauthenticate: Reauthenticate | None = None,
        session_updated: SessionHook | None = None,
        trace_configs: TraceConfigs = (),
        max_body: int = MAX_BODY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = URL(base_url.rstrip("/"))
        self._base = str(self.base_url)
        self.transport = Transport(
            timeouts=timeouts,
            max_body=max_body,
            allow_insecure=allow_insecure,
            trace_configs=trace_configs,
        )
        self.transport.check_url(self.base_url)
        self.assets_url = URL(assets_url) if assets_url else self.base_url / "assets" / ""
        self.transport.check_url(self.assets_url)
        if refresh_window < 0:
            raise ValueError(f"refresh_window must be >= 0 seconds, got {refresh_window}")
        self.server_key = server_key
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.timeouts, self.retry, self.refresh_window = timeouts, retry, refresh_window
        self._window = refresh_window
        self.state = ClientState.NEW
        self._clock = clock
        self._reauthenticate, self._session_updated = reauthenticate, session_updated
        self._store = SessionStore(self.data_dir) if self.data_dir is not None else None
        self._session: Session | None = None
        self._refreshing: asyncio.Task[Session] | None = None
        self._skew = 0.0  # server clock minus ours, from the last Date header
        self._last_date: str | None = None
        self._keys_honoured = False
        self._closers: list[Callable[[], Awaitable[object]]] = []
        self.auth = AuthService(self)
        self.leaderboards = LeaderboardService(self)
        self.outbox = client_outbox(self)
        self.on_close(self.outbox.close)
        self.assets = Assets(
            self.transport, self.assets_url, retry=retry, timeouts=timeouts, opened=self._open
        )

    def __repr__(self) -> str:
        return f"Client({str(self.base_url)!r}, state={self.state.value})"

    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def server_honours_idempotency_keys(self) -> bool:
        """True once the server has echoed an ``Idempotency-Key`` (so resends are safe)."""
        return self._keys_honoured

    def server_time(self) -> float:
        """Now, by the server's clock as last seen in its ``Date`` header (epoch seconds)."""
        return self._clock() + self._skew

    # -- lifecycle ---------------------------------------------------------------------------

    def _open(self) -> None:
        if self.state is ClientState.CLOSED:
            raise UsageError("the client is closed")
        if self.state is ClientState.NEW:
            self.state = ClientState.OPEN
            runner = current_runner()
            if runner is not None:
                runner.on_close(self.close)

    def on_close(self, fn: Callable[[], Awaitable[object]]) -> None:
        """Run ``fn`` when the client closes, before its HTTP session goes (newest first)."""
        self._closers.append(fn)

    async def close(self) -> None:
        """Stop background work and close the HTTP session. Idempotent."""
        if self.state is ClientState.CLOSED:
            return
        self.state = ClientState.CLOSED
        for fn in reversed(self._closers):
            await fn()
        task = self._refreshing
        if task is not None:
            task.cancel()
            await asyncio.wait([task])  # let it finish cancelling; never raises
        await self.transport.close()

    async def __aenter__(self) -> Client:
        self._open()
        await self.outbox.start()  # resume delivering scores a previous run left on disk
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- sessions ----------------------------------------------------------------------------

    async def set_session(self, session: Session | None) -> None:
        """Adopt ``session`` (None forgets it): persist, then tell ``session_updated``."""
        if session is not None:
            # A server issuing short tokens must not make every call refresh: cap the window at
            # half the token's (remaining) life. Restored sessions are capped too.
            life = session.expires_at.timestamp() - self.server_time()
            self._window = min(self.refresh_window, max(life, 0.0) / 2)
        self._session = session
        if self._store is not None:
            await self._store.save(session)
        if session is not None:
            await self.outbox.resume()  # queued scores waiting for a session can go now
        if self._session_updated is not None:
            try:
                self._session_updated(session)
            except Exception:  # a broken hook must not break the session flow
                log.exception("session_updated hook raised")

    async def load_session(self) -> Session | None:
        return None if self._store is None else await self._store.load()

    async def adopt_auth(self, result: AuthResult) -> Session:
        session = Session.from_tokens(result.token, result.refresh_token, created=result.created)
        await self.set_session(session)
        return session

    def require_session(self) -> Session:
        if self._session is None:
            raise UsageError("no session: call client.auth.device/custom/email or restore first")
        return self._session

    async def refresh(self, stale: Session | None = None) -> Session:
        """Refresh the session once for all concurrent callers; return the new one."""
        stale = stale or self.require_session()
        if self._session is not None and self._session is not stale:
            return self._session  # someone else already replaced it
        task = self._refreshing
        if task is None:
            task = self._refreshing = asyncio.ensure_future(self._do_refresh(stale))
            task.add_done_callback(self._refresh_done)
        return await asyncio.shield(task)

    def _refresh_done(self, task: asyncio.Task[Session]) -> None:
        self._refreshing = None
        if not task.cancelled():
            task.exception()  # retrieved here, so an unawaited failure is not logged as lost

    async def _do_refresh(self, stale: Session) -> Session:
        log.debug("refreshing the session of user %s", stale.user_id)
        if not stale.refresh_expired(self.server_time()):
            req = api.refresh_session(self.server_key, stale.refresh_token, stale.vars)
            try:
                return await self.adopt_auth(await self._resend(req, parse_auth, DEFAULT, None))
            except AuthError as exc:
                if exc.status != 401:
                    raise
                return await self._session_dead(exc)
        return await self._session_dead(None)

    async def _session_dead(self, cause: AuthError | None) -> Session:
        if self._reauthenticate is not None:
            log.debug("refresh token refused; re-authenticating")
            await self._reauthenticate(self)
            return self.require_session()
        await self.set_session(None)
        raise SessionExpired(
            "the session and its refresh token have expired; authenticate again",
            status=401,
            code=16,
        ) from cause

    # -- requests ----------------------------------------------------------------------------

    async def send(
        self, req: api.Request, parse: Parse[T], timeout: Timeouts | Default | None = DEFAULT
    ) -> T:
        """Send ``req`` with session and retry policy; return ``parse(json_object)``."""
        self._open()
        if req.auth == "basic":
            return await self._resend(req, parse, timeout, None)
        session = self.require_session()
        if session.expires_within(self._window, self.server_time()):
            session = await self.refresh(session)
        try:
            return await self._resend(req, parse, timeout, session.token)
        except AuthError as exc:
            if exc.status != 401 or isinstance(exc, SessionExpired):
                raise
            session = await self.refresh(session)
            return await self._resend(req, parse, timeout, session.token)

    async def _resend(
        self,
        req: api.Request,
        parse: Parse[T],
        timeout: Timeouts | Default | None,
        token: str | None,
    ) -> T:
        query = "?" + urlencode(req.query, quote_via=quote) if req.query else ""
        url = URL(self._base + req.path + query, encoded=True)
        headers = (
            req.headers if token is None else {**req.headers, "Authorization": f"Bearer {token}"}
        )
        attempt, maybe_applied = 0, False
        while True:
            try:
                resp = await self.transport.request(
                    req.method, url, headers=headers, body=req.body, timeout=timeout
                )
                self._observe(resp)
                return await self.transport.parse(resp, lambda r: parse(self._decipher(req, r)))
            except GameServicesError as exc:
                delay = retry_delay(
                    req, exc, attempt, self.retry, self._keys_honoured, maybe_applied
                )
                maybe_applied = maybe_applied or ambiguous(exc)
                log.debug(
                    "%s %s failed (%s); retry in %.2fs",
                    req.method,
                    req.path,
                    redact(str(exc)),
                    delay,
                )
            await self.retry.sleep(delay)
            attempt += 1

    def _decipher(self, req: api.Request, resp: Response) -> dict[str, Any]:
        return decipher_response(
            resp.status, resp.headers, resp.body, method=req.method, url=req.path, now=self._clock()
        )

    def _observe(self, resp: Response) -> None:
        """Learn the server's clock and whether it honours idempotency keys."""
        headers = resp.headers
        date = headers.get("Date")
        if date is not None and date != self._last_date:
            server = parse_http_date(date)
            if server is not None:
                self._last_date, self._skew = date, server - self._clock()
        if not self._keys_honoured and api.IDEMPOTENCY_HEADER in headers:
            self._keys_honoured = True
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %d (%d bytes)", URL(resp.url).path, resp.status, len(resp.body))
