"""``client.leaderboards``: write, list, around, iterate, delete. Each is build -> send -> parse.

Invariant: every write carries an ``Idempotency-Key`` (fresh unless the caller passes one), so a
resend after an unknown outcome applies it at most once on a server that honours keys.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from .._config import DEFAULT
from .._outbox.outbox import Outbox
from .._outbox.store import Submission
from .._protocol import api
from .._protocol.models import (
    LeaderboardRecord,
    LeaderboardRecordList,
    parse_empty,
    parse_record,
    parse_record_list,
)
from .._protocol.operations import covers
from .._protocol.wire import Operator
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["LeaderboardService"]


class LeaderboardService:
    """Sees its client only through ``Caller``, and the score outbox for ``submit``."""

    def __init__(self, caller: Caller, outbox: Outbox) -> None:
        self._caller, self._outbox = caller, outbox

    @covers("Nakama_WriteLeaderboardRecord")
    async def write(
        self,
        board_id: str,
        score: int,
        *,
        subscore: int = 0,
        metadata: Mapping[str, Any] | None = None,
        operator: Operator | str | int | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> LeaderboardRecord:
        """Post a score; ``operator`` None uses the board's default. Returns the stored record."""
        req = api.write_record(
            board_id,
            score,
            subscore=subscore,
            metadata=metadata,
            operator=operator,
            idempotency_key=idempotency_key,
        )
        return await self._caller.send(req, parse_record, timeout)

    @covers("Nakama_WriteLeaderboardRecord")
    async def submit(
        self,
        board_id: str,
        score: int,
        *,
        subscore: int = 0,
        metadata: Mapping[str, Any] | None = None,
        operator: Operator | str | int | None = None,
    ) -> Submission:
        """Queue a score durably: returns once it is on disk; ``client.outbox`` delivers it."""
        return await self._outbox.submit(board_id, score, subscore, metadata, operator)

    @covers("Nakama_ListLeaderboardRecords")
    async def list(
        self,
        board_id: str,
        *,
        limit: int = 10,
        cursor: str | None = None,
        owner_ids: Iterable[str] | None = None,
        expiry: int | None = None,
        timeout: Timeout = DEFAULT,
    ) -> LeaderboardRecordList:
        """A page of the top records (1-1000); ``owner_ids`` fills ``owner_records``."""
        req = api.list_records(
            board_id, limit=limit, cursor=cursor, owner_ids=owner_ids, expiry=expiry
        )
        return await self._caller.send(req, parse_record_list, timeout)

    @covers("Nakama_ListLeaderboardRecordsAroundOwner")
    async def around(
        self,
        board_id: str,
        owner_id: str | None = None,
        *,
        limit: int = 5,
        cursor: str | None = None,
        expiry: int | None = None,
        timeout: Timeout = DEFAULT,
    ) -> LeaderboardRecordList:
        """Records around ``owner_id`` (None: the logged-in player), 1-100 of them."""
        if owner_id is None:
            owner_id = self._caller.sessions.require().user_id
        req = api.list_records_around(board_id, owner_id, limit=limit, cursor=cursor, expiry=expiry)
        return await self._caller.send(req, parse_record_list, timeout)

    @covers("Nakama_ListLeaderboardRecords")
    async def iterate(
        self, board_id: str, *, page_size: int = 100, timeout: Timeout = DEFAULT
    ) -> AsyncIterator[LeaderboardRecord]:
        """Every record in rank order, page by page, following ``next_cursor``."""
        pages = follow_cursor(
            lambda cursor: self.list(board_id, limit=page_size, cursor=cursor, timeout=timeout),
            lambda page: (page.records, page.next_cursor),
        )
        async for record in pages:
            yield record

    @covers("Nakama_DeleteLeaderboardRecord")
    async def delete(
        self, board_id: str, *, idempotency_key: str | None = None, timeout: Timeout = DEFAULT
    ) -> None:
        """Delete the logged-in player's record on ``board_id``."""
        req = api.delete_record(board_id, idempotency_key=idempotency_key)
        await self._caller.send(req, parse_empty, timeout)
