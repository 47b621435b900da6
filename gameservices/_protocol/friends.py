"""Friends, both directions: records and parsers, request builders, the server's rules and the
bodies it answers with (pure).

Rule 1: a friend edge has a state (``FriendState``): 0 friends, 1 an invite this player sent,
        2 an invite this player received, 3 this player blocked the other. ``state`` is a
        wrapped int32 on the wire, so 0 is written (unlike other zeros).
Rule 2: ``add``, ``delete`` and ``block`` name players by ``ids`` and/or ``usernames`` (query
        values, repeated); ``check_targets`` judges them with Nakama's messages, in its order.
Rule 3: friend list users carry no ``edge_count`` (Nakama's query leaves it out); friends of
        friends carry whole users.
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
from .fields import as_object, format_rfc3339, list_field, metadata, text, time_field
from .social_rules import PAGES, check_limit, parse_int32
from .users import User, parse_user
from .uuids import canonical_uuid
from .wire import dumps, omit_zero

__all__ = [
    "Friend",
    "FriendList",
    "FriendOfFriend",
    "FriendState",
    "FriendsOfFriends",
    "Targets",
    "add_friends",
    "block_friends",
    "check_targets",
    "delete_friends",
    "friend_json",
    "import_facebook_friends",
    "import_steam_friends",
    "list_friends",
    "list_friends_of_friends",
    "parse_friend_list",
    "parse_friend_state",
    "parse_friends_of_friends",
]


class FriendState(enum.IntEnum):
    FRIEND = 0
    INVITE_SENT = 1
    INVITE_RECEIVED = 2
    BLOCKED = 3


@dataclass(frozen=True)
class Friend:
    """Another player and this player's edge to them."""

    user: User
    state: FriendState
    update_time: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FriendList:
    friends: tuple[Friend, ...] = ()
    cursor: str | None = None


@dataclass(frozen=True)
class FriendOfFriend:
    """``user`` is a friend of ``referrer`` (one of this player's friends)."""

    referrer: str
    user: User


@dataclass(frozen=True)
class FriendsOfFriends:
    friends_of_friends: tuple[FriendOfFriend, ...] = ()
    cursor: str | None = None


# --- parsing (client)


def _friend(obj: object) -> Friend:
    o = as_object(obj, "a friend")
    state = o.get("state", 0)
    if state.__class__ is not int or state not in FriendState._value2member_map_:
        raise ProtocolError(f"server sent a friend state {state!r}, expected 0-3")
    return Friend(
        user=parse_user(o.get("user", {})),
        state=FriendState(state),
        update_time=time_field(o, "update_time"),
        metadata=metadata(o),
    )


def parse_friend_list(obj: object) -> FriendList:
    o = as_object(obj, "a friend list")
    friends = tuple(_friend(item) for item in list_field(o, "friends"))
    return FriendList(friends, text(o, "cursor") or None)


def parse_friends_of_friends(obj: object) -> FriendsOfFriends:
    o = as_object(obj, "friends of friends")
    found = []
    for item in list_field(o, "friends_of_friends"):
        f = as_object(item, "a friend of a friend")
        found.append(FriendOfFriend(text(f, "referrer"), parse_user(f.get("user", {}))))
    return FriendsOfFriends(tuple(found), text(o, "cursor") or None)


# --- requests (client)


def _names(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{what} must be a sequence of strings, not one string")
    out = list(values)
    if not all(isinstance(v, str) and v for v in out):
        raise ValueError(f"{what} must be non-empty strings")
    return out


def _targets(ids: Iterable[str], usernames: Iterable[str]) -> tuple[tuple[str, str], ...]:
    query = [("ids", i) for i in _names(ids, "ids")]
    query += [("usernames", u) for u in _names(usernames, "usernames")]
    if not query:
        raise ValueError("name at least one player (ids or usernames)")
    return tuple(query)


def list_friends(
    state: FriendState | int | None = None, *, limit: int = 100, cursor: str | None = None
) -> Request:
    query = [("limit", check_limit(limit, PAGES["friends"]))]
    if state is not None:
        query.append(("state", str(int(FriendState(state)))))
    if cursor:
        query.append(("cursor", cursor))
    return Request("GET", routes.FRIEND, tuple(query))


def add_friends(ids: Iterable[str] = (), usernames: Iterable[str] = ()) -> Request:
    return Request("POST", routes.FRIEND, _targets(ids, usernames))


def delete_friends(ids: Iterable[str] = (), usernames: Iterable[str] = ()) -> Request:
    return Request("DELETE", routes.FRIEND, _targets(ids, usernames))


def block_friends(ids: Iterable[str] = (), usernames: Iterable[str] = ()) -> Request:
    return Request("POST", routes.FRIEND_BLOCK, _targets(ids, usernames))


def list_friends_of_friends(*, limit: int = 10, cursor: str | None = None) -> Request:
    query = [("limit", check_limit(limit, PAGES["friends_of_friends"]))]
    if cursor:
        query.append(("cursor", cursor))
    return Request("GET", routes.FRIEND_FRIENDS, tuple(query))


def _import(provider: str, token: str, reset: bool | None) -> Request:
    if not isinstance(token, str) or not token:
        raise ValueError(f"a {provider} token is required")
    query = () if reset is None else (("reset", "true" if reset else "false"),)
    body = dumps({"token": token}).encode()
    headers = {"Content-Type": "application/json"}
    path = routes.fill(routes.FRIEND_IMPORT, provider=provider)
    return Request("POST", path, query, headers, body)


def import_facebook_friends(token: str, *, reset: bool | None = None) -> Request:
    """Nakama asks Facebook for the player's friends (a server configured for Facebook)."""
    return _import("facebook", token, reset)


def import_steam_friends(token: str, *, reset: bool | None = None) -> Request:
    """Nakama asks Steam for the player's friends (a server configured for Steam)."""
    return _import("steam", token, reset)


# --- the server's rules


def parse_friend_state(raw: str | None) -> FriendState | None:
    """The ``state`` filter of a friend list; absent: every state."""
    if raw is None:
        return None
    state = parse_int32(raw, "state")
    if state not in FriendState._value2member_map_:
        raise ValueError("Invalid state - state must be between 0 and 3.")
    return FriendState(state)


@dataclass(frozen=True)
class Targets:
    ids: tuple[str, ...]
    usernames: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.ids and not self.usernames


_SELF = {"add": "Cannot add self as friend.", "delete": "Cannot delete self.",
         "block": "Cannot block self."}  # fmt: skip


def check_targets(
    ids: list[str], usernames: list[str], me: str, my_username: str, verb: str
) -> Targets:
    """Nakama's checks on ``ids``/``usernames`` for ``verb`` (add, delete, block): ids first
    (itself, then a UUID), then usernames (empty, then itself). Ids are compared to the
    caller's as sent, before canonicalising, as Nakama compares them."""
    canonical = []
    for raw in ids:
        if raw == me:
            raise ValueError(_SELF[verb])
        uid = canonical_uuid(raw)
        if uid is None:
            raise ValueError(f"Invalid user ID '{raw}'.")
        canonical.append(uid)
    for name in usernames:
        if name == "":
            raise ValueError("Username must not be empty.")
        if name == my_username:
            raise ValueError(_SELF[verb])
    return Targets(tuple(canonical), tuple(usernames))


# --- the server's bodies


def friend_json(
    user: Mapping[str, Any], state: int, update_time: int, edge_metadata: str
) -> dict[str, Any]:
    """One ``apiFriend``; ``state`` is a wrapped int32, so 0 is written too."""
    return {
        "user": dict(user),
        "state": int(state),
        **omit_zero({"update_time": format_rfc3339(update_time), "metadata": edge_metadata}),
    }
