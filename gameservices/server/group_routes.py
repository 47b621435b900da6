"""Group endpoints: create, update, delete, list; join, leave; add, kick, promote, demote,
ban; a group's members and a player's groups.

Invariants: requests are judged by ``_protocol.groups`` (Nakama's messages, in its order: the
group id, then the user ids) and applied in one write job each (``groups``), whose refusals
are Nakama's statuses; the notifications a change causes (a join request tells the group's
superadmins and admins, an add tells the player added) are made through
``notification_store.notify`` after the commit, and the messages it posts into the group's
channel (``group_chat``) are stored in its job and pushed after the commit. Cursors are
signed (``SignedCursors``); a malformed group list cursor is a 400 (Nakama: 500,
docs/server.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from .._protocol import routes as paths
from .._protocol.groups import (
    GroupRole,
    parse_group_create,
    parse_group_id,
    parse_group_role,
    parse_group_update,
    parse_member_ids,
)
from .._protocol.notifications import GROUP_ADD, GROUP_JOIN_REQUEST
from .._protocol.query_rules import parse_bool
from .._protocol.realtime import MessageCode
from .._protocol.social_rules import PAGES, parse_int32, parse_page_limit
from .._protocol.uuids import canonical_uuid
from .._protocol.wire import GrpcCode
from .errors import ApiFailure
from .group_chat import GroupPosted, Posted, group_channel_id
from .group_posts import post_changes
from .groups import (
    GroupFilter,
    add_members,
    create_group,
    delete_group,
    join_group,
    leave_group,
    list_groups,
    list_members,
    list_user_groups,
    remove_members,
    set_roles,
    update_group,
)
from .http import accept, json_response, read_json
from .notification_store import NewNotification, notify
from .sqlite_store import Txn
from .state import USER, ServerState, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()
T = TypeVar("T")


def _group_id(request: web.Request) -> str:
    return accept(parse_group_id, request.match_info.get("group_id", ""))


def _action_path(action: str) -> str:
    """``/v2/group/{group_id}/join`` and the like: the template with its action filled."""
    return paths.GROUP_ACTION.replace("{action}", action)


def _now(state: ServerState) -> int:
    return int(state.config.clock())


async def _posting(state: ServerState, group_id: str, job: Callable[[Txn], tuple[T, Posted]],
                   user: Claims | None = None) -> T:  # fmt: skip
    """Run a membership job, storing what it posts in its transaction; push that after the
    commit; the job's own result."""
    at = state.config.clock()
    known = {user.user_id: user.username} if user is not None else None

    def run(txn: Txn) -> tuple[T, GroupPosted]:
        result, posted = job(txn)
        return result, post_changes(txn, group_id, posted, at, known)

    result, posted = await state.store.write(run)
    state.group_chat.posted(posted)
    return result


@routes.post(paths.GROUP)
async def create_group_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    create = accept(parse_group_create, await read_json(request))
    now = _now(state)
    body = await state.store.write(lambda txn: create_group(txn, user.user_id, create, now))
    return json_response(body)


@routes.put(paths.GROUP_ID)
async def update_group_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    group_id = _group_id(request)
    update = accept(parse_group_update, await read_json(request))
    now = _now(state)
    await state.store.write(lambda txn: update_group(txn, group_id, user.user_id, update, now))
    return json_response({})


@routes.delete(paths.GROUP_ID)
async def delete_group_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    group_id = _group_id(request)
    await state.store.write(lambda txn: delete_group(txn, group_id, user.user_id))
    state.group_chat.posted(GroupPosted(group_channel_id(group_id), gone=True))
    return json_response({})


@routes.post(_action_path("join"))
async def join_group_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    group_id = _group_id(request)
    now = _now(state)
    staff = await _posting(state, group_id, lambda t: join_group(t, group_id, user.user_id, now),
                           user)  # fmt: skip
    content = {"group_id": group_id, "username": user.username}
    subject = f"User {user.username} wants to join your group"
    await notify(
        state,
        [NewNotification(s, subject, content, GROUP_JOIN_REQUEST, user.user_id) for s in staff],
    )
    return json_response({})


@routes.post(_action_path("leave"))
async def leave_group_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    group_id = _group_id(request)
    now = _now(state)
    await _posting(state, group_id, lambda t: (None, leave_group(t, group_id, user.user_id, now)),
                   user)  # fmt: skip
    return json_response({})


def _members(request: web.Request, *, required: bool = False) -> list[str]:
    raw = request.query.getall("user_ids", [])
    if not raw and required:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "User IDs must be set.")
    return accept(parse_member_ids, raw)


@routes.post(_action_path("add"))
async def add_members_route(request: web.Request) -> web.Response:
    state, user = state_of(request), request[USER]
    group_id = _group_id(request)
    ids = _members(request)
    if not ids:
        return json_response({})
    now = _now(state)

    def job(txn: Txn) -> tuple[tuple[list[str], str], Posted]:
        added = add_members(txn, user.user_id, group_id, ids, now)
        posted = Posted([(MessageCode.GROUP_ADD, uid) for uid in added])
        return (added, _name(txn, group_id)), posted

    added, name = await _posting(state, group_id, job)
    subject = f"You've been added to group {name}"
    content = {"group_id": group_id, "name": name}
    await notify(
        state, [NewNotification(uid, subject, content, GROUP_ADD, user.user_id) for uid in added]
    )
    return json_response({})


def _name(txn: Txn, group_id: str) -> str:
    row = txn.conn.execute("SELECT name FROM groups WHERE id = ?", (group_id,)).fetchone()
    return str(row[0]) if row else ""


def _member_action(action: str, *, ban: bool = False, up: bool | None = None) -> None:
    path = _action_path(action)

    async def handler(request: web.Request) -> web.Response:
        state, user = state_of(request), request[USER]
        group_id = _group_id(request)
        ids = _members(request, required=action == "demote")
        if not ids:
            return json_response({})
        now = _now(state)

        def job(txn: Txn) -> tuple[None, Posted]:
            if up is None:
                return None, remove_members(txn, user.user_id, group_id, ids, now, ban=ban)
            return None, set_roles(txn, user.user_id, group_id, ids, now, up=up)

        await _posting(state, group_id, job)
        return json_response({})

    handler.__name__ = f"{action}_members_route"
    routes.post(path)(handler)


_member_action("kick")
_member_action("ban", ban=True)
_member_action("promote", up=True)
_member_action("demote", up=False)


def _pair(values: list[object] | None) -> tuple[int, int] | None:
    if values is None or len(values) != 2:
        return None
    first, second = values
    return (first, second) if isinstance(first, int) and isinstance(second, int) else None


def _edge_cursor(
    state: ServerState, request: web.Request, kind: str, wanted: GroupRole | None
) -> tuple[int, int] | None:
    raw = request.query.get("cursor", "")
    if raw == "":
        return None
    pair = _pair(state.social_cursors.decode(raw, kind))
    if pair is None or (wanted is not None and pair[0] != wanted):  # another filter's cursor
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Cursor is invalid.")
    return pair


def _edge_body(
    state: ServerState,
    key: str,
    found: list[dict[str, object]],
    next_key: tuple[int, int] | None,
) -> web.Response:
    body: dict[str, object] = {}
    if found:
        body[key] = found
    if next_key is not None:
        body["cursor"] = state.social_cursors.encode(key, list(next_key))
    return json_response(body)


@routes.get(paths.GROUP_USERS, allow_head=False)
async def list_members_route(request: web.Request) -> web.Response:
    state = state_of(request)
    group_id = _group_id(request)
    limit = accept(parse_page_limit, request.query.get("limit"), PAGES["group_users"])
    wanted = accept(parse_group_role, request.query.get("state"))
    start = _edge_cursor(state, request, "group_users", wanted)
    online = state.online.snapshot()
    found, next_key = await state.store.read(
        lambda conn: list_members(conn, group_id, wanted, limit, start, online)
    )
    return _edge_body(state, "group_users", found, next_key)


@routes.get(paths.USER_GROUPS, allow_head=False)
async def list_user_groups_route(request: web.Request) -> web.Response:
    state = state_of(request)
    raw = request.match_info.get("user_id", "")
    if raw == "":
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "User ID must be set.")
    user_id = canonical_uuid(raw, nil=True)
    if user_id is None:  # Nakama's message, word for word
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Group ID must be a valid ID.")
    limit = accept(parse_page_limit, request.query.get("limit"), PAGES["user_groups"])
    wanted = accept(parse_group_role, request.query.get("state"))
    start = _edge_cursor(state, request, "user_groups", wanted)
    found, next_key = await state.store.read(
        lambda conn: list_user_groups(conn, user_id, wanted, limit, start)
    )
    return _edge_body(state, "user_groups", found, next_key)


def _filter(request: web.Request) -> GroupFilter:
    q = request.query
    members = -1
    if "members" in q:
        members = accept(parse_int32, q["members"], "members")
    is_open = accept(parse_bool, q["open"], "open", False) if "open" in q else None
    name, lang = q.get("name", ""), q.get("lang_tag", "")
    if name and (lang or is_open is not None or members > -1):
        raise ApiFailure(
            GrpcCode.INVALID_ARGUMENT, "name filter cannot be combined with any other filter"
        )
    return GroupFilter(name.lstrip("% "), lang, is_open, members)


@routes.get(paths.GROUP, allow_head=False)
async def list_groups_route(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = accept(parse_page_limit, request.query.get("limit"), PAGES["groups"])
    found_filter = _filter(request)
    after = None
    raw = request.query.get("cursor", "")
    if raw:
        after = state.social_cursors.decode(raw, "groups")
        if after is None:
            # Deliberate (docs/server.md): Nakama answers 500 to a malformed cursor.
            raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Malformed cursor was used.")
    groups, last = await state.store.read(
        lambda conn: list_groups(conn, found_filter, limit, after)
    )
    body: dict[str, object] = {}
    if groups:
        body["groups"] = groups
    if last is not None:
        body["cursor"] = state.social_cursors.encode("groups", last)
    return json_response(body)
