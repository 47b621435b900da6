"""The player's own account and other players' profiles: ``GET|PUT|DELETE /v2/account`` and
``GET /v2/user``, both directions (records and parsers for the client, rules for the server,
request builders), pure.

Rule 1: an update names only what changes: None leaves a field as it is, "" clears it (Nakama
        sets the column NULL), except ``username`` (1-128 bytes, Nakama's username rules) and
        ``lang_tag`` (its column is NOT NULL). An update naming nothing is refused ("No fields
        to update.").
Rule 2: the profile columns have Nakama's sizes (PostgreSQL ``VARCHAR(n)``: characters, not
        bytes) and hold no NUL. Nakama answers a value over them with 500; here it is a 400
        with a message naming the field (docs/server.md, "400 where Nakama answers 500"), and
        the client refuses it before sending (``check_profile``).
Rule 3: a user id in ``GET /v2/user`` is read as Nakama reads it (gofrs ``uuid.FromString``):
        canonical, braced or 32 hex digits, any case; PostgreSQL then refuses the ``urn:uuid:``
        form Nakama's parser lets through (a 500 there, a 400 here).
Rule 5: Nakama 3.40 answers an update to a taken username with 400, code 3 and the message
        "rpc error: code = AlreadyExists desc = Username is already in use." (its AlreadyExists
        error wrapped in an InvalidArgument); the client raises ``Conflict`` for it
        (``username_taken``), as for a taken username at login (409).
Rule 4: an account's ``devices`` are their ids; ``wallet`` is JSON text on the wire, an object
        here; ``verify_time`` and ``disable_time`` are None when never set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._exceptions import APIError, Conflict
from .api import Request
from .fields import as_object, list_field, metadata, text, time_field
from .limits import ID_MAX_BYTES
from .routes import ACCOUNT, USERS
from .users import User, parse_user
from .wire import body_field, dumps

__all__ = [
    "PROFILE_FIELDS",
    "USERNAME_TAKEN_ON_UPDATE",
    "Account",
    "AccountUpdate",
    "check_profile",
    "delete_account",
    "get_account",
    "get_users",
    "parse_account",
    "parse_account_update",
    "parse_system_id",
    "update_account",
    "username_taken",
]

# Each profile field and its column's size in characters (Nakama's users table).
PROFILE_FIELDS: Mapping[str, int] = {
    "display_name": 255,
    "avatar_url": 512,
    "lang_tag": 18,
    "location": 255,
    "timezone": 255,
}
_LABELS = {
    "display_name": "Display name",
    "avatar_url": "Avatar URL",
    "lang_tag": "Lang tag",
    "location": "Location",
    "timezone": "Timezone",
}
# Nakama's "([[:cntrl:]]|[[\t\n\r\f\v]])+" (account_rules has the same for logins).
_INVALID_USERNAME = re.compile(r"[\x00-\x1f\x7f]|\[\]")
USERNAME_TAKEN_ON_UPDATE = "rpc error: code = AlreadyExists desc = Username is already in use."
_HEX = re.compile(r"[0-9a-fA-F]{32}")
_JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Account:
    """The logged-in player's account (``apiAccount``)."""

    user: User = field(default_factory=User)
    wallet: Mapping[str, Any] = field(default_factory=dict)
    email: str = ""
    devices: tuple[str, ...] = ()
    custom_id: str = ""
    verify_time: datetime | None = None
    disable_time: datetime | None = None


def parse_account(obj: object) -> Account:
    o = as_object(obj, "an account")
    devices = list_field(o, "devices")
    return Account(
        user=parse_user(o.get("user", {})),
        wallet=metadata(o, "wallet"),
        email=text(o, "email"),
        devices=tuple(text(as_object(d, "a device"), "id") for d in devices),
        custom_id=text(o, "custom_id"),
        verify_time=time_field(o, "verify_time"),
        disable_time=time_field(o, "disable_time"),
    )


# --- the rules (server and client)


@dataclass(frozen=True)
class AccountUpdate:
    """A validated ``PUT /v2/account``: None leaves a field, "" clears it (Rule 1)."""

    username: str | None = None
    display_name: str | None = None
    avatar_url: str | None = None
    lang_tag: str | None = None
    location: str | None = None
    timezone: str | None = None

    def profile(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


def _optional_string(body: Mapping[str, Any], name: str) -> str | None:
    value = body_field(body, name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"proto: invalid value for string field value: {dumps(value)[:40]}")
    return value


def check_profile(name: str, value: str) -> str:
    """A profile field's value against its column (Rule 2); ValueError names the field."""
    label, size = _LABELS[name], PROFILE_FIELDS[name]
    if name == "lang_tag" and value == "":
        raise ValueError(f"{label} cannot be empty.")
    if "\x00" in value:
        raise ValueError(f"{label} must not contain a NUL character.")
    if len(value) > size:
        raise ValueError(f"{label} must be at most {size} characters.")
    return value


def parse_account_update(body: Mapping[str, Any]) -> AccountUpdate:
    """The body of ``PUT /v2/account``, judged in Nakama's order: types, the username's length,
    its characters, something to update; then the columns' sizes (ours, Rule 2)."""
    username = _optional_string(body, "username")
    profile = {name: _optional_string(body, name) for name in PROFILE_FIELDS}
    if username is not None:
        if not 1 <= len(username.encode()) <= ID_MAX_BYTES:
            raise ValueError(f"Username invalid, must be 1-{ID_MAX_BYTES} bytes.")
        if _INVALID_USERNAME.search(username):
            raise ValueError("Username invalid, no spaces or control characters allowed.")
    if username is None and all(v is None for v in profile.values()):
        raise ValueError("No fields to update.")
    for name, value in profile.items():
        if value is not None:
            check_profile(name, value)
    return AccountUpdate(username, **profile)


def parse_system_id(value: str) -> str:
    """A user id of ``GET /v2/user`` as a canonical lowercase uuid (Rule 3)."""
    hexed = value
    if len(value) in (34, 38) and value[0] == "{" and value[-1] == "}":
        hexed = value[1:-1]
    if len(hexed) == 36 and all(hexed[i] == "-" for i in (8, 13, 18, 23)):
        hexed = hexed.replace("-", "")
    if len(hexed) != 32 or not _HEX.fullmatch(hexed):
        raise ValueError(f"ID '{value}' is not a valid system ID.")
    h = hexed.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- request builders (client)


def get_account() -> Request:
    return Request("GET", ACCOUNT)


def update_account(**changes: str | None) -> Request:
    """``PUT /v2/account`` with the fields that are not None (Rule 1). A value the server would
    store only by failing (Rule 2) is refused here: ValueError naming the field."""
    body: dict[str, str] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")
        body[name] = check_profile(name, value) if name in PROFILE_FIELDS else value
    return Request("PUT", ACCOUNT, (), dict(_JSON), dumps(body).encode())


def username_taken(exc: APIError) -> Conflict | None:
    """The ``Conflict`` an update's refusal really is (Rule 5), or None."""
    if exc.status != 400 or exc.message != USERNAME_TAKEN_ON_UPDATE:
        return None
    return Conflict(
        "Username is already in use.",
        status=exc.status,
        code=exc.code,
        method=exc.method,
        url=exc.url,
        request_id=exc.request_id,
    )


def delete_account() -> Request:
    return Request("DELETE", ACCOUNT)


def _strings(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{what} must be a sequence of strings, not one string")
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"{what} must hold strings only")
    return out


def get_users(
    ids: Iterable[str] = (), usernames: Iterable[str] = (), facebook_ids: Iterable[str] = ()
) -> Request:
    """``GET /v2/user``: every user matching any of the ids, usernames or Facebook ids."""
    query = [("ids", v) for v in _strings(ids, "ids")]
    query += [("usernames", v) for v in _strings(usernames, "usernames")]
    query += [("facebook_ids", v) for v in _strings(facebook_ids, "facebook_ids")]
    return Request("GET", USERS, tuple(query))
