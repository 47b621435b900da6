"""``client.matches``: list running matches, and the matchmaker's stats (build -> send ->
parse)."""

from __future__ import annotations

from .._config import DEFAULT
from .._protocol.matches import MatchFilter, MatchList, list_matches, parse_match_list
from .._protocol.matchmaker_stats import MatchmakerStats, matchmaker_stats, parse_matchmaker_stats
from .._protocol.operations import covers
from .calls import Caller, Timeout

__all__ = ["MatchService"]


class MatchService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_ListMatches")
    async def list(
        self,
        *,
        query: str | None = None,
        label: str | None = None,
        authoritative: bool | None = None,
        min_size: int | None = None,
        max_size: int | None = None,
        limit: int | None = None,
        timeout: Timeout = DEFAULT,
    ) -> MatchList:
        """Running matches (1-100, Nakama's default 10). ``label`` (exact) and ``query`` (a
        Bleve query on labels) filter authoritative matches only; sizes count players."""
        f = MatchFilter(limit, authoritative, label, min_size, max_size, query)
        return await self._caller.send(list_matches(f), parse_match_list, timeout)

    @covers("Nakama_GetMatchmakerStats")
    async def matchmaker_stats(self, *, timeout: Timeout = DEFAULT) -> MatchmakerStats:
        """The matchmaker's waiting tickets and latest matches. Nakama answers what it saw at
        its last matchmaker interval (15 s by default); the reference server, the moment."""
        return await self._caller.send(matchmaker_stats(), parse_matchmaker_stats, timeout)
