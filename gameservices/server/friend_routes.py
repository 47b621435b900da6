"""Friend endpoints: list, add, delete, block, friends of friends, and the provider imports.

Invariants: requests are judged by ``_protocol.friends`` (Nakama's messages, in its order);
edges change in one write job (``friends``), and the notifications a change causes are made
through ``notification_store.notify`` after it commits, as Nakama sends them after its
transaction. Cursors are signed (``SignedCursors``) and name the next row, not an offset. The
provider imports need Facebook or Steam: this server answers them with a clear 400 (code 9).
"""

from __future__ import annotations

from aiohttp import web

from .._protocol import routes as paths
from .._protocol.friends import FriendState, Targets, check_targets, parse_friend_state
from .._protocol.notifications import FRIEND_ACCEPT, FRIEND_REMOVE, FRIEND_REQUEST
from .._protocol.request_rules import string_field
from .._protocol.social_rules import PAGES, parse_page_limit
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .friends import add_friends, block_friends, delete_friends, friends_of_friends, list_friends
from .http import accept, json_response, read_json
from .notification_store import NewNotification, notify
from .social_users import user_ids_by_username
from .state import USER, ServerState, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()
_NO_TARGET = "No valid ID or username was provided."
_BAD_CURSOR = "Cursor is invalid."


def _targets(request: web.Request, verb: str) -> Targets:
    user: Claims = request[USER]
    ids = request.query.getall("ids", [])
    usernames = request.query.getall("usernames", [])
    return accept(check_targets, ids, usernames, user.user_id, user.username, verb)


async def _others(request: web.Request, state: ServerState, verb: str) -> list[str] | None:
    """The users a friend request names, or None when it names nobody (a no-op, as in Nakama)."""
    targets = _targets(request, verb)
    return None if targets.empty else await _resolve(state, targets)


async def _resolve(state: ServerState, targets: Targets) -> list[str]:
    """The ids named, then the ids of the usernames that exist (unknown ones dropped)."""
    named: list[str] = []
    if targets.usernames:
        names = targets.usernames
        named = await state.store.read(lambda conn: user_ids_by_username(conn, names))
    return [*targets.ids, *named]


def _cursor(state: ServerState, request: web.Request, kind: str, size: int) -> list[object] | None:
    raw = request.query.get("cursor", "")
    if raw == "":
        return None
    values = state.social_cursors.decode(raw, kind)
    if values is None or len(values) != size:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, _BAD_CURSOR)
    return values


@routes.get(paths.FRIEND, allow_head=False)
async def list_friends_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    limit = accept(parse_page_limit, request.query.get("limit"), PAGES["friends"])
    wanted = accept(parse_friend_state, request.query.get("state"))
    start = _friend_cursor(state, request, wanted)
    online = state.online.snapshot()
    page = await state.store.read(
        lambda conn: list_friends(conn, user.user_id, wanted, limit, start, online)
    )
    body: dict[str, object] = {}
    if page.friends:
        body["friends"] = page.friends
    if page.next_key is not None:
        body["cursor"] = state.social_cursors.encode("friends", list(page.next_key))
    return json_response(body)


def _friend_cursor(
    state: ServerState, request: web.Request, wanted: FriendState | None
) -> tuple[int, int] | None:
    values = _cursor(state, request, "friends", 2)
    if values is None:
        return None
    cursor_state, position = values
    if not isinstance(cursor_state, int) or not isinstance(position, int):
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, _BAD_CURSOR)
    if wanted is not None and wanted != cursor_state:  # a cursor of another filter
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, _BAD_CURSOR)
    return cursor_state, position


@routes.post(paths.FRIEND)
async def add_friends_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    others = await _others(request, state, "add")
    if others is None:
        return json_response({})
    if not others:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, _NO_TARGET)
    now = int(state.config.clock())
    changed = await state.store.write(lambda txn: add_friends(txn, user.user_id, others, now))
    content = {"username": user.username}
    await notify(
        state,
        [
            NewNotification(
                other,
                f"{user.username} accepted your friend request"
                if accepted
                else f"{user.username} wants to add you as a friend",
                content,
                FRIEND_ACCEPT if accepted else FRIEND_REQUEST,
                user.user_id,
            )
            for other, accepted in changed.items()
        ],
    )
    return json_response({})


@routes.delete(paths.FRIEND)
async def delete_friends_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    others = await _others(request, state, "delete")
    if others is None:
        return json_response({})
    if not others:
        return json_response({})
    told = await state.store.write(lambda txn: delete_friends(txn, user.user_id, others))
    content = {"username": user.username}
    subject = f"{user.username} removed you as a friend"
    await notify(
        state, [NewNotification(o, subject, content, FRIEND_REMOVE, user.user_id) for o in told]
    )
    return json_response({})


@routes.post(paths.FRIEND_BLOCK)
async def block_friends_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    others = await _others(request, state, "block")
    if others is None:
        return json_response({})
    if not others:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, _NO_TARGET)
    now = int(state.config.clock())
    await state.store.write(lambda txn: block_friends(txn, user.user_id, others, now))
    return json_response({})


@routes.get(paths.FRIEND_FRIENDS, allow_head=False)
async def friends_of_friends_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    limit = accept(parse_page_limit, request.query.get("limit"), PAGES["friends_of_friends"])
    values = _cursor(state, request, "fof", 2)
    start = None
    if values is not None:
        if not all(isinstance(v, str) for v in values):
            raise ApiFailure(GrpcCode.INVALID_ARGUMENT, _BAD_CURSOR)
        start = (str(values[0]), str(values[1]))
    online = state.online.snapshot()
    found, next_key = await state.store.read(
        lambda conn: friends_of_friends(conn, user.user_id, limit, start, online)
    )
    body: dict[str, object] = {}
    if found:
        body["friends_of_friends"] = found
    if next_key is not None:
        body["cursor"] = state.social_cursors.encode("fof", list(next_key))
    return json_response(body)


@routes.post(paths.fill(paths.FRIEND_IMPORT, provider="facebook"))
async def import_facebook_route(request: web.Request) -> web.Response:
    token = accept(string_field, await read_json(request), "token")
    if not token:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Facebook token is required.")
    # Deliberate (docs/server.md): Nakama asks Facebook, this server has no Facebook.
    raise ApiFailure(
        GrpcCode.FAILED_PRECONDITION, "Facebook friends import is not supported by this server."
    )


@routes.post(paths.fill(paths.FRIEND_IMPORT, provider="steam"))
async def import_steam_route(request: web.Request) -> web.Response:
    await read_json(request)
    raise ApiFailure(GrpcCode.FAILED_PRECONDITION, "Steam authentication is not configured.")
