"""The OpenAPI operations and schemas of the social parts: friends and notifications (and
groups as they land). Data builders only, as ``openapi_paths`` and ``openapi_schemas``."""

from __future__ import annotations

from .._protocol import routes
from .._protocol.groups import ACTIONS
from .._protocol.social_rules import PAGES
from .openapi_parts import json_content, path_param, query_param, responses
from .openapi_schemas import Schema, ref

__all__ = ["SOCIAL_SCHEMAS", "social_paths"]

_TIME: Schema = {"type": "string", "format": "date-time"}
_TEXT: Schema = {"type": "string"}
_UUIDS: Schema = {"type": "array", "items": {"type": "string"}}
_ROLE: Schema = {"type": "integer", "minimum": 0, "maximum": 4}


def _limit(page: str) -> Schema:
    sizes = PAGES[page]
    schema = {"type": "integer", "minimum": 1, "maximum": sizes.high, "default": sizes.default}
    return query_param("limit", schema, f"page size (default {sizes.default})")


def _obj(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties}


_CURSOR = query_param("cursor", _TEXT, "an opaque, signed cursor from a previous page")
_TARGETS = [
    query_param("ids", _UUIDS, "user ids", style="form", explode=True),
    query_param("usernames", _UUIDS, "usernames", style="form", explode=True),
]


def _friend_paths() -> dict[str, Schema]:
    state = query_param(
        "state", {"type": "integer", "minimum": 0, "maximum": 3}, "0 friend .. 3 blocked"
    )
    edit: Schema = {"parameters": _TARGETS, "responses": responses(ref("Empty"), "400", "401")}
    reset = query_param("reset", {"type": "boolean"}, "drop the friends imported before")
    provider = {"required": True, **json_content(ref("AccountToken"))}
    return {
        routes.FRIEND: {
            "get": {
                "summary": "The caller's friends, invites and blocks, by state then age.",
                "parameters": [_limit("friends"), state, _CURSOR],
                "responses": responses(ref("FriendList"), "400", "401"),
            },
            "post": {"summary": "Invite players, or accept their invites.", **edit},
            "delete": {"summary": "Remove friends, invites or blocks.", **edit},
        },
        routes.FRIEND_BLOCK: {"post": {"summary": "Block players.", **edit}},
        routes.FRIEND_FRIENDS: {
            "get": {
                "summary": "Friends of the caller's friends.",
                "parameters": [_limit("friends_of_friends"), _CURSOR],
                "responses": responses(ref("FriendsOfFriendsList"), "400", "401"),
            }
        },
        routes.fill(routes.FRIEND_IMPORT, provider="facebook"): {
            "post": {
                "summary": "Import Facebook friends: not supported by this server (400 code 9).",
                "parameters": [reset],
                "requestBody": provider,
                "responses": responses(ref("Empty"), "400", "401"),
            }
        },
        routes.fill(routes.FRIEND_IMPORT, provider="steam"): {
            "post": {
                "summary": "Import Steam friends: not supported by this server (400 code 9).",
                "parameters": [reset],
                "requestBody": provider,
                "responses": responses(ref("Empty"), "400", "401"),
            }
        },
    }


def _notification_paths() -> dict[str, Schema]:
    cursor = query_param("cacheable_cursor", _TEXT, "where the previous list ended")
    return {
        routes.NOTIFICATION: {
            "get": {
                "summary": "The caller's notifications, oldest first, after the cursor.",
                "parameters": [_limit("notifications"), cursor],
                "responses": responses(ref("NotificationList"), "400", "401"),
            },
            "delete": {
                "summary": "Delete the caller's notifications by id.",
                "parameters": [query_param("ids", _UUIDS, style="form", explode=True)],
                "responses": responses(ref("Empty"), "400", "401"),
            },
        }
    }


def _group_paths() -> dict[str, Schema]:
    role = query_param(
        "state", {"type": "integer", "minimum": 0, "maximum": 4}, "0 superadmin .. 4 banned"
    )
    members = [query_param("user_ids", _UUIDS, "user ids", style="form", explode=True)]
    group = path_param("group_id")
    empty = responses(ref("Empty"), "400", "401", "404")
    paths: dict[str, Schema] = {
        routes.GROUP: {
            "get": {
                "summary": "Groups by name (alone) or by language, size and openness.",
                "parameters": [
                    _limit("groups"),
                    _CURSOR,
                    query_param("name", _TEXT, "% is a wildcard"),
                    query_param("lang_tag", _TEXT),
                    query_param("members", {"type": "integer"}, "at most this many members"),
                    query_param("open", {"type": "boolean"}),
                ],
                "responses": responses(ref("GroupList"), "400", "401"),
            },
            "post": {
                "summary": "Create a group; the caller is its superadmin.",
                "requestBody": {"required": True, **json_content(ref("CreateGroupRequest"))},
                "responses": responses(ref("Group"), "400", "401", "409"),
            },
        },
        routes.GROUP_ID: {
            "put": {
                "summary": "Update a group (superadmins and admins).",
                "parameters": [group],
                "requestBody": {"required": True, **json_content(ref("UpdateGroupRequest"))},
                "responses": empty,
            },
            "delete": {
                "summary": "Delete a group (superadmins).",
                "parameters": [group],
                "responses": empty,
            },
        },
        routes.GROUP_USERS: {
            "get": {
                "summary": "A group's members by role, then age (bans only when asked).",
                "parameters": [group, _limit("group_users"), role, _CURSOR],
                "responses": responses(ref("GroupUserList"), "400", "401"),
            }
        },
        routes.USER_GROUPS: {
            "get": {
                "summary": "A player's groups and its role in each.",
                "parameters": [path_param("user_id"), _limit("user_groups"), role, _CURSOR],
                "responses": responses(ref("UserGroupList"), "400", "401"),
            }
        },
    }
    for action in ACTIONS:
        params = [] if action in ("join", "leave") else members
        paths[routes.GROUP_ACTION.replace("{action}", action)] = {
            "post": {
                "summary": f"{action.capitalize()} (group membership).",
                "parameters": [group, *params],
                "responses": empty,
            }
        }
    return paths


def social_paths() -> dict[str, Schema]:
    return {**_friend_paths(), **_notification_paths(), **_group_paths()}


_USER = _obj(
    {
        "id": _TEXT,
        "username": _TEXT,
        "lang_tag": _TEXT,
        "metadata": _TEXT,
        "edge_count": {"type": "integer", "format": "int32"},
        "create_time": _TIME,
        "update_time": _TIME,
    }
)

SOCIAL_SCHEMAS: dict[str, Schema] = {
    "AccountToken": _obj({"token": _TEXT, "vars": {"type": "object"}}),
    "Friend": _obj(
        {
            "user": ref("SocialUser"),
            "state": {"type": "integer", "minimum": 0, "maximum": 3},
            "update_time": _TIME,
            "metadata": _TEXT,
        }
    ),
    "FriendList": _obj({"friends": {"type": "array", "items": ref("Friend")}, "cursor": _TEXT}),
    "FriendsOfFriendsList": _obj(
        {
            "friends_of_friends": {
                "type": "array",
                "items": _obj({"referrer": _TEXT, "user": ref("SocialUser")}),
            },
            "cursor": _TEXT,
        }
    ),
    "Notification": _obj(
        {
            "id": _TEXT,
            "subject": _TEXT,
            "content": _TEXT,
            "code": {"type": "integer", "format": "int32"},
            "sender_id": _TEXT,
            "create_time": _TIME,
            "persistent": {"type": "boolean"},
        }
    ),
    "NotificationList": _obj(
        {
            "notifications": {"type": "array", "items": ref("Notification")},
            "cacheable_cursor": _TEXT,
        }
    ),
    "SocialUser": _USER,
    "Group": _obj(
        {
            "id": _TEXT,
            "creator_id": _TEXT,
            "name": _TEXT,
            "description": _TEXT,
            "lang_tag": _TEXT,
            "metadata": _TEXT,
            "avatar_url": _TEXT,
            "open": {"type": "boolean"},
            "edge_count": {"type": "integer", "format": "int32"},
            "max_count": {"type": "integer", "format": "int32"},
            "create_time": _TIME,
            "update_time": _TIME,
        }
    ),
    "GroupList": _obj({"groups": {"type": "array", "items": ref("Group")}, "cursor": _TEXT}),
    "GroupUserList": _obj(
        {
            "group_users": {
                "type": "array",
                "items": _obj({"user": ref("SocialUser"), "state": _ROLE}),
            },
            "cursor": _TEXT,
        }
    ),
    "UserGroupList": _obj(
        {
            "user_groups": {
                "type": "array",
                "items": _obj({"group": ref("Group"), "state": _ROLE}),
            },
            "cursor": _TEXT,
        }
    ),
    "CreateGroupRequest": _obj(
        {
            "name": _TEXT,
            "description": _TEXT,
            "lang_tag": _TEXT,
            "avatar_url": _TEXT,
            "open": {"type": "boolean"},
            "max_count": {"type": "integer", "format": "int32", "minimum": 1},
        }
    ),
    "UpdateGroupRequest": _obj(
        {
            "name": _TEXT,
            "description": _TEXT,
            "lang_tag": _TEXT,
            "avatar_url": _TEXT,
            "open": {"type": "boolean"},
        }
    ),
}
