"""The one path of every API call, and the narrow view of it that namespaces get (``Caller``).

Rule 1: a call is build -> ``send`` -> parse. ``send`` checks the client's lifecycle, asks the
        ``SessionKeeper`` for the session to use (it decides when to refresh, and what a 401
        earns), adds its bearer token (basic-auth requests carry their own header; ``"none"``
        needs no session), and resends as ``retry.decide`` says.
Rule 2: every response teaches the keeper the server's clock (``Date``) and teaches this object
        whether the server honours idempotency keys (it echoed one), which makes resending a
        non-idempotent write safe.
Rule 3: bodies over ``JSON_OFFLOAD_BYTES`` are parsed off the loop thread.
Rule 4: logs go to the ``gameservices`` logger at DEBUG and carry no token, password or key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

from yarl import URL

from .._config import DEFAULT, Default, RetryPolicy, Timeouts
from .._exceptions import AuthError, GameServicesError
from .._protocol import api
from .._protocol.redact import redact
from .._protocol.responses import decipher_response
from .._protocol.retry import GiveUp, decide, for_request, may_have_applied
from .keeper import SessionKeeper
from .transport import HttpRequest, HttpResponse, HttpTransport, parse_body

__all__ = ["Caller", "Calls", "Parse", "Timeout"]

log = logging.getLogger("gameservices")
T = TypeVar("T")
Parse = Callable[[dict[str, Any]], T]
Timeout = Timeouts | Default | None


class Caller(Protocol):
    """What a namespace (``client.auth``, ``client.leaderboards``...) sees of its client."""

    @property
    def sessions(self) -> SessionKeeper:
        """The session and the auth policy: ``current``, ``require()``, ``login()``..."""

    async def send(self, req: api.Request, parse: Parse[T], timeout: Timeout = DEFAULT) -> T:
        """Send ``req`` with the session and the retry policy; return ``parse(json_object)``."""


class Calls:
    """Implements ``Caller`` over a transport; the client composes one."""

    def __init__(
        self,
        base_url: URL,
        transport: HttpTransport,
        sessions: SessionKeeper,
        *,
        retry: RetryPolicy,
        timeouts: Timeouts,
        opened: Callable[[], None],
    ) -> None:
        self._base = str(base_url)
        self._transport, self._sessions = transport, sessions
        self._retry, self._timeouts, self._opened = retry, timeouts, opened
        self.keys_honoured = False

    @property
    def sessions(self) -> SessionKeeper:
        return self._sessions

    async def send(self, req: api.Request, parse: Parse[T], timeout: Timeout = DEFAULT) -> T:
        self._opened()
        if req.auth != "bearer":
            return await self._resend(req, parse, timeout, None)
        keeper = self._sessions
        session = keeper.session_for_call() or await keeper.refresh(keeper.require())
        try:
            return await self._resend(req, parse, timeout, session.token)
        except AuthError as exc:
            session = await keeper.after_refusal(exc, session)  # a 401: one refresh, or raise
        return await self._resend(req, parse, timeout, session.token)

    async def _resend(
        self, req: api.Request, parse: Parse[T], timeout: Timeout, token: str | None
    ) -> T:
        query = "?" + urlencode(req.query, quote_via=quote) if req.query else ""
        url = URL(self._base + req.path + query, encoded=True)
        headers = (
            req.headers if token is None else {**req.headers, "Authorization": f"Bearer {token}"}
        )
        resolved = self._timeouts if timeout is DEFAULT else timeout
        http = HttpRequest(req.method, url, headers, req.body, resolved)
        attempt, maybe_applied = 0, False
        while True:
            try:
                resp = await self._transport.request(http)
                self._observe(resp)
                return await parse_body(resp, lambda r: parse(self._decipher(req, r)))
            except GameServicesError as exc:
                op = for_request(req, keys_honoured=self.keys_honoured, maybe_applied=maybe_applied)
                decision = decide(exc, attempt, self._retry, op)
                if isinstance(decision, GiveUp):
                    # exc itself, or OutcomeUnknown caused by it; either keeps its own cause
                    raise decision.error from decision.error.__cause__
                maybe_applied = maybe_applied or may_have_applied(exc)
                log.debug(
                    "%s %s failed (%s); retry in %.2fs",
                    req.method,
                    req.path,
                    redact(str(exc)),
                    decision.wait,
                )
            await self._retry.sleep(decision.wait)
            attempt += 1

    def _decipher(self, req: api.Request, resp: HttpResponse) -> dict[str, Any]:
        # our clock matters only to an error's Retry-After date without a Date header
        now = None if 200 <= resp.status < 300 else self._sessions.now()
        return decipher_response(
            resp.status, resp.headers, resp.body, method=req.method, url=req.path, now=now
        )

    def _observe(self, resp: HttpResponse) -> None:
        """Learn the server's clock and whether it honours idempotency keys."""
        headers = resp.headers
        self._sessions.observe_date(headers.get("Date"))
        if not self.keys_honoured and api.IDEMPOTENCY_HEADER in headers:
            self.keys_honoured = True
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %d (%d bytes)", URL(resp.url).path, resp.status, len(resp.body))
