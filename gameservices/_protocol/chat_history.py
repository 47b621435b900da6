"""Chat history over REST (``GET /v2/channel/{channel_id}``): the request and its answer.

Rule 1: ``limit`` 1-100 (Nakama's default when absent is 1: the client always sends one);
        ``forward`` false (the default) is newest first; a ``cursor`` continues a page in the
        direction it was made for.
Rule 2: the answer's messages are the socket's ``ChannelMessage`` records (their content is
        JSON text re-serialised by the server's store); a bad shape is the server's fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._checks import int_between
from .._exceptions import ProtocolError
from . import routes
from .api import Request
from .realtime import ChannelMessage
from .realtime_wire import load

__all__ = ["HISTORY_LIMIT_MAX", "ChannelMessageList", "list_messages", "parse_message_list"]

HISTORY_LIMIT_MAX = 100


@dataclass(frozen=True)
class ChannelMessageList:
    messages: tuple[ChannelMessage, ...] = ()
    next_cursor: str = ""
    prev_cursor: str = ""
    cacheable_cursor: str = ""


def list_messages(
    channel_id: str, *, limit: int = 20, forward: bool = False, cursor: str | None = None
) -> Request:
    limit = int_between("limit", limit, 1, HISTORY_LIMIT_MAX)
    query = [("limit", str(limit)), ("forward", "true" if forward else "false")]
    if cursor:
        query.append(("cursor", cursor))
    return Request("GET", routes.fill(routes.CHANNEL, channel_id=channel_id), tuple(query))


def parse_message_list(obj: dict[str, Any]) -> ChannelMessageList:
    try:
        messages = tuple(load(ChannelMessage, m, "messages") for m in obj.get("messages") or [])
        cursors = [obj.get(k) or "" for k in ("next_cursor", "prev_cursor", "cacheable_cursor")]
    except ValueError as exc:
        raise ProtocolError(f"server sent a bad channel message list: {exc}") from None
    if any(not isinstance(c, str) for c in cursors):
        raise ProtocolError("server sent a cursor that is not a string")
    return ChannelMessageList(messages, *cursors)
