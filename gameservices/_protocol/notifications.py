"""Notifications, both directions: the record and its list, request builders, Nakama's codes,
the server's rules and bodies (pure).

Rule 1: a list answers the oldest notifications first and always carries ``cacheable_cursor``:
        the place after the last one returned (or the cursor it was given, when nothing is
        newer). Listing again from that cursor returns only what arrived since.
Rule 2: ``content`` is a JSON object sent as JSON text; ``code`` an int32 (a JSON number).
        Codes below 0 are Nakama's own (``FRIEND_REQUEST`` ...); games use 0 and above.
Rule 3: notification ids are UUIDs; the server refuses another id with 400 (Nakama: 500).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
from .social_rules import PAGES, check_limit
from .uuids import canonical_uuid
from .wire import omit_zero

__all__ = [
    "DM_REQUEST",
    "FRIEND_ACCEPT",
    "FRIEND_JOIN_GAME",
    "FRIEND_REMOVE",
    "FRIEND_REQUEST",
    "GROUP_ADD",
    "GROUP_JOIN_REQUEST",
    "SINGLE_SOCKET",
    "USER_BANNED",
    "Notification",
    "NotificationList",
    "delete_notifications",
    "list_notifications",
    "notification_json",
    "parse_notification_ids",
    "parse_notification_list",
]

# Nakama's own notification codes (server/core_notification.go).
DM_REQUEST = -1
FRIEND_REQUEST = -2
FRIEND_ACCEPT = -3
GROUP_ADD = -4
GROUP_JOIN_REQUEST = -5
FRIEND_JOIN_GAME = -6
SINGLE_SOCKET = -7
USER_BANNED = -8
FRIEND_REMOVE = -9


@dataclass(frozen=True)
class Notification:
    id: str = ""
    subject: str = ""
    content: Mapping[str, Any] = field(default_factory=dict)
    code: int = 0
    sender_id: str = ""  # "" when the server itself sent it
    create_time: datetime | None = None
    persistent: bool = False


@dataclass(frozen=True)
class NotificationList:
    notifications: tuple[Notification, ...] = ()
    cacheable_cursor: str | None = None


def _notification(obj: object) -> Notification:
    o = as_object(obj, "a notification")
    return Notification(
        id=text(o, "id"),
        subject=text(o, "subject"),
        content=metadata(o, "content"),
        code=int64(o, "code"),
        sender_id=text(o, "sender_id"),
        create_time=time_field(o, "create_time"),
        persistent=boolean(o, "persistent"),
    )


def parse_notification_list(obj: object) -> NotificationList:
    o = as_object(obj, "a notification list")
    found = tuple(_notification(item) for item in list_field(o, "notifications"))
    return NotificationList(found, text(o, "cacheable_cursor") or None)


def list_notifications(*, limit: int = 100, cacheable_cursor: str | None = None) -> Request:
    query = [("limit", check_limit(limit, PAGES["notifications"]))]
    if cacheable_cursor:
        query.append(("cacheable_cursor", cacheable_cursor))
    return Request("GET", routes.NOTIFICATION, tuple(query))


def delete_notifications(ids: Iterable[str]) -> Request:
    if isinstance(ids, str):
        raise TypeError("ids must be a sequence of notification ids, not one string")
    values = list(ids)
    if not values or not all(isinstance(i, str) and i for i in values):
        raise ValueError("ids must name at least one notification, as non-empty strings")
    return Request("DELETE", routes.NOTIFICATION, tuple(("ids", i) for i in values))


def parse_notification_ids(values: list[str]) -> list[str]:
    """``ids`` of a delete, canonical (Rule 3)."""
    out = []
    for raw in values:
        uid = canonical_uuid(raw, nil=True)
        if uid is None:
            raise ValueError(f"Invalid notification ID '{raw}'.")
        out.append(uid)
    return out


def notification_json(
    notification_id: str,
    subject: str,
    content: str,
    code: int,
    sender_id: str,
    create_time: int,
    persistent: bool,
) -> dict[str, Any]:
    """One ``apiNotification`` as Nakama writes it (zeros omitted; ``content`` JSON text)."""
    return omit_zero(
        {
            "id": notification_id,
            "subject": subject,
            "content": content,
            "code": code,
            "sender_id": sender_id,
            "create_time": format_rfc3339(create_time),
            "persistent": persistent,
        }
    )
