"""Notification endpoints: list (oldest first, with a cacheable cursor) and delete.

Invariants: notifications are made only by ``notification_store.notify``; a list always answers
``cacheable_cursor`` (the last one returned, or the cursor it was given when nothing is newer,
or a cursor of the beginning), signed, so a client keeps it and later sees only what is new.
A malformed cursor or notification id is a 400 (Nakama answers 500: docs/server.md).
"""

from __future__ import annotations

from aiohttp import web

from .._protocol import routes as paths
from .._protocol.notifications import parse_notification_ids
from .._protocol.social_rules import PAGES, parse_page_limit
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .http import accept, json_response
from .notification_store import delete_notifications, list_notifications
from .state import USER, ServerState, state_of

__all__ = ["routes"]

routes = web.RouteTableDef()
_KIND = "notifications"


def _after(state: ServerState, raw: str) -> int:
    if raw == "":
        return 0
    values = state.social_cursors.decode(raw, _KIND)
    if values is None or len(values) != 1 or not isinstance(values[0], int):
        # Deliberate (docs/server.md): Nakama answers 500 to a malformed cursor.
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Malformed cursor was used.")
    return values[0]


@routes.get(paths.NOTIFICATION, allow_head=False)
async def list_notifications_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    limit = accept(parse_page_limit, request.query.get("limit"), PAGES["notifications"])
    raw = request.query.get("cacheable_cursor", "")
    after = _after(state, raw)
    notes, last = await state.store.read(
        lambda conn: list_notifications(conn, user.user_id, limit, after)
    )
    body: dict[str, object] = {}
    if notes:
        body["notifications"] = [n.json() for n in notes]
    cursor = raw if last is None and raw else state.social_cursors.encode(_KIND, [last or after])
    body["cacheable_cursor"] = cursor
    return json_response(body)


@routes.delete(paths.NOTIFICATION)
async def delete_notifications_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    # Deliberate (docs/server.md): Nakama answers 500 to an id that is not a UUID.
    ids = accept(parse_notification_ids, request.query.getall("ids", []))
    if ids:
        await state.store.write(lambda txn: delete_notifications(txn, user.user_id, ids))
    return json_response({})
