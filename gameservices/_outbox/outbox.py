"""``client.outbox``: durable submits, and the background task that delivers them in order.

Invariants:
- Rule 1: one delivery task per outbox, sending one entry at a time, oldest first. An entry
  leaves the active queue only after ``send`` returned (a 2xx: removed) or failed permanently
  (a 4xx other than 401/408/429: moved to the dead letters and logged). Everything else (offline,
  timeouts, 5xx, 401, 429, an unknown outcome, even a bug) is retried after a full-jitter backoff
  from the client's RetryPolicy, for ever: a queued score is never dropped for being late.
- Rule 2: every attempt sends the entry's own idempotency key, so a resend after an unknown
  outcome (a timeout, a crash between the server's commit and our delete) is applied at most
  once by a server that honours keys.
- Rule 3: an entry is sent as the user who submitted it (``owner``), never as another player: while
  someone else is logged in it waits like an offline entry.
- Rule 4: the task starts lazily: at the first submit, when entries remain from a previous run
  (``start()`` at ``async with Client``, ``resume()`` when a session is set), or at ``flush()``.
  It runs in an empty context (not that of the runner task that started it); ``close()``
  cancels and awaits it. CancelledError is never caught.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._config import RetryPolicy
from .._exceptions import (
    APIError,
    GameServicesError,
    RateLimited,
    RequestTimeout,
    StorageError,
    UsageError,
)
from .._protocol.wire import Operator
from .db import OutboxEntry
from .store import OutboxStore, StoreState, Submission, new_entry

if TYPE_CHECKING:
    from .._client.client import Client

__all__ = ["Outbox", "SendFn", "client_outbox", "is_permanent"]

SendFn = Callable[[OutboxEntry], Awaitable[object]]
_RETRYABLE_4XX = frozenset({401, 408, 429})
_MAX_BACKOFF_EXPONENT = 30  # 2**30 * base is far past any cap; keeps the float finite
logger = logging.getLogger("gameservices.outbox")


def is_permanent(exc: BaseException) -> bool:
    """A failure that no resend can fix: the server refused the write itself (4xx)."""
    return (
        isinstance(exc, APIError) and 400 <= exc.status < 500 and exc.status not in _RETRYABLE_4XX
    )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class OutboxState(enum.Enum):
    IDLE = "idle"  # no delivery task yet
    RUNNING = "running"
    CLOSED = "closed"


class Outbox:
    """The durable score queue of a client (``client.outbox``).

    ``store`` is None when the client has no ``data_dir``: submits are then refused.
    """

    def __init__(
        self,
        store: OutboxStore | None,
        send: SendFn,
        *,
        retry: RetryPolicy | None = None,
        whoami: Callable[[], str | None] = lambda: None,
        on_use: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._on_use = on_use  # the client's open(): refuses when closed, joins runner.close()
        self._send = send
        self._whoami = whoami  # the logged-in user id, recorded as each entry's owner
        self._retry = retry or RetryPolicy()
        self.state = OutboxState.IDLE
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()  # new work was appended
        self._kick = asyncio.Event()  # cut the current backoff short
        self._progress = asyncio.Event()  # replaced after each set: "something changed"
        self._done_upto = 0  # highest seq removed or buried by this task (delivery is in order)
        self._buried: list[tuple[int, BaseException]] = []
        self._fatal: BaseException | None = None
        self.last_error: BaseException | None = None

    def _need_store(self) -> OutboxStore:
        self._on_use()
        if self.state is OutboxState.CLOSED:
            raise UsageError("the client is closed: its score outbox cannot be used")
        if self._store is None:
            raise UsageError(
                "leaderboards.submit needs Client(data_dir=...): the outbox lives there"
            )
        return self._store

    async def submit(
        self,
        board: str,
        score: int,
        subscore: int = 0,
        metadata: Mapping[str, Any] | None = None,
        operator: Operator | str | int | None = None,
    ) -> Submission:
        """Append a leaderboard write; returns once it is on disk. Delivery happens later."""
        store = self._need_store()
        new = new_entry(board, score, subscore, metadata, operator, owner=self._whoami())
        entry = await store.append(new)
        self._ensure_running()
        self._wake.set()
        return Submission(entry.seq, entry.idempotency_key)

    async def start(self) -> None:
        """Start delivering if entries remain from a previous run (at ``async with Client``).

        Without an outbox file there is nothing to resume, so nothing is created or locked.
        Storage trouble is logged, not raised: the game can still play online, and the next
        ``submit`` raises it to the caller.
        """
        store = self._store
        if store is None or self.state is OutboxState.CLOSED:
            return
        if store.state is StoreState.NEW and not await asyncio.to_thread(store.path.exists):
            return
        try:
            await store.open()
        except StorageError as exc:
            logger.warning("outbox: cannot resume delivery: %s", exc)
            return
        if store.active_count:
            self._ensure_running()

    async def resume(self) -> None:
        """A session is ready: start delivering leftovers now, cutting any backoff short."""
        await self.start()
        self.retry_now()

    async def pending(self) -> list[OutboxEntry]:
        """Entries not yet acknowledged by the server, oldest first."""
        return [] if self._store is None else await self._need_store().pending()

    async def dead_letters(self) -> list[OutboxEntry]:
        """Entries the server refused for good (their ``last_error`` says why), oldest first."""
        return [] if self._store is None else await self._need_store().dead_letters()

    async def purge_dead_letters(self) -> int:
        """Forget every dead letter; returns how many there were."""
        return 0 if self._store is None else await self._need_store().purge_dead_letters()

    def retry_now(self) -> None:
        """Cut a backoff short (call it when the network or the session comes back)."""
        self._kick.set()

    async def flush(self, timeout: float | None = None) -> None:
        """Deliver every entry pending now; raise if one failed for good or time ran out.

        Raises the server's APIError for the first entry that was dead-lettered during this
        flush, RequestTimeout after ``timeout`` seconds (None: wait for ever, e.g. while offline),
        the StorageError that stopped delivery, or UsageError if the client closes meanwhile.
        """
        if self._store is None:
            return
        start = self._done_upto  # entries settled before this call are not this flush's concern
        await self._need_store().open()
        if self._store.active_count:
            self._ensure_running()
        target = await self._need_store().last_seq()
        self.retry_now()
        try:
            await asyncio.wait_for(self._wait_delivered(target), timeout)
        except asyncio.TimeoutError:
            raise RequestTimeout(
                f"outbox flush timed out after {timeout}s with {self._store.active_count} "
                f"entries pending (last error: {self.last_error})"
            ) from None
        for seq, exc in self._buried:
            if start < seq <= target:
                raise exc

    async def _wait_delivered(self, target: int) -> None:
        assert self._store is not None  # flush checked
        while self._done_upto < target and self._store.active_count:
            if self._fatal is not None:
                raise self._fatal
            if self.state is OutboxState.CLOSED:
                raise UsageError("the client was closed while its outbox was flushing")
            await self._progress.wait()

    def _ensure_running(self) -> None:
        if self.state is OutboxState.CLOSED or (self._task is not None and not self._task.done()):
            return
        self._fatal = None
        loop = asyncio.get_running_loop()
        # An empty context: the task outlives the runner task that happened to start it.
        self._task = contextvars.Context().run(loop.create_task, self._deliver_forever())
        self.state = OutboxState.RUNNING

    def _notify(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    async def _deliver_forever(self) -> None:
        assert self._store is not None  # only started with a store
        failures = 0
        try:
            while True:
                self._wake.clear()  # before peek: an append after this point wakes us again
                entry = await self._store.peek()
                if entry is None:
                    self._notify()
                    await self._wake.wait()
                    continue
                failures = await self._attempt(entry, failures)
        except Exception as exc:  # StorageError from the disk: delivery cannot go on
            logger.error("outbox: delivery stopped: %s", _describe(exc))
            self._fatal = exc
            self._notify()

    async def _attempt(self, entry: OutboxEntry, failures: int) -> int:
        """One delivery attempt; returns the new count of consecutive failures."""
        assert self._store is not None
        try:
            await self._send(entry)
        except Exception as exc:
            self.last_error = exc
            if is_permanent(exc):
                await self._bury(entry, exc)
                return 0
            await self._store.record_failure(entry.seq, _describe(exc))
            self._log_retry(entry, exc, failures)
            await self._backoff(exc, failures)
            return failures + 1
        await self._store.remove(entry.seq)
        self._done_upto = entry.seq
        self._notify()
        return 0

    async def _bury(self, entry: OutboxEntry, exc: BaseException) -> None:
        assert self._store is not None
        await self._store.bury(entry.seq, _describe(exc))
        logger.warning(
            "outbox: the server refused score #%d for board %r for good; kept as a dead "
            "letter (client.outbox.dead_letters()): %s",
            entry.seq,
            entry.board,
            _describe(exc),
        )
        self._buried = [*self._buried[-99:], (entry.seq, exc)]
        self._done_upto = entry.seq
        self._notify()

    def _log_retry(self, entry: OutboxEntry, exc: BaseException, failures: int) -> None:
        is_bug = not isinstance(exc, GameServicesError)  # logged loudly, yet still retried
        level = logging.ERROR if is_bug else logging.INFO if failures == 0 else logging.DEBUG
        logger.log(
            level,
            "outbox: score #%d not delivered yet (%d failures in a row), will retry: %s",
            entry.seq,
            failures + 1,
            _describe(exc),
            exc_info=is_bug,
        )

    async def _backoff(self, exc: BaseException, failures: int) -> None:
        delay = self._retry.backoff(min(failures, _MAX_BACKOFF_EXPONENT))
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            delay = max(delay, exc.retry_after)
        sleeper = asyncio.ensure_future(self._retry.sleep(delay))
        kicked = asyncio.ensure_future(self._kick.wait())
        try:
            await asyncio.wait({sleeper, kicked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleeper, kicked):
                waiter.cancel()
            await asyncio.wait({sleeper, kicked})
        self._kick.clear()  # a kick counts once, whenever it came since the last backoff

    async def close(self) -> None:
        """Stop delivering (entries stay on disk for the next start) and close the file."""
        if self.state is OutboxState.CLOSED:
            return
        self.state = OutboxState.CLOSED
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})  # our own cancellation, if any, still propagates
        self._notify()
        if self._store is not None:
            await self._store.close()


def client_outbox(client: Client) -> Outbox:
    """The outbox of a client: each entry goes out through ``client.leaderboards.write`` with its
    own idempotency key, as the user who submitted it (never credited to another player)."""

    def whoami() -> str | None:
        return None if client.session is None else client.session.user_id

    async def send(entry: OutboxEntry) -> None:
        if entry.owner is not None and entry.owner != whoami():
            raise UsageError(
                f"score #{entry.seq} was submitted by user {entry.owner}; it is sent once that "
                "user is logged in again (the scores queued after it wait too)"
            )
        await client.leaderboards.write(
            entry.board,
            entry.score,
            subscore=entry.subscore,
            metadata=entry.metadata,
            operator=entry.operator,
            idempotency_key=entry.idempotency_key,
        )

    store = None if client.data_dir is None else OutboxStore(client.data_dir)
    return Outbox(store, send, retry=client.retry, whoami=whoami, on_use=client._open)
