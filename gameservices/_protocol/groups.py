"""Groups (clans), both directions: records and parsers, request builders, the server's rules
and the bodies it answers with (pure).

Rule 1: a member's state is its role (``GroupRole``): 0 superadmin, 1 admin, 2 member, 3 a join
        request, 4 banned; a wrapped int32 on the wire, so 0 is written. ``open`` is a wrapped
        bool (``false`` is written); ``edge_count`` and ``max_count`` are JSON numbers.
Rule 2: who may do what (Nakama 3.40): superadmins and admins update, add, kick, ban, promote
        and demote; only superadmins delete; an admin kicks or bans only members and join
        requests (and lifts a ban by kicking), and promotes members to admin; ``promote`` never
        accepts a join request, ``add`` does. The last superadmin cannot leave while others
        remain (alone, leaving deletes the group), nor be kicked, banned or demoted.
Rule 3: joining an open group makes a member; a closed one, a join request (its superadmins
        and admins are told). A full group (``edge_count`` = ``max_count``, join requests not
        counted) refuses joins and adds.
Rule 4: list calls' page sizes are Nakama's (``social_rules.PAGES``): groups default to one a
        page, members and a player's groups to 100. The name filter (``%`` a wildcard) cannot
        be combined with the others.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._exceptions import ProtocolError
from . import routes
from .api import Request
from .fields import (
    as_object,
    boolean,
    format_rfc3339,
    int64,
    list_field,
    metadata,
    text,
    time_field,
)
from .social_rules import PAGES, check_limit, parse_int32
from .users import User, parse_user
from .uuids import canonical_uuid
from .wire import body_field, dumps, omit_zero

__all__ = [
    "ACTIONS",
    "Group",
    "GroupCreate",
    "GroupList",
    "GroupRole",
    "GroupUpdate",
    "GroupUser",
    "GroupUserList",
    "UserGroup",
    "UserGroupList",
    "create_group",
    "delete_group",
    "group_action",
    "group_json",
    "list_group_users",
    "list_groups",
    "list_user_groups",
    "parse_group",
    "parse_group_create",
    "parse_group_id",
    "parse_group_list",
    "parse_group_role",
    "parse_group_update",
    "parse_group_user_list",
    "parse_member_ids",
    "parse_user_group_list",
    "update_group",
]

ACTIONS = ("join", "leave", "add", "kick", "promote", "demote", "ban")
DEFAULT_MAX_COUNT = 100


class GroupRole(enum.IntEnum):
    SUPERADMIN = 0
    ADMIN = 1
    MEMBER = 2
    JOIN_REQUEST = 3
    BANNED = 4


@dataclass(frozen=True)
class Group:
    id: str = ""
    creator_id: str = ""
    name: str = ""
    description: str = ""
    lang_tag: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    avatar_url: str = ""
    open: bool = False
    edge_count: int = 0
    max_count: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class GroupList:
    groups: tuple[Group, ...] = ()
    cursor: str | None = None


@dataclass(frozen=True)
class GroupUser:
    user: User
    state: GroupRole


@dataclass(frozen=True)
class GroupUserList:
    group_users: tuple[GroupUser, ...] = ()
    cursor: str | None = None


@dataclass(frozen=True)
class UserGroup:
    group: Group
    state: GroupRole


@dataclass(frozen=True)
class UserGroupList:
    user_groups: tuple[UserGroup, ...] = ()
    cursor: str | None = None


# --- parsing (client)


def parse_group(obj: object) -> Group:
    o = as_object(obj, "a group")
    return Group(
        **{k: text(o, k) for k in ("id", "creator_id", "name", "description", "lang_tag")},
        metadata=metadata(o),
        avatar_url=text(o, "avatar_url"),
        open=boolean(o, "open"),
        edge_count=int64(o, "edge_count"),
        max_count=int64(o, "max_count"),
        create_time=time_field(o, "create_time"),
        update_time=time_field(o, "update_time"),
    )


def _role(o: Mapping[str, Any]) -> GroupRole:
    state = o.get("state", 0)
    if state.__class__ is not int or state not in GroupRole._value2member_map_:
        raise ProtocolError(f"server sent a group state {state!r}, expected 0-4")
    return GroupRole(state)


def parse_group_list(obj: object) -> GroupList:
    o = as_object(obj, "a group list")
    groups = tuple(parse_group(g) for g in list_field(o, "groups"))
    return GroupList(groups, text(o, "cursor") or None)


def parse_group_user_list(obj: object) -> GroupUserList:
    o = as_object(obj, "a group user list")
    found = []
    for item in list_field(o, "group_users"):
        m = as_object(item, "a group user")
        found.append(GroupUser(parse_user(m.get("user", {})), _role(m)))
    return GroupUserList(tuple(found), text(o, "cursor") or None)


def parse_user_group_list(obj: object) -> UserGroupList:
    o = as_object(obj, "a user group list")
    found = []
    for item in list_field(o, "user_groups"):
        m = as_object(item, "a user group")
        found.append(UserGroup(parse_group(m.get("group", {})), _role(m)))
    return UserGroupList(tuple(found), text(o, "cursor") or None)


# --- requests (client)

_JSON = {"Content-Type": "application/json"}


def _text_arg(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def create_group(
    name: str,
    *,
    description: str | None = None,
    lang_tag: str | None = None,
    avatar_url: str | None = None,
    open: bool = True,
    max_count: int = DEFAULT_MAX_COUNT,
) -> Request:
    if not _text_arg(name, "name"):
        raise ValueError("a group needs a name")
    if isinstance(max_count, bool) or not isinstance(max_count, int) or not 1 <= max_count < 2**31:
        raise ValueError(f"max_count must be an int of at least 1, got {max_count!r}")
    body: dict[str, Any] = {"name": name}
    for key, value in (("description", description), ("lang_tag", lang_tag),
                       ("avatar_url", avatar_url)):  # fmt: skip
        if value is not None:
            body[key] = _text_arg(value, key)
    body["open"] = bool(open)
    body["max_count"] = max_count
    return Request("POST", routes.GROUP, (), dict(_JSON), dumps(body).encode())


def update_group(
    group_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
    lang_tag: str | None = None,
    avatar_url: str | None = None,
    open: bool | None = None,
) -> Request:
    """None leaves a field as it is; "" clears the description or the avatar."""
    body: dict[str, Any] = {}
    for key, value in (("name", name), ("description", description), ("lang_tag", lang_tag),
                       ("avatar_url", avatar_url)):  # fmt: skip
        if value is not None:
            body[key] = _text_arg(value, key)
    if open is not None:
        body["open"] = bool(open)
    if not body:
        raise ValueError("name at least one field to update")
    path = routes.fill(routes.GROUP_ID, group_id=group_id)
    return Request("PUT", path, (), dict(_JSON), dumps(body).encode())


def delete_group(group_id: str) -> Request:
    return Request("DELETE", routes.fill(routes.GROUP_ID, group_id=group_id))


def _user_ids(user_ids: Iterable[str]) -> list[tuple[str, str]]:
    if isinstance(user_ids, str):
        raise TypeError("user_ids must be a sequence of user ids, not one string")
    values = list(user_ids)
    if not values or not all(isinstance(u, str) and u for u in values):
        raise ValueError("user_ids must name at least one player, as non-empty strings")
    return [("user_ids", u) for u in values]


def group_action(group_id: str, action: str, user_ids: Iterable[str] | None = None) -> Request:
    """``join`` and ``leave`` (no ``user_ids``) or ``add``, ``kick``, ``promote``, ``demote``,
    ``ban`` (some ``user_ids``)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown group action {action!r}")
    query = () if action in ("join", "leave") else tuple(_user_ids(user_ids or ()))
    path = routes.fill(routes.GROUP_ACTION, group_id=group_id, action=action)
    return Request("POST", path, query)


def _page(
    page: str, limit: int, cursor: str | None, state: GroupRole | int | None
) -> list[tuple[str, str]]:
    query = [("limit", check_limit(limit, PAGES[page]))]
    if state is not None:
        query.append(("state", str(int(GroupRole(state)))))
    if cursor:
        query.append(("cursor", cursor))
    return query


def list_groups(
    name: str | None = None,
    *,
    lang_tag: str | None = None,
    members: int | None = None,
    open: bool | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> Request:
    """``name`` (``%`` a wildcard) cannot be combined with the other filters (Rule 4)."""
    if name and (lang_tag or members is not None or open is not None):
        raise ValueError("the name filter cannot be combined with any other filter")
    query = _page("groups", limit, cursor, None)
    if name:
        query.append(("name", _text_arg(name, "name")))
    if lang_tag:
        query.append(("lang_tag", _text_arg(lang_tag, "lang_tag")))
    if members is not None:
        if isinstance(members, bool) or not isinstance(members, int) or members < 0:
            raise ValueError(f"members must be an int of at least 0, got {members!r}")
        query.append(("members", str(members)))
    if open is not None:
        query.append(("open", "true" if open else "false"))
    return Request("GET", routes.GROUP, tuple(query))


def list_group_users(
    group_id: str,
    state: GroupRole | int | None = None,
    *,
    limit: int = 100,
    cursor: str | None = None,
) -> Request:
    path = routes.fill(routes.GROUP_USERS, group_id=group_id)
    return Request("GET", path, tuple(_page("group_users", limit, cursor, state)))


def list_user_groups(
    user_id: str,
    state: GroupRole | int | None = None,
    *,
    limit: int = 100,
    cursor: str | None = None,
) -> Request:
    path = routes.fill(routes.USER_GROUPS, user_id=user_id)
    return Request("GET", path, tuple(_page("user_groups", limit, cursor, state)))


# --- the server's rules


@dataclass(frozen=True)
class GroupCreate:
    name: str
    description: str
    lang_tag: str
    avatar_url: str
    open: bool
    max_count: int


def _string(body: Mapping[str, Any], name: str) -> str | None:
    value = body_field(body, name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f'invalid value for string field "{name}"')
    return value


def _bool(body: Mapping[str, Any], name: str) -> bool | None:
    value = body_field(body, name)
    if value is not None and not isinstance(value, bool):
        raise ValueError(f'invalid value for bool field "{name}"')
    return value


def _int32(body: Mapping[str, Any], name: str) -> int:
    value = body_field(body, name)
    if value is None:
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = parse_int32(value, name)
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
        raise ValueError(f'invalid value for int32 field "{name}"')
    return value


def parse_group_create(body: Mapping[str, Any]) -> GroupCreate:
    """The body of ``POST /v2/group``, with Nakama's checks in its order."""
    name = _string(body, "name") or ""
    fields = {k: _string(body, k) or "" for k in ("description", "lang_tag", "avatar_url")}
    is_open = bool(_bool(body, "open"))
    max_count = _int32(body, "max_count")
    if name == "":
        raise ValueError("Group name must be set.")
    if max_count != 0 and max_count < 1:
        raise ValueError("Group max count must be >= 1 when set.")
    return GroupCreate(name, **fields, open=is_open, max_count=max_count or DEFAULT_MAX_COUNT)


@dataclass(frozen=True)
class GroupUpdate:
    """``None``: leave the field; "" clears ``description`` or ``avatar_url``."""

    name: str | None
    description: str | None
    lang_tag: str | None
    avatar_url: str | None
    open: bool | None

    @property
    def empty(self) -> bool:
        return all(v is None for v in vars(self).values())


def parse_group_update(body: Mapping[str, Any]) -> GroupUpdate:
    update = GroupUpdate(
        name=_string(body, "name"),
        description=_string(body, "description"),
        lang_tag=_string(body, "lang_tag"),
        avatar_url=_string(body, "avatar_url"),
        open=_bool(body, "open"),
    )
    if update.name == "":
        raise ValueError("Group name cannot be empty.")
    if update.lang_tag == "":
        raise ValueError("Group language cannot be empty.")
    return update


def parse_group_id(raw: str) -> str:
    """A group id in a path, canonical (the nil UUID passes, as in Nakama: found nowhere)."""
    if raw == "":
        raise ValueError("Group ID must be set.")
    group_id = canonical_uuid(raw, nil=True)
    if group_id is None:
        raise ValueError("Group ID must be a valid ID.")
    return group_id


def parse_member_ids(values: list[str]) -> list[str]:
    """``user_ids`` of add, kick, promote, demote and ban (the nil UUID is not an id)."""
    out = []
    for raw in values:
        uid = canonical_uuid(raw)
        if uid is None:
            raise ValueError("User ID must be a valid ID.")
        out.append(uid)
    return out


def parse_group_role(raw: str | None) -> GroupRole | None:
    """The ``state`` filter of a member list or a player's groups; absent: 0-3 (not bans)."""
    if raw is None:
        return None
    state = parse_int32(raw, "state")
    if state not in GroupRole._value2member_map_:
        raise ValueError("Invalid state - state must be between 0 and 4.")
    return GroupRole(state)


# --- the server's bodies


def group_json(
    group_id: str,
    creator_id: str,
    name: str,
    description: str,
    lang_tag: str,
    group_metadata: str,
    avatar_url: str,
    is_open: bool,
    edge_count: int,
    max_count: int,
    create_time: int,
    update_time: int,
) -> dict[str, Any]:
    """One ``apiGroup``: ``open`` is a wrapped bool, always written (Rule 1)."""
    head = omit_zero(
        {
            "id": group_id,
            "creator_id": creator_id,
            "name": name,
            "description": description,
            "lang_tag": lang_tag,
            "metadata": group_metadata,
            "avatar_url": avatar_url,
        }
    )
    tail = omit_zero(
        {
            "edge_count": edge_count,
            "max_count": max_count,
            "create_time": format_rfc3339(create_time),
            "update_time": format_rfc3339(update_time),
        }
    )
    return {**head, "open": is_open, **tail}
