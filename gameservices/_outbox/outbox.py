"""``client.outbox``: durable submits, and the background sender that sends them in order.

Invariants:
- Rule 1: one sender task per outbox, sending one entry at a time, oldest first. An entry
  leaves the active queue only after ``send`` returned (a 2xx: removed) or failed permanently
  (``retry.decide`` gives up: a 4xx other than 401/408/429; moved to the dead letters and
  logged). Everything else (offline, timeouts, 5xx, 401, 429, an unknown outcome, even a bug)
  is retried as ``retry.decide(..., OUTBOX)`` says (full jitter from the client's RetryPolicy, at
  least any Retry-After), for ever: a queued score is never dropped for being late.
- Rule 2: every attempt sends the entry's own idempotency key, so a resend after an unknown
  outcome (a timeout, a crash between the server's commit and our delete) is applied at most
  once by a server that honours keys.
- Rule 3: an entry is sent as the user who submitted it (``owner``), never as another player: while
  someone else is logged in it waits like an offline entry (the client's ``send`` refuses it).
- Rule 4: the task starts lazily: at the first submit, when entries remain from a previous run
  (``start()`` at ``async with Client``, ``resume()`` when a session is set), or at ``flush()``.
  It runs in an empty context (not that of the runner task that started it); ``close()``
  cancels and awaits it. CancelledError is never caught.
- Rule 5: this module knows nothing of the client: ``send`` (one leaderboard write),
  ``whoami`` and ``on_use`` (the client's lifecycle check) are handed in by ``_client``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._config import RetryPolicy
from .._exceptions import GameServicesError, RequestTimeout, StorageError, UsageError
from .._lifecycle import Lifecycle
from .._protocol.retry import OUTBOX, GiveUp, decide
from .._protocol.wire import Operator
from .db import OutboxEntry
from .sender import Sender
from .store import OutboxStore, Submission, new_entry

__all__ = ["Outbox", "SendFn", "is_permanent"]

SendFn = Callable[[OutboxEntry], Awaitable[object]]
_SUBMITTERS = {  # what the game called, for the message when there is no data_dir
    "leaderboard": "leaderboards.submit",
    "tournament": "tournaments.submit",
    "event": "events.send",
}
logger = logging.getLogger("gameservices.outbox")


def is_permanent(exc: Exception) -> bool:
    """A failure that no resend can fix: the server refused the write itself (4xx)."""
    return isinstance(decide(exc, 0, RetryPolicy(), OUTBOX), GiveUp)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


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
        self._sender = Sender()
        self._done_upto = 0  # highest seq removed or buried by this task (sent in order)
        self._buried: list[tuple[int, BaseException]] = []
        self._fatal: BaseException | None = None
        self.last_error: BaseException | None = None

    @property
    def state(self) -> Lifecycle:
        """NEW until a sender task ran, then OPEN; CLOSED for good."""
        return self._sender.state

    def _need_store(self, caller: str = "client.outbox") -> OutboxStore:
        self._on_use()
        if self.state is Lifecycle.CLOSED:
            raise UsageError("the client is closed: its outbox cannot be used")
        if self._store is None:
            raise UsageError(f"{caller} needs Client(data_dir=...): the outbox lives there")
        return self._store

    async def submit(
        self,
        board: str,
        score: int,
        subscore: int = 0,
        metadata: Mapping[str, Any] | None = None,
        operator: Operator | str | int | None = None,
        *,
        kind: str = "leaderboard",
    ) -> Submission:
        """Append a leaderboard (or, ``kind="tournament"``, a tournament) write; returns once it
        is on disk. It is sent later."""
        store = self._need_store(_SUBMITTERS.get(kind, "client.outbox"))
        owner = self._whoami()
        new = new_entry(board, score, subscore, metadata, operator, owner=owner, kind=kind)
        entry = await store.append(new)
        self._ensure_running()
        self._sender.wake()
        return Submission(entry.seq, entry.idempotency_key)

    async def start(self) -> None:
        """Start sending if entries remain from a previous run (at ``async with Client``).

        Without an outbox file there is nothing to resume, so nothing is created or locked.
        Storage trouble is logged, not raised: the game can still play online, and the next
        ``submit`` raises it to the caller.
        """
        store = self._store
        if store is None or self.state is Lifecycle.CLOSED:
            return
        if store.state is Lifecycle.NEW and not await asyncio.to_thread(store.path.exists):
            return
        try:
            await store.open()
        except StorageError as exc:
            logger.warning("outbox: cannot resume sending: %s", exc)
            return
        if store.active_count:
            self._ensure_running()

    async def resume(self) -> None:
        """A session is ready: start sending leftovers now, cutting any backoff short."""
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
        self._sender.kick()

    async def flush(self, timeout: float | None = None) -> None:
        """Send every entry pending now; raise if one failed for good or time ran out.

        Raises the server's APIError for the first entry that was dead-lettered during this
        flush, RequestTimeout after ``timeout`` seconds (None: wait for ever, e.g. while offline),
        the StorageError that stopped the sender, or UsageError if the client closes meanwhile.
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
            await asyncio.wait_for(self._wait_sent(target), timeout)
        except asyncio.TimeoutError:
            raise RequestTimeout(
                f"outbox flush timed out after {timeout}s with {self._store.active_count} "
                f"entries pending (last error: {self.last_error})"
            ) from None
        for seq, exc in self._buried:
            if start < seq <= target:
                raise exc

    async def _wait_sent(self, target: int) -> None:
        assert self._store is not None  # flush checked
        while self._done_upto < target and self._store.active_count:
            if self._fatal is not None:
                raise self._fatal
            if self.state is Lifecycle.CLOSED:
                raise UsageError("the client was closed while its outbox was flushing")
            await self._sender.changed()

    def _ensure_running(self) -> None:
        if self._sender.start(self._send_forever):
            self._fatal = None

    async def _send_forever(self) -> None:
        assert self._store is not None  # only started with a store
        failures = 0
        try:
            while True:
                self._sender.next_round()
                entry = await self._store.peek()
                if entry is None:
                    await self._sender.idle()
                    continue
                failures = await self._attempt(entry, failures)
        except Exception as exc:  # StorageError from the disk: sending cannot go on
            logger.error("outbox: sending stopped: %s", _describe(exc))
            self._fatal = exc
            self._sender.notify()

    async def _attempt(self, entry: OutboxEntry, failures: int) -> int:
        """One attempt to send ``entry``; returns the new count of consecutive failures."""
        assert self._store is not None
        try:
            await self._send(entry)
        except Exception as exc:
            self.last_error = exc
            decision = decide(exc, failures, self._retry, OUTBOX)
            if isinstance(decision, GiveUp):
                await self._bury(entry, exc)
                return 0
            await self._store.record_failure(entry.seq, _describe(exc))
            self._log_retry(entry, exc, failures)
            await self._sender.backoff(decision.wait, self._retry.sleep)
            return failures + 1
        await self._store.remove(entry.seq)
        self._done_upto = entry.seq
        self._sender.notify()
        return 0

    async def _bury(self, entry: OutboxEntry, exc: BaseException) -> None:
        assert self._store is not None
        await self._store.bury(entry.seq, _describe(exc))
        logger.warning(
            "outbox: the server refused %s for good; kept as a dead "
            "letter (client.outbox.dead_letters()): %s",
            entry.describe(),
            _describe(exc),
        )
        self._buried = [*self._buried[-99:], (entry.seq, exc)]
        self._done_upto = entry.seq
        self._sender.notify()

    def _log_retry(self, entry: OutboxEntry, exc: BaseException, failures: int) -> None:
        is_bug = not isinstance(exc, GameServicesError)  # logged loudly, yet still retried
        level = logging.ERROR if is_bug else logging.INFO if failures == 0 else logging.DEBUG
        logger.log(
            level,
            "outbox: %s not sent yet (%d failures in a row), will retry: %s",
            entry.describe(),
            failures + 1,
            _describe(exc),
            exc_info=is_bug,
        )

    async def close(self) -> None:
        """Stop sending (entries stay on disk for the next start) and close the file."""
        if not await self._sender.close():
            return
        if self._store is not None:
            await self._store.close()
