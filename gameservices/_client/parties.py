"""``client.parties``: list parties (build -> send -> parse, ``_protocol.parties``); parties are
made, joined and left on the realtime socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .._config import DEFAULT
from .._protocol.operations import covers
from .._protocol.parties import Party, PartyList, PartyQuery, list_parties, parse_party_list
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["PartyService"]


class PartyService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_ListParties")
    async def list(
        self,
        *,
        limit: int | None = None,
        open: bool | None = None,
        query: str | None = None,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> PartyList:
        """Parties that are not hidden (1-100, Nakama's default 10); ``open`` keeps open (or
        closed) ones, ``query`` is a Bluge query on their labels; ``.cursor`` for the next page."""
        req = list_parties(PartyQuery(limit, open, query, cursor))
        return await self._caller.send(req, parse_party_list, timeout)

    @covers("Nakama_ListParties")
    async def iterate(
        self,
        *,
        open: bool | None = None,
        query: str | None = None,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[Party]:
        """Every listed party, page by page, following ``cursor``."""
        pages = follow_cursor(
            lambda cursor: self.list(
                limit=page_size, open=open, query=query, cursor=cursor, timeout=timeout
            ),
            lambda page: (page.parties, page.cursor),
        )
        async for party in pages:
            yield party
