"""The one retry decision: attempt ``n`` failed with error ``e``: wait how long, or give up with
which error. Pure: plain values in, a ``Retry`` or a ``GiveUp`` out; the loops sleep.

Every loop that retries asks ``decide``: API calls, the asset manifest, asset downloads, the
score outbox (and the realtime socket's reconnect, later). An ``Operation`` says what was
attempted; its presets name each loop's case.

Rule 1, what happened (``kind``): NOT_SENT (``ConnectError``), THROTTLED (429),
        MAYBE_APPLIED (a timeout, a lost connection, 500/502/503/504), UNREADABLE (a
        ``ProtocolError``: a garbled answer, or a body cut short), REFUSED (any other answer
        from the server) and OTHER (anything else: integrity, storage, usage, bugs).
Rule 2, what is resent: NOT_SENT and THROTTLED always (nothing was applied); MAYBE_APPLIED
        when a resend cannot apply a write twice (the operation is idempotent, or carries a key
        the server has shown it honours); UNREADABLE only when a cut-short body is the normal
        case (``resumable``: downloads). REFUSED and OTHER never, except in a ``persistent``
        loop (the outbox), which gives up only on a 4xx other than 401/408/429, because no
        resend can fix those.
Rule 3, how long: full jitter from the ``RetryPolicy`` (``backoff(n)``), and never less than
        the server's ``Retry-After`` on a 429 or 503.
Rule 4, Retry-After cap: a ``Retry-After`` over the operation's ``patience`` (60 s,
        ``MAX_RETRY_AFTER``, for every loop a caller waits on) is not slept: the loop gives up
        with the server's error, whose ``retry_after`` tells the caller when to come back. The
        outbox waits on nobody: its patience is unbounded, so it sleeps whatever it is told.
Rule 5, attempts: a loop gives up once ``policy.max_attempts`` attempts failed; a persistent
        loop never runs out.
Rule 6, unknown outcome: a non-idempotent write that gives up after it may have applied (this
        attempt or an earlier one, ``maybe_applied``) ends as ``OutcomeUnknown`` carrying its
        idempotency key, with the last error as its cause.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from .._exceptions import (
    APIError,
    ConnectError,
    OutcomeUnknown,
    ProtocolError,
    RateLimited,
    ServerError,
    TransportError,
)
from .api import Request

__all__ = [
    "DOWNLOAD",
    "MAX_RETRY_AFTER",
    "OUTBOX",
    "READ",
    "RETRY_STATUSES",
    "Backoff",
    "Decision",
    "GiveUp",
    "Kind",
    "Operation",
    "Retry",
    "decide",
    "for_request",
    "hinted_wait",
    "kind",
    "may_have_applied",
]

MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({500, 502, 503, 504})
_PERSISTENT_4XX = frozenset({401, 408, 429})  # a session, a slow moment, a rate: all pass


class Backoff(Protocol):
    """The part of ``RetryPolicy`` the decision reads (``_protocol`` imports no asyncio)."""

    @property
    def max_attempts(self) -> int: ...

    def backoff(self, attempt: int) -> float: ...


class Kind(enum.Enum):
    NOT_SENT = "not sent"
    THROTTLED = "throttled"
    MAYBE_APPLIED = "maybe applied"
    UNREADABLE = "unreadable"
    REFUSED = "refused"
    OTHER = "other"


@dataclass(frozen=True)
class Operation:
    """What was attempted, as far as resending it matters (see the Rules)."""

    label: str = ""  # "POST /v2/leaderboard/kills": named by OutcomeUnknown
    idempotent: bool = True  # a blind resend cannot apply it twice (GET, DELETE, BEST/SET)
    idempotency_key: str | None = None
    keys_honoured: bool = False  # the server has echoed an Idempotency-Key: it applies once
    maybe_applied: bool = False  # an earlier attempt may have applied it
    resumable: bool = False  # a body cut short is normal (downloads resume it)
    persistent: bool = False  # never runs out of attempts; gives up only on a lasting refusal
    patience: float | None = MAX_RETRY_AFTER  # the longest Retry-After slept; None: any

    @property
    def replay_safe(self) -> bool:
        return self.idempotent or (self.idempotency_key is not None and self.keys_honoured)


READ = Operation()
DOWNLOAD = Operation(resumable=True)  # a GET of a file from an asset host or CDN
OUTBOX = Operation(persistent=True, patience=None)  # each entry resends its own key


@dataclass(frozen=True)
class Retry:
    """Wait ``wait`` seconds, then try again."""

    wait: float


@dataclass(frozen=True)
class GiveUp:
    """Stop and hand ``error`` to the caller."""

    error: Exception


Decision = Retry | GiveUp


def for_request(req: Request, *, keys_honoured: bool, maybe_applied: bool) -> Operation:
    """The operation an API request is, given what the client has learned so far."""
    return Operation(
        label=f"{req.method} {req.path}",
        idempotent=req.idempotent,
        idempotency_key=req.idempotency_key,
        keys_honoured=keys_honoured,
        maybe_applied=maybe_applied,
    )


def kind(error: BaseException) -> Kind:
    """Rule 1: what a failure says about the request."""
    if isinstance(error, ConnectError):
        return Kind.NOT_SENT
    if isinstance(error, RateLimited):
        return Kind.THROTTLED
    if isinstance(error, ProtocolError):
        return Kind.UNREADABLE
    if isinstance(error, TransportError):  # timeouts, lost connections, OutcomeUnknown
        return Kind.MAYBE_APPLIED
    if isinstance(error, ServerError) and error.status in RETRY_STATUSES:
        return Kind.MAYBE_APPLIED
    if isinstance(error, APIError):
        return Kind.REFUSED
    return Kind.OTHER


def may_have_applied(error: BaseException) -> bool:
    """The request may have reached the server, and we do not know what it did."""
    return kind(error) is Kind.MAYBE_APPLIED


def hinted_wait(error: BaseException) -> float | None:
    """The server's ``Retry-After`` carried by a 429 or 503, in seconds."""
    if isinstance(error, (RateLimited, ServerError)):
        return error.retry_after
    return None


def decide(
    error: Exception, attempt: int, policy: Backoff, operation: Operation = READ
) -> Decision:
    """After 0-based ``attempt`` of ``operation`` failed with ``error``: wait, or give up."""
    what = kind(error)
    if not _resendable(what, error, operation):
        return _give_up(what, error, operation)
    if not operation.persistent and attempt + 1 >= policy.max_attempts:
        return _give_up(what, error, operation)
    wait = policy.backoff(attempt)
    hint = hinted_wait(error)
    if hint is not None:
        if operation.patience is not None and hint > operation.patience:
            return _give_up(what, error, operation)
        wait = max(wait, hint)
    return Retry(wait)


def _resendable(what: Kind, error: Exception, op: Operation) -> bool:
    if what in (Kind.NOT_SENT, Kind.THROTTLED):
        return True
    if op.persistent:
        return not _lasting_refusal(error)
    if what is Kind.MAYBE_APPLIED:
        return op.replay_safe
    return what is Kind.UNREADABLE and op.resumable


def _lasting_refusal(error: Exception) -> bool:
    return (
        isinstance(error, APIError)
        and 400 <= error.status < 500
        and error.status not in _PERSISTENT_4XX
    )


def _give_up(what: Kind, error: Exception, op: Operation) -> GiveUp:
    if op.idempotent or isinstance(error, OutcomeUnknown):
        return GiveUp(error)
    if op.maybe_applied or what is Kind.MAYBE_APPLIED or what is Kind.UNREADABLE:
        return GiveUp(_unknown(op, error))  # did it apply? only the key can tell
    return GiveUp(error)


def _unknown(op: Operation, error: Exception) -> OutcomeUnknown:
    unknown = OutcomeUnknown(
        f"{op.label or 'the write'}: the write may or may not have applied ({error}); "
        "resend with the same idempotency key to apply it at most once",
        idempotency_key=op.idempotency_key,
    )
    unknown.__cause__ = error  # what ``raise unknown from error`` records
    return unknown
