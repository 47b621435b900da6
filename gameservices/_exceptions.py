"""The one error tree of gameservices.

Every error says what happened and whose fault it was. Foreign exceptions (aiohttp, OSError,
json) are translated at one boundary with ``raise ... from exc``; ``asyncio.CancelledError`` is
never caught or wrapped.

::

    GameServicesError
    ├── TransportError            no usable response
    │   ├── ConnectError          could not reach the server (DNS, refused, TLS)
    │   ├── RequestTimeout        also a builtin TimeoutError
    │   ├── ProtocolError         bad JSON, wrong content type, body over the cap, lying length
    │   ├── OutcomeUnknown        a write may or may not have applied (.idempotency_key)
    │   └── Disconnected          the realtime socket closed; a call's reply will never come
    ├── APIError(status, code, message, method, url, request_id)
    │   ├── AuthError (401/403)
    │   │   └── SessionExpired    the refresh token is dead too; log in again
    │   ├── NotFound (404)
    │   ├── InvalidArgument (400)  also a builtin ValueError
    │   ├── NotConfigured (400, code 9) the server has no settings for this provider
    │   ├── Conflict (409)
    │   ├── RateLimited (429)      .retry_after seconds, or None
    │   └── ServerError (5xx)      .retry_after seconds (a 503's hint), or None
    ├── RealtimeError(code, message, context)  the server refused a realtime request
    ├── IntegrityError            assets: hash or size mismatch (the server's or the CDN's fault)
    ├── StorageError              full disk, unwritable data_dir (also a builtin OSError)
    │   └── OutboxFull            the durable score outbox reached its cap
    └── UsageError                the caller's fault: closed client/runner, wrong loop, wrong thread
                                  (also a builtin RuntimeError)

Messages never contain tokens, passwords or server keys.
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "AuthError",
    "Conflict",
    "ConnectError",
    "Disconnected",
    "GameServicesError",
    "IntegrityError",
    "InvalidArgument",
    "NotConfigured",
    "NotFound",
    "OutboxFull",
    "OutcomeUnknown",
    "ProtocolError",
    "RateLimited",
    "RealtimeError",
    "RequestTimeout",
    "ServerError",
    "SessionExpired",
    "StorageError",
    "TransportError",
    "UsageError",
]


class GameServicesError(Exception):
    """Base of every error raised by gameservices."""


class TransportError(GameServicesError):
    """No usable response arrived (network, timeout, or a response that breaks the protocol)."""


class ConnectError(TransportError):
    """The server could not be reached (DNS failure, connection refused, TLS handshake)."""


class RequestTimeout(TransportError, TimeoutError):
    """The request did not finish within its timeout."""


class ProtocolError(TransportError):
    """The server answered, but the answer is unusable: bad JSON, wrong type, oversize, lying."""


class OutcomeUnknown(TransportError):
    """A non-idempotent write was sent and no answer came back: it may or may not have applied.

    ``idempotency_key`` is the key the write carried; resend with the same key to apply it at
    most once against a server that honours keys.
    """

    def __init__(self, message: str, *, idempotency_key: str | None = None) -> None:
        super().__init__(message)
        self.idempotency_key = idempotency_key


class APIError(GameServicesError):
    """The server answered with an error status and (usually) a Nakama error body."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | None = None,
        method: str = "",
        url: str = "",
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.url = url
        self.request_id = request_id

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        code = f", code {self.code}" if self.code is not None else ""
        return f"HTTP {self.status}{code}: {self.message}{where}"


class AuthError(APIError):
    """401/403: the credentials or the session token were refused."""


class SessionExpired(AuthError):
    """The session and its refresh token have both expired; authenticate again."""


class NotFound(APIError):
    """404: the account, leaderboard or asset does not exist."""


class InvalidArgument(APIError, ValueError):
    """400: the server rejected the request's arguments (the caller's fault)."""


class NotConfigured(APIError):
    """400 with code 9: the server has no settings for what the call needs, e.g. "Apple IAP is
    not configured." (no Apple shared password in Nakama's ``iap`` config). Not the caller's
    fault and not fixed by a retry: the server's operator must configure the provider."""


class Conflict(APIError):
    """409: e.g. a username that is taken, or an idempotency key reused with another body."""


class RateLimited(APIError):
    """429: slow down. ``retry_after`` is the server's hint in seconds, or None."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]  # same keywords as APIError
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the server failed; not the caller's fault. ``retry_after``: a 503's hint, or None."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]  # same keywords as APIError
        self.retry_after = retry_after


class IntegrityError(GameServicesError):
    """A downloaded asset does not match its manifest (sha256 or size); the bad part is removed."""


class StorageError(GameServicesError, OSError):
    """A local storage problem: a full disk, an unwritable data directory."""


class OutboxFull(StorageError):
    """The durable score outbox holds as many entries as its cap allows."""


class UsageError(GameServicesError, RuntimeError):
    """The library was used wrongly: closed client or runner, wrong event loop, wrong thread."""


class Disconnected(TransportError):
    """The realtime socket closed (or is reconnecting): a pending call's reply never comes."""


class RealtimeError(GameServicesError):
    """The server refused a realtime request (an ``error`` envelope).

    ``code`` is Nakama's realtime error code (``gameservices.realtime.ErrorCode``: 3 bad input,
    4 match not found, 6 RPC function not found...; 0 when the server sent none), ``message``
    its text and ``context`` its extra details.
    """

    def __init__(self, message: str, *, code: int = 0, context: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.code, self.context = message, code, dict(context or {})

    def __str__(self) -> str:
        return f"realtime error {self.code}: {self.message}"
