"""``SessionKeeper``: the client's session and every rule about keeping it (the auth policy).

Rule 1: every session change goes through ``adopt``: persisted to ``data_dir`` (if any), then
        ``on_session`` (the outbox resumes), then reported to ``session_updated``.
Rule 2: expiry is judged by the *server's* clock, learned from its ``Date`` headers; a call
        refreshes first when the token expires within the refresh window, which is capped at
        half the token's remaining life (short tokens must not make every call refresh).
Rule 3: refresh is single-flight: concurrent callers share one refresh task. A 401 on a call
        causes at most one refresh and one resend (``session_for_call``, ``after_refusal``:
        the call path asks, this decides); none when it refuses a provider's credentials
        (``providers.refuses_credentials``), which a new session cannot change.
Rule 4: a dead refresh token calls ``reauthenticate`` if given, else forgets the session and
        raises ``SessionExpired``.
Rule 5: logs carry no token; a hook that raises is logged, never raised into the session flow.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from .._config import SessionOptions
from .._exceptions import AuthError, SessionExpired, UsageError
from .._protocol import api
from .._protocol.models import AuthResult
from .._protocol.providers import refuses_credentials
from .._protocol.responses import parse_http_date
from .session import Session, SessionStore

__all__ = ["SessionHook", "SessionKeeper"]

log = logging.getLogger("gameservices")
SessionHook = Callable[[Session | None], object]
SendAuth = Callable[[api.Request], Awaitable[AuthResult]]


async def _nothing() -> None:
    return None


class SessionKeeper:
    def __init__(
        self,
        *,
        server_key: str,
        send: SendAuth,
        store: SessionStore | None = None,
        options: SessionOptions = SessionOptions(),  # noqa: B008  # frozen value object
        reauthenticate: Callable[[], Awaitable[object]] | None = None,
        session_updated: SessionHook | None = None,
        on_session: Callable[[], Awaitable[None]] = _nothing,
    ) -> None:
        self.server_key = server_key
        self._send, self._store = send, store
        self._clock, self._window = options.clock, options.refresh_window
        self._max_window = options.refresh_window
        self._reauthenticate, self._session_updated = reauthenticate, session_updated
        self._on_session = on_session
        self._session: Session | None = None
        self._refreshing: asyncio.Task[Session] | None = None
        self._skew = 0.0  # server clock minus ours, from the last Date header
        self._last_date: str | None = None

    @property
    def current(self) -> Session | None:
        return self._session

    def require(self) -> Session:
        if self._session is None:
            raise UsageError("no session: call client.auth.device/custom/email or restore first")
        return self._session

    # -- the server's clock ------------------------------------------------------------------

    def now(self) -> float:
        """Our wall clock (epoch seconds)."""
        return self._clock()

    def server_time(self) -> float:
        """Now, by the server's clock as last seen in its ``Date`` header (epoch seconds)."""
        return self._clock() + self._skew

    def observe_date(self, date: str | None) -> None:
        if date is not None and date != self._last_date:
            server = parse_http_date(date)
            if server is not None:
                self._last_date, self._skew = date, server - self._clock()

    # -- changes (Rule 1) --------------------------------------------------------------------

    async def adopt(self, session: Session | None) -> None:
        """Make ``session`` current (None forgets it): persist, resume the outbox, report."""
        if session is not None:
            life = session.expires_at.timestamp() - self.server_time()
            self._window = min(self._max_window, max(life, 0.0) / 2)
        self._session = session
        if self._store is not None:
            await self._store.save(session)
        if session is not None:
            await self._on_session()
        if self._session_updated is not None:
            try:
                self._session_updated(session)
            except Exception:  # a broken hook must not break the session flow
                log.exception("session_updated hook raised")

    async def login(self, result: AuthResult) -> Session:
        session = Session.from_tokens(result.token, result.refresh_token, created=result.created)
        await self.adopt(session)
        return session

    async def restore(self) -> Session | None:
        """Adopt the session saved in ``data_dir``, if any."""
        session = None if self._store is None else await self._store.load()
        if session is not None:
            await self.adopt(session)
        return session

    # -- keeping it fresh (Rules 2-4) --------------------------------------------------------

    def session_for_call(self) -> Session | None:
        """The session a call may use now; None when it must be refreshed first (Rule 2).

        Synchronous on purpose: it runs before every call, and a refresh is rare.
        """
        session = self.require()
        if session.expires_within(self._window, self.server_time()):
            return None
        return session

    async def after_refusal(self, exc: AuthError, used: Session) -> Session:
        """Rule 3: a 401 on a call earns one refresh; return the session to resend with.
        Any other refusal, an expired session, or a provider's refusal, is raised as it is."""
        if exc.status != 401 or isinstance(exc, SessionExpired) or refuses_credentials(exc.message):
            raise exc
        return await self.refresh(used)

    async def refresh(self, stale: Session | None = None) -> Session:
        """Refresh the session once for all concurrent callers; return the new one."""
        stale = stale or self.require()
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
                return await self.login(await self._send(req))
            except AuthError as exc:
                if exc.status != 401:
                    raise
                return await self._session_dead(exc)
        return await self._session_dead(None)

    async def _session_dead(self, cause: AuthError | None) -> Session:
        if self._reauthenticate is not None:
            log.debug("refresh token refused; re-authenticating")
            await self._reauthenticate()
            return self.require()
        await self.adopt(None)
        raise SessionExpired(
            "the session and its refresh token have expired; authenticate again",
            status=401,
            code=16,
        ) from cause

    async def close(self) -> None:
        """Cancel a refresh in flight (it never raises here)."""
        task = self._refreshing
        if task is not None:
            task.cancel()
            await asyncio.wait([task])
