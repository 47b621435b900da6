"""Chat history: persistent channel messages in SQLite, and ``GET /v2/channel/{channel_id}``.

Rule 1: a message sent to a channel joined with ``persistence`` is stored before its ack goes
        out (writer thread); updates and removals change or delete the stored row.
Rule 2: history is read newest first (``forward=false``, Nakama's default) or oldest first,
        1-100 a page (default 1, as Nakama), with HMAC-signed cursors naming a position (a
        row sequence) in one channel and direction; a cursor of another channel is refused.
Rule 3: who may read: anyone a room's history; the two users a direct chat's; a group's
        superadmins, admins and members its channel's. Refusals are Nakama's 400s ("Invalid
        channel ID.", "Channel not found.", "Group not found.", in its order: after the cursor).
Rule 4: the table is created on first use (``CREATE TABLE IF NOT EXISTS``), so a database of
        an older version gains it without a schema version of its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import uuid
from typing import Any

from aiohttp import web

from .._protocol import realtime as rt
from .._protocol.chat_history import HISTORY_LIMIT_MAX
from .._protocol.jsonb import jsonb_text
from .._protocol.query_rules import parse_limit
from .._protocol.realtime_wire import dump
from .._protocol.routes import CHANNEL
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .groups import is_member
from .http import accept, json_response, query_bool
from .sqlite_store import Txn
from .state import USER, state_of

__all__ = ["TABLE", "delete_message", "routes", "store_message", "update_message"]

routes = web.RouteTableDef()
TABLE = """CREATE TABLE IF NOT EXISTS channel_messages(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
)"""
_INDEX = (
    "CREATE INDEX IF NOT EXISTS channel_messages_by_channel ON channel_messages(channel_id, seq)"
)


def _ensure(conn: sqlite3.Connection) -> None:
    conn.execute(TABLE)
    conn.execute(_INDEX)


def _body(message: rt.ChannelMessage) -> str:
    """The stored wire object; its content as PostgreSQL's jsonb prints it (Nakama's history
    comes back re-serialised so)."""
    body = dump(message)
    if "content" in body:
        body["content"] = jsonb_text(body["content"])
    return json.dumps(body)


def store_message(txn: Txn, message: rt.ChannelMessage) -> None:
    _ensure(txn.conn)
    txn.conn.execute(
        "INSERT INTO channel_messages(channel_id, message_id, body) VALUES (?, ?, ?)",
        (message.channel_id, message.message_id, _body(message)),
    )


def find_message(
    conn: sqlite3.Connection, channel_id: str, message_id: str
) -> dict[str, Any] | None:
    _ensure(conn)
    row = conn.execute(
        "SELECT body FROM channel_messages WHERE channel_id = ? AND message_id = ?",
        (channel_id, message_id),
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def update_message(txn: Txn, message: rt.ChannelMessage) -> None:
    _ensure(txn.conn)
    txn.conn.execute(
        "UPDATE channel_messages SET body = ? WHERE message_id = ?",
        (_body(message), message.message_id),
    )


def delete_message(txn: Txn, message_id: str) -> None:
    _ensure(txn.conn)
    txn.conn.execute("DELETE FROM channel_messages WHERE message_id = ?", (message_id,))


# -- history (Rules 2, 3) ---------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _cursor(key: bytes, channel_id: str, seq: int, forward: bool) -> str:
    payload = json.dumps([channel_id, seq, forward]).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()[:16]
    return _b64(payload) + "." + _b64(mac)


def _read_cursor(key: bytes, text: str, channel_id: str) -> tuple[int, bool] | None:
    try:
        body, mac = text.split(".")
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        good = hmac.new(key, payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)), good):
            return None
        channel, seq, forward = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if channel != channel_id or not isinstance(seq, int) or not isinstance(forward, bool):
        return None
    return seq, forward


def _page(conn: sqlite3.Connection, channel_id: str, after: int | None, forward: bool,
          limit: int) -> list[tuple[int, str]]:  # fmt: skip
    _ensure(conn)
    op, order = (">", "ASC") if forward else ("<", "DESC")
    where = "" if after is None else f" AND seq {op} ?"
    args: tuple[Any, ...] = (channel_id,) if after is None else (channel_id, after)
    sql = (f"SELECT seq, body FROM channel_messages WHERE channel_id = ?{where} "
           f"ORDER BY seq {order} LIMIT ?")  # fmt: skip
    return list(conn.execute(sql, (*args, limit + 1)))


def _readable(channel_id: str, user_id: str) -> tuple[str, str | None]:
    """Rule 3 without the database: the channel id to read (a group's canonical) and the group
    whose membership decides, if any. 400s as Nakama's for a bad id or another pair's chat."""
    parts = channel_id.split(".")
    if len(parts) != 4 or parts[0] not in ("2", "3", "4"):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Invalid channel ID.")
    if parts[0] == "2" and (parts[1] or parts[2] or not 1 <= len(parts[3].encode()) <= 64):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Invalid channel ID.")
    if parts[0] == "4" and user_id not in (parts[1], parts[2]):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Channel not found.")
    if parts[0] != "3":
        return channel_id, None
    try:
        group_id = str(uuid.UUID(parts[1]))
    except ValueError:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Invalid channel ID.") from None
    if parts[2] or parts[3]:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Invalid channel ID.")
    return f"3.{group_id}..", group_id


@routes.get(CHANNEL)
async def list_channel_messages(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    channel_id = request.match_info["channel_id"]
    limit = accept(parse_limit, request.query.get("limit"), HISTORY_LIMIT_MAX) or 1
    forward = query_bool(request, "forward", False)
    channel_id, group_id = _readable(channel_id, user.user_id)
    key = state.cursors.derive(b"chat history")
    after = None
    raw = request.query.get("cursor", "")
    if raw:
        cursor = _read_cursor(key, raw, channel_id)
        if cursor is None:
            raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Cursor is invalid or expired.")
        after, forward = cursor
    if group_id is not None and not await state.store.read(
        lambda conn: is_member(conn, group_id, user.user_id)
    ):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Group not found.")
    rows = await state.store.read(lambda conn: _page(conn, channel_id, after, forward, limit))
    more = len(rows) > limit
    rows = rows[:limit]
    body: dict[str, Any] = {"messages": [json.loads(b) for _, b in rows]}
    if more:
        body["next_cursor"] = _cursor(key, channel_id, rows[-1][0], forward)
    if rows and after is not None:
        body["prev_cursor"] = _cursor(key, channel_id, rows[0][0], not forward)
    return json_response(body)
