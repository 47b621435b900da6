"""Rules shared by the social parts (friends, groups, notifications), both directions (pure).

Rule 1: ids are UUIDs, read as Nakama reads them (``uuids.canonical_uuid``); the nil UUID is
        not an id, and the server answers the canonical lowercase form.
Rule 2: page sizes and their defaults are Nakama's, per list (``PAGES``): several lists default
        to one item a page, others to their maximum.
Rule 3: a query value that grpc-gateway reads as an int32 (``state``, ``limit``) is parsed
        as Go's ``strconv.ParseInt`` reads it; out of range or not a number is a ValueError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._checks import int_between

__all__ = [
    "PAGES",
    "Page",
    "check_limit",
    "parse_int32",
    "parse_page_limit",
]

_SIGNED = re.compile(r"[-+]?[0-9]+")
_INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class Page:
    """One list's page sizes: ``limit`` 1..``high``; absent, ``default``."""

    high: int
    default: int


PAGES = {
    "friends": Page(1000, 1000),  # GET /v2/friend
    "friends_of_friends": Page(100, 10),  # GET /v2/friend/friends
    "groups": Page(100, 1),  # GET /v2/group
    "group_users": Page(100, 100),  # GET /v2/group/{id}/user
    "user_groups": Page(100, 100),  # GET /v2/user/{id}/group
    "notifications": Page(100, 1),  # GET /v2/notification
}


def parse_int32(raw: str, name: str) -> int:
    """An int32 query value (Rule 3)."""
    if not _SIGNED.fullmatch(raw) or not _INT32[0] <= int(raw) <= _INT32[1]:
        raise ValueError(f'parsing field "{name}": strconv.ParseInt: parsing "{raw}": invalid')
    return int(raw)


def parse_page_limit(raw: str | None, page: Page) -> int:
    """The ``limit`` query value of a list (Rules 2 and 3)."""
    if raw is None:
        return page.default
    limit = parse_int32(raw, "limit")
    if not 1 <= limit <= page.high:
        raise ValueError(f"Invalid limit - limit must be between 1 and {page.high}.")
    return limit


def check_limit(limit: int, page: Page) -> str:
    """A client's ``limit`` argument as its query value; ValueError when out of range."""
    return str(int_between("limit", limit, 1, page.high))
