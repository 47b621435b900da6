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


def parse_user(obj: object) -> User:
    o = as_object(obj, "a user")
    return User(
        **{key: text(o, key) for key in (*_TEXT_FIELDS, *PROVIDER_FIELDS)},
        metadata=metadata(o),
        online=boolean(o, "online"),
        edge_count=int64(o, "edge_count"),
        create_time=time_field(o, "create_time"),
        update_time=time_field(o, "update_time"),
    )


def parse_users(obj: object) -> list[User]:
    """The body of ``GET /v2/user``: ``{"users": [...]}`` (no key: nobody found)."""
    return [parse_user(item) for item in list_field(as_object(obj, "users"), "users")]


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
