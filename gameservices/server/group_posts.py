"""The messages a group job's ``Posted`` makes (``group_chat`` Rules 1 and 2), stored in that
job's transaction; what the realtime socket then pushes."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping, Sequence

from .._protocol import realtime as rt
from .._protocol.fields import format_rfc3339, format_rfc3339_micro
from .chat_store import store_message
from .group_chat import LOSES_CHANNEL, GroupPosted, Posted, group_channel_id
from .sqlite_store import Txn

__all__ = ["post_changes"]


def _usernames(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    marks = ",".join("?" * len(ids))
    sql = f"SELECT uuid, username FROM users WHERE uuid IN ({marks})"  # marks only
    rows = conn.execute(sql, list(ids))
    return {str(uid): str(name) for uid, name in rows}


def _message(group_id: str, message_id: str, code: int, user_id: str, username: str,
             when: str) -> rt.ChannelMessage:  # fmt: skip
    return rt.ChannelMessage(
        group_channel_id(group_id), message_id, code, user_id, username, {}, when, when, True,
        "", group_id, "", "",
    )  # fmt: skip


def post_changes(txn: Txn, group_id: str, posted: Posted, at: float,
                 known: Mapping[str, str] | None = None) -> GroupPosted:  # fmt: skip
    """Store the messages ``posted`` makes (Rules 1, 2), in the change's job; what to push.
    ``known``: usernames already at hand (Nakama names a joiner or leaver by its session)."""
    channel_id = group_channel_id(group_id)
    if posted.gone:
        return GroupPosted(channel_id, gone=True)
    ids = [uid for _, uid in posted.changes]
    names = {**_usernames(txn.conn, ids), **(known or {})} if ids else {}
    pushed = []
    for code, user_id in posted.changes:
        message_id, name = str(uuid.uuid4()), names.get(user_id, "")
        stored = format_rfc3339(int(at))
        store_message(txn, _message(group_id, message_id, code, user_id, name, stored))
        pushed.append(_message(group_id, message_id, code, user_id, name, format_rfc3339_micro(at)))
    removed = frozenset(uid for code, uid in posted.changes if code in LOSES_CHANNEL)
    return GroupPosted(channel_id, tuple(pushed), removed)
