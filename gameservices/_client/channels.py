"""``client.channels``: chat history over REST (the socket joins and sends; see ``realtime``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .._config import DEFAULT
from .._protocol.chat_history import ChannelMessageList, list_messages, parse_message_list
from .._protocol.operations import covers
from .._protocol.realtime import ChannelMessage
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["ChannelService"]


class ChannelService:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_ListChannelMessages")
    async def messages(
        self,
        channel_id: str,
        *,
        limit: int = 20,
        forward: bool = False,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> ChannelMessageList:
        """One page of a channel's history: newest first unless ``forward``; ``.next_cursor``
        continues it."""
        req = list_messages(channel_id, limit=limit, forward=forward, cursor=cursor)
        return await self._caller.send(req, parse_message_list, timeout)

    async def iterate(
        self, channel_id: str, *, forward: bool = False, page: int = 100
    ) -> AsyncIterator[ChannelMessage]:
        """Every message of the history, page by page."""
        pages = follow_cursor(
            lambda cursor: self.messages(channel_id, limit=page, forward=forward, cursor=cursor),
            lambda page: (page.messages, page.next_cursor),
        )
        async for message in pages:
            yield message
