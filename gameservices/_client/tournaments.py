"""``client.tournaments``: list (and iterate), join, write, submit, delete, records, around.
Each is build -> send -> parse; records are leaderboard records (``LeaderboardRecord``).

Invariant: as on leaderboards, every write carries an ``Idempotency-Key`` (fresh unless given),
and ``submit`` queues the write in the same durable outbox, delivered once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from .._config import DEFAULT
from .._outbox.outbox import Outbox
from .._outbox.store import Submission
from .._protocol import tournaments as wire
from .._protocol.models import (
    LeaderboardRecord,
    LeaderboardRecordList,
    parse_empty,
    parse_record,
    parse_record_list,
)
from .._protocol.operations import covers
from .._protocol.tournaments import Tournament, TournamentList
from .._protocol.wire import Operator
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["TournamentService"]


class TournamentService:
    """Sees its client only through ``Caller``, and the score outbox for ``submit``."""

    def __init__(self, caller: Caller, outbox: Outbox) -> None:
        self._caller, self._outbox = caller, outbox

    @covers("Nakama_ListTournaments")
    async def list(
        self,
        *,
        category_start: int | None = None,
        category_end: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> TournamentList:
        """A page of current and upcoming tournaments (Nakama's default: up to 100), in start
        order; categories 0-127; times in epoch seconds (``end_time=0``: never-ending ones)."""
        req = wire.list_tournaments(
            category_start=category_start,
            category_end=category_end,
            start_time=start_time,
            end_time=end_time,
            limit=limit,
            cursor=cursor,
        )
        return await self._caller.send(req, wire.parse_tournament_list, timeout)

    @covers("Nakama_ListTournaments")
    async def iterate(
        self,
        *,
        category_start: int | None = None,
        category_end: int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[Tournament]:
        """Every tournament ``list`` would give, page after page."""
        pages = follow_cursor(
            lambda cursor: self.list(
                category_start=category_start,
                category_end=category_end,
                start_time=start_time,
                end_time=end_time,
                limit=page_size,
                cursor=cursor,
                timeout=timeout,
            ),
            lambda page: (page.tournaments, page.cursor),
        )
        async for tournament in pages:
            yield tournament

    @covers("Nakama_JoinTournament")
    async def join(self, tournament_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Join (needed before writing to a tournament with ``join_required``); joining twice,
        or a tournament that needs no join, is fine."""
        await self._caller.send(wire.join_tournament(tournament_id), parse_empty, timeout)

    @covers("Nakama_WriteTournamentRecord")
    async def write(
        self,
        tournament_id: str,
        score: int,
        *,
        subscore: int = 0,
        metadata: Mapping[str, Any] | None = None,
        operator: Operator | str | int | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> LeaderboardRecord:
        """Post a score; ``operator`` None uses the tournament's. Returns the stored record."""
        req = wire.write_tournament_record(
            tournament_id,
            score,
            subscore=subscore,
            metadata=metadata,
            operator=operator,
            idempotency_key=idempotency_key,
        )
        return await self._caller.send(req, parse_record, timeout)

    @covers("Nakama_WriteTournamentRecord")
    async def submit(
        self,
        tournament_id: str,
        score: int,
        *,
        subscore: int = 0,
        metadata: Mapping[str, Any] | None = None,
        operator: Operator | str | int | None = None,
    ) -> Submission:
        """Queue a score durably: returns once it is on disk; ``client.outbox`` delivers it."""
        return await self._outbox.submit(
            tournament_id, score, subscore, metadata, operator, kind="tournament"
        )

    @covers("Nakama_DeleteTournamentRecord")
    async def delete(self, tournament_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Delete the logged-in player's record of the current period."""
        req = wire.delete_tournament_record(tournament_id)
        await self._caller.send(req, parse_empty, timeout)

    @covers("Nakama_ListTournamentRecords")
    async def records(
        self,
        tournament_id: str,
        *,
        owner_ids: Iterable[str] = (),
        limit: int | None = None,
        cursor: str | None = None,
        expiry: int | None = None,
        timeout: Timeout = DEFAULT,
    ) -> LeaderboardRecordList:
        """A page of the current period's records, best first (1-100; Nakama's default 10);
        ``owner_ids`` fills ``owner_records``; ``expiry`` names an earlier period."""
        req = wire.list_tournament_records(
            tournament_id, owner_ids=owner_ids, limit=limit, cursor=cursor, expiry=expiry
        )
        return await self._caller.send(req, parse_record_list, timeout)

    @covers("Nakama_ListTournamentRecordsAroundOwner")
    async def around(
        self,
        tournament_id: str,
        owner_id: str | None = None,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        expiry: int | None = None,
        timeout: Timeout = DEFAULT,
    ) -> LeaderboardRecordList:
        """Records around ``owner_id`` (None: the logged-in player), 1-100 (Nakama's default
        100). As on Nakama, ``prev_cursor`` repeats ``next_cursor``."""
        if owner_id is None:
            owner_id = self._caller.sessions.require().user_id
        req = wire.list_tournament_records_around(
            tournament_id, owner_id, limit=limit, cursor=cursor, expiry=expiry
        )
        return await self._caller.send(req, parse_record_list, timeout)
