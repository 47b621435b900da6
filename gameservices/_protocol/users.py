"""Nakama's ``apiUser``: the public face of an account, in both directions.

Shared by every part of the API that names players (accounts, users, friends, group members,
chat presences), so the record, its parser and the server's builder exist once.

Rule 1: a missing field is its zero value (Nakama omits zeros): "" for strings, {} for
        ``metadata`` (JSON text on the wire), False, 0, None times.
Rule 2: ``edge_count`` is an int32 (a JSON number); times are RFC 3339, UTC.
Rule 3: a value of the wrong shape is the server's fault: ``ProtocolError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._exceptions import ProtocolError
from .models import format_rfc3339, loads, parse_rfc3339
from .wire import omit_zero

__all__ = ["User", "parse_user", "parse_users", "user_json"]

# The provider ids Nakama reports on a user, in its field order.
PROVIDER_FIELDS = (
    "facebook_id",
    "google_id",
    "gamecenter_id",
    "steam_id",
    "facebook_instant_game_id",
    "apple_id",
)
_TEXT_FIELDS = ("id", "username", "display_name", "avatar_url", "lang_tag", "location", "timezone")


@dataclass(frozen=True)
class User:
    """One player as others see them (``apiUser``)."""

    id: str = ""
    username: str = ""
    display_name: str = ""
    avatar_url: str = ""
    lang_tag: str = ""
    location: str = ""
    timezone: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    facebook_id: str = ""
    google_id: str = ""
    gamecenter_id: str = ""
    steam_id: str = ""
    facebook_instant_game_id: str = ""
    apple_id: str = ""
    online: bool = False
    edge_count: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None


def _text(o: Mapping[str, Any], key: str) -> str:
    value = o.get(key, "")
    if not isinstance(value, str):
        raise ProtocolError(f"server sent user {key} as {type(value).__name__}, expected a string")
    return value


def _time(o: Mapping[str, Any], key: str) -> datetime | None:
    text = _text(o, key)
    if not text:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise ProtocolError(f"server sent a bad user {key}: {exc}") from None


def _metadata(o: Mapping[str, Any]) -> dict[str, Any]:
    text = _text(o, "metadata")
    if not text or text == "{}":
        return {}
    try:
        value = loads(text)
    except ValueError:
        raise ProtocolError("server sent user metadata that is not JSON text") from None
    if not isinstance(value, dict):
        raise ProtocolError("server sent user metadata that is not a JSON object")
    return value


def parse_user(obj: object) -> User:
    if not isinstance(obj, dict):
        raise ProtocolError(f"server sent a user as {type(obj).__name__}, expected an object")
    online = obj.get("online", False)
    edges = obj.get("edge_count", 0)
    if not isinstance(online, bool):
        raise ProtocolError("server sent user online that is not a boolean")
    if isinstance(edges, bool) or not isinstance(edges, int):
        raise ProtocolError("server sent user edge_count that is not a number")
    return User(
        **{key: _text(obj, key) for key in (*_TEXT_FIELDS, *PROVIDER_FIELDS)},
        metadata=_metadata(obj),
        online=online,
        edge_count=edges,
        create_time=_time(obj, "create_time"),
        update_time=_time(obj, "update_time"),
    )


def parse_users(obj: object) -> list[User]:
    """The body of ``GET /v2/user``: ``{"users": [...]}`` (no key: nobody found)."""
    if not isinstance(obj, dict):
        raise ProtocolError(f"server sent users as {type(obj).__name__}, expected an object")
    items = obj.get("users", [])
    if not isinstance(items, list):
        raise ProtocolError("server sent users that is not a list")
    return [parse_user(item) for item in items]


def user_json(
    user_id: str,
    username: str,
    create_time: int,
    update_time: int,
    *,
    display_name: str = "",
    avatar_url: str = "",
    lang_tag: str = "en",
    location: str = "",
    timezone: str = "",
    metadata: str = "{}",
    online: bool = False,
    edge_count: int = 0,
) -> dict[str, Any]:
    """One ``apiUser`` as Nakama writes it (proto names, its field order, zeros omitted);
    times are epoch seconds, ``metadata`` JSON text."""
    return omit_zero(
        {
            "id": user_id,
            "username": username,
            "display_name": display_name,
            "avatar_url": avatar_url,
            "lang_tag": lang_tag,
            "location": location,
            "timezone": timezone,
            "metadata": metadata,
            "online": online,
            "edge_count": edge_count,
            "create_time": format_rfc3339(create_time),
            "update_time": format_rfc3339(update_time),
        }
    )
