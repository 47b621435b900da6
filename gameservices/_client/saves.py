"""``client.saves``: offline-first save slots, kept on disk and synced to storage objects.

Invariants:
- Rule 1: ``save`` returns once the slot's file is durable (``savefiles``): a kill -9 the next
  instant loses nothing. A slot holds one value: a newer save replaces a pending one, and only
  the newest reaches the server (a save slot is state, not a log of events).
- Rule 2: one sender task sends pending slots oldest save first, one write in flight, each a
  storage write of collection ``COLLECTION`` checked against the version the value replaces
  (``"*"`` when none is known), so another device's copy is never overwritten unseen.
- Rule 3: a failed version check reads the server's copy. If it is the value sent (its version is
  the md5 of the text sent: an earlier attempt applied and its answer was lost), the slot is in
  sync. Otherwise ``merge(local, remote)`` decides, and its result is saved and sent against
  the server's version. Without a merge (none given, or it raised), both copies stay in the
  file, the slot waits (``conflicts()``), and ``resolve`` decides: nothing is silently lost.
- Rule 4: offline, 5xx, 401, 429 and unknown outcomes are retried as the outbox retries
  (``retry.decide(..., OUTBOX)``: the client's RetryPolicy backoff, for ever); a refusal for good
  (another 4xx) is kept on the slot (``error``) and logged, and the slot waits for a new save.
- Rule 5: slots belong to the player logged in when they were saved (``saves/<user_id>``); the
  sender sends only the logged-in player's slots. ``load`` works offline (the file), and reads
  the server only for a slot this device never saw.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._config import RetryPolicy
from .._exceptions import (
    Conflict,
    GameServicesError,
    RequestTimeout,
    StorageError,
    TransportError,
    UsageError,
)
from .._lifecycle import Lifecycle
from .._outbox.sender import Sender
from .._protocol.retry import OUTBOX, GiveUp, decide
from .._protocol.storage import StorageId, StorageObject, StorageWrite, version_of
from .._protocol.wire import dumps
from .keeper import SessionKeeper
from .savefiles import SaveFiles, SlotState, check_slot
from .storage import StorageService

__all__ = ["COLLECTION", "Merge", "SaveConflict", "SaveService"]

COLLECTION = "saves"
Merge = Callable[[dict[str, Any], dict[str, Any]], "dict[str, Any] | Awaitable[dict[str, Any]]"]
logger = logging.getLogger("gameservices.saves")


@dataclass(frozen=True)
class SaveConflict:
    """A slot whose server copy changed elsewhere while this device had its own."""

    slot: str
    local: dict[str, Any]
    remote: dict[str, Any]
    remote_version: str


def _detached(value: object) -> dict[str, Any]:
    """A JSON object as the server will hold it: a copy the caller's later edits cannot reach."""
    if not isinstance(value, Mapping):
        raise TypeError(f"a save value must be a JSON object (a dict), not {type(value).__name__}")
    try:
        copy: dict[str, Any] = json.loads(dumps(dict(value)))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"a save value must be JSON-serialisable: {exc}") from None
    return copy


Change = Callable[[SlotState | None], SlotState | None]


class _Player:
    """One player's slots: the files and their states in memory (the files are the truth).

    Every change of a slot goes through ``update``: under one lock, the new state is computed
    from the newest one, written durably, and only then shown in memory, so a failed write
    (a full disk) leaves memory as the disk is, and no two changes interleave.
    """

    def __init__(self, files: SaveFiles, states: list[SlotState]) -> None:
        self.files = files
        self.states = {s.slot: s for s in states}
        self.seq = max((s.seq for s in states), default=0)
        self._lock = asyncio.Lock()

    def next_due(self) -> SlotState | None:
        due = [s for s in self.states.values() if s.pending and not s.conflicted and not s.error]
        return min(due, key=lambda s: s.seq, default=None)

    async def update(self, slot: str, change: Change) -> SlotState | None:
        """Apply ``change`` (old state -> new state, or None for no change) to ``slot``."""
        async with self._lock:
            old = self.states.get(slot)
            new = change(old)
            if new is None or new == old:
                return old
            await self.files.write(new)
            self.states[slot] = new
            if new.seq > self.seq:
                self.seq = new.seq
            return new


class SaveService:
    """``client.saves``. Needs ``Client(data_dir=...)`` and a session (logged in or restored)."""

    def __init__(
        self,
        storage: StorageService,
        sessions: SessionKeeper,
        data_dir: Path | None,
        *,
        retry: RetryPolicy,
        merge: Merge | None = None,
        on_use: Callable[[], None] = lambda: None,
    ) -> None:
        self._storage, self._sessions, self._root = storage, sessions, data_dir
        self._retry, self.merge, self._on_use = retry, merge, on_use
        self._players: dict[str, _Player] = {}
        self._loading: asyncio.Lock | None = None
        self._sender = Sender()
        self.last_error: BaseException | None = None

    @property
    def state(self) -> Lifecycle:
        """NEW until a sender task ran, then OPEN; CLOSED for good."""
        return self._sender.state

    # -- the game's side ---------------------------------------------------------------------

    async def save(self, slot: str, value: Mapping[str, Any]) -> None:
        """Keep ``value`` as ``slot``'s newest value; returns once it is durable on disk."""
        check_slot(slot)
        copy = _detached(value)
        player = await self._player()

        def saved(old: SlotState | None) -> SlotState:
            seq = player.seq + 1
            if old is None:
                return SlotState(slot, copy, seq, pending=True)
            # keeps what the server holds (base) and any conflict still to decide
            return old.but(value=copy, seq=seq, pending=True, error=None)

        await player.update(slot, saved)
        self._ensure_running()
        self._sender.wake()

    async def load(self, slot: str) -> dict[str, Any] | None:
        """The newest value of ``slot`` this device knows (from disk, offline too); for a slot it
        never saw, the server's copy if it can be read now, else None."""
        check_slot(slot)
        player = await self._player()
        state = player.states.get(slot)
        if state is not None:
            return _detached(state.value)
        try:
            found = await self._storage.read([StorageId(COLLECTION, slot)])
        except TransportError:
            return None  # offline: nothing known
        if not found:
            return None
        return _detached((await self._adopt(player, found[0])).value)

    async def pending(self) -> list[str]:
        """Slots whose newest value has not reached the server yet, oldest save first."""
        player = await self._player()
        waiting = [s for s in player.states.values() if s.pending]
        return [s.slot for s in sorted(waiting, key=lambda s: s.seq)]

    async def conflicts(self) -> list[SaveConflict]:
        """Slots changed elsewhere that wait for ``resolve`` (no merge decided them)."""
        player = await self._player()
        return [
            SaveConflict(s.slot, _detached(s.value), _detached(s.remote or {}), s.remote_version)
            for s in sorted(player.states.values(), key=lambda s: s.seq)
            if s.remote_version is not None
        ]

    async def resolve(self, slot: str, value: Mapping[str, Any]) -> None:
        """Decide a conflict: ``value`` replaces both copies (it is sent against the server's)."""
        player, copy = await self._player(), _detached(value)

        def decided(state: SlotState | None) -> SlotState:
            if state is None or state.remote_version is None:
                raise UsageError(f"save slot {slot!r} has no conflict to resolve")
            chosen = state.but(value=copy, seq=player.seq + 1, pending=True, error=None)
            return chosen.but(base=state.remote_version, remote=None, remote_version=None)

        await player.update(check_slot(slot), decided)
        self._ensure_running()
        self._sender.wake()

    async def flush(self, timeout: float | None = None) -> None:
        """Wait until every slot pending now is on the server, or waits on a conflict or an
        error; ``RequestTimeout`` after ``timeout`` seconds (None: for ever, e.g. offline)."""
        player = await self._player()
        self._ensure_running()
        self.retry_now()
        try:
            await asyncio.wait_for(self._settled(player), timeout)
        except asyncio.TimeoutError:
            raise RequestTimeout(
                f"saves flush timed out after {timeout}s with {len(await self.pending())} "
                f"slots pending (last error: {self.last_error})"
            ) from None

    async def _settled(self, player: _Player) -> None:
        while player.next_due() is not None:
            if self.state is Lifecycle.CLOSED:
                raise UsageError("the client was closed while its saves were flushing")
            if not self._sender.running:
                raise self.last_error or UsageError("the saves sender stopped")
            await self._sender.changed()

    def retry_now(self) -> None:
        """Cut a backoff short (the network or the session came back)."""
        self._sender.kick()

    # -- players and files -------------------------------------------------------------------

    def _user(self) -> str:
        self._on_use()
        if self.state is Lifecycle.CLOSED:
            raise UsageError("the client is closed: its saves cannot be used")
        if self._root is None:
            raise UsageError("client.saves needs Client(data_dir=...): the save files live there")
        session = self._sessions.current
        if session is None:
            raise UsageError(
                "client.saves needs a session: log in, or client.auth.restore() the saved one "
                "(which works offline)"
            )
        return session.user_id

    async def _player(self, user: str | None = None) -> _Player:
        user = user or self._user()
        if self._loading is None:
            self._loading = asyncio.Lock()
        async with self._loading:
            if user not in self._players:
                assert self._root is not None  # _user checked
                files = SaveFiles(self._root / "saves" / user)
                try:
                    states = await files.load_all()
                except BaseException:
                    await files.close()
                    raise
                self._players[user] = _Player(files, states)
        return self._players[user]

    async def _adopt(self, player: _Player, obj: StorageObject) -> SlotState:
        """The server's copy of a slot this device did not hold (unless it saved one meanwhile)."""

        def adopted(old: SlotState | None) -> SlotState | None:
            if old is not None:
                return None
            return SlotState(obj.key, dict(obj.value), player.seq + 1, False, base=obj.version)

        state = await player.update(obj.key, adopted)
        assert state is not None  # adopted, or saved meanwhile
        return state

    # -- the sender --------------------------------------------------------------------------

    async def start(self) -> None:
        """Resume sending what a previous run left pending (at ``async with`` and each login)."""
        if self._root is None or self.state is Lifecycle.CLOSED:
            return
        session = self._sessions.current
        if session is None:
            return
        if not await asyncio.to_thread((self._root / "saves" / session.user_id).is_dir):
            return
        try:
            player = await self._player(session.user_id)
        except StorageError as exc:
            logger.warning("saves: cannot resume sending: %s", exc)
            return
        if player.next_due() is not None:
            self._ensure_running()
        self._sender.wake()  # the sender may be idle for want of this player's slots
        self.retry_now()

    def _ensure_running(self) -> None:
        self._sender.start(self._send_forever)

    async def _send_forever(self) -> None:
        failures = 0
        try:
            while True:
                self._sender.next_round()
                session = self._sessions.current
                player = None if session is None else self._players.get(session.user_id)
                state = None if player is None else player.next_due()
                if player is None or state is None:
                    await self._sender.idle()
                    continue
                failures = await self._attempt(player, state, failures)
                self._sender.notify()
        except Exception as exc:  # StorageError from the disk: sending cannot go on
            logger.error("saves: sending stopped: %s: %s", type(exc).__name__, exc)
            self.last_error = exc
            self._sender.notify()

    async def _attempt(self, player: _Player, state: SlotState, failures: int) -> int:
        write = StorageWrite(COLLECTION, state.slot, state.value, version=state.base or "*")
        try:
            (ack,) = await self._storage.write([write])
        except Conflict:
            await self._on_conflict(player, state, write.value_text())
            return 0
        except Exception as exc:
            return await self._on_failure(player, state, exc, failures)
        await self._sent(player, state, ack.version)
        return 0

    async def _sent(self, player: _Player, sent: SlotState, version: str) -> None:
        def synced(now: SlotState | None) -> SlotState | None:
            # saved again meanwhile: the newer value goes next, against the version just written
            return None if now is None else now.but(base=version, pending=now.seq != sent.seq)

        await player.update(sent.slot, synced)

    async def _on_conflict(self, player: _Player, sent: SlotState, text: str) -> None:
        found = await self._storage.read([StorageId(COLLECTION, sent.slot)])
        if not found:  # deleted elsewhere: the next attempt writes it anew ("*")
            await player.update(sent.slot, lambda now: now and now.but(base=None))
            return
        remote = found[0]
        if remote.version == version_of(text):  # an earlier attempt applied; its answer was lost
            await self._sent(player, sent, remote.version)
            return
        local = player.states[sent.slot]  # the newest local value, maybe newer than the one sent
        merged = await self._merge(local, dict(remote.value))

        def decided(now: SlotState | None) -> SlotState | None:
            if now is None or now.seq != local.seq:  # saved again meanwhile: merge that next
                return None
            if merged is None:  # both copies kept, until resolve()
                return now.but(remote=dict(remote.value), remote_version=remote.version)
            return now.but(value=merged, seq=player.seq + 1, base=remote.version)

        state = await player.update(sent.slot, decided)
        if state is not None and state.conflicted:
            logger.warning(
                "saves: slot %r changed on the server meanwhile; both copies are kept until "
                "client.saves.resolve() decides (see client.saves.conflicts())",
                sent.slot,
            )

    async def _merge(self, local: SlotState, remote: dict[str, Any]) -> dict[str, Any] | None:
        if self.merge is None:
            return None
        try:
            result = self.merge(_detached(local.value), _detached(remote))
            if inspect.isawaitable(result):
                result = await result
            return _detached(result)
        except Exception:  # the game's code: logged, and both copies are kept
            logger.exception("saves: merge() failed for slot %r; both copies are kept", local.slot)
            return None

    async def _on_failure(
        self, player: _Player, state: SlotState, exc: Exception, failures: int
    ) -> int:
        self.last_error = exc
        decision = decide(exc, failures, self._retry, OUTBOX)
        if isinstance(decision, GiveUp):
            logger.warning("saves: the server refused slot %r for good: %s", state.slot, exc)
            why = f"{type(exc).__name__}: {exc}"
            await player.update(state.slot, lambda now: now and now.but(error=why))
            return 0
        is_bug = not isinstance(exc, GameServicesError)
        logger.log(
            logging.ERROR if is_bug else logging.INFO,
            "saves: slot %r not sent yet (%d failures in a row), will retry: %s",
            state.slot,
            failures + 1,
            exc,
            exc_info=is_bug,
        )
        await self._sender.backoff(decision.wait, self._retry.sleep)
        return failures + 1

    async def close(self) -> None:
        """Stop sending (pending slots stay on disk for the next start) and close the files."""
        if not await self._sender.close():
            return
        for player in self._players.values():
            await player.files.close()
