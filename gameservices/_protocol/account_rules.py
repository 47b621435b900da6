"""What a server accepts at login: Nakama's account rules and their messages (pure).

Part of the request rules (see ``request_rules`` for Rules 1-3: Nakama's messages word for
word in ``ValueError``, in Nakama's order; lengths in UTF-8 bytes). Here:
Rule 4: ids and emails hold no spaces or control characters (Go's POSIX ``[[:cntrl:]]`` and
        ``[[:space:]]``: ASCII only). Usernames may hold spaces: only control characters are
        refused, and, by a quirk of Nakama's pattern, the two characters ``[]`` in a row. An
        empty username lets the server pick one.
Rule 5: an email login without an email is a login by ``username`` and password (never an
        account creation).
Rule 6: linking (``links``) judges the same values with the same rules, in the order and with
        the wording of Nakama's link code: a linked custom id is an "Invalid custom ID", and a
        linked email needs both values, then its characters, the password, the format and the
        length (``check_linked_email``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .limits import (
    CUSTOM_ID_MIN_BYTES,
    DEVICE_ID_MIN_BYTES,
    EMAIL_MAX_BYTES,
    EMAIL_MIN_BYTES,
    ID_MAX_BYTES,
    PASSWORD_MIN_BYTES,
)
from .request_rules import Vars, string_field, vars_field

__all__ = [
    "EmailLogin",
    "Logout",
    "check_custom_id",
    "check_device_id",
    "check_email",
    "check_linked_custom_id",
    "check_linked_email",
    "check_username",
    "parse_email_login",
    "parse_id_login",
    "parse_logout",
    "parse_refresh_token",
]

_INVALID_CHARS = re.compile(r"[\x00-\x20\x7f]")
# Nakama's "([[:cntrl:]]|[[\t\n\r\f\v]])+": the second bracket expression is "[" or a
# control character followed by a literal "]".
_INVALID_USERNAME = re.compile(r"[\x00-\x1f\x7f]|\[\]")
_EMAIL = re.compile(r"^.+@.+\..+$")


def _check_id(value: str, label: str, low: int, invalid: str = "") -> str:
    invalid = invalid or f"{label} invalid"
    if not value:
        raise ValueError(f"{label} is required.")
    if _INVALID_CHARS.search(value):
        raise ValueError(f"{invalid}, no spaces or control characters allowed.")
    if not low <= len(value.encode()) <= ID_MAX_BYTES:
        raise ValueError(f"{invalid}, must be {low}-{ID_MAX_BYTES} bytes.")
    return value


def check_device_id(value: str) -> str:
    """A device id, at login and when linked (the same wording both ways)."""
    return _check_id(value, "Device ID", DEVICE_ID_MIN_BYTES)


def check_custom_id(value: str) -> str:
    return _check_id(value, "Custom ID", CUSTOM_ID_MIN_BYTES)


def check_linked_custom_id(value: str) -> str:
    """A custom id to link: the login rules, in the link code's wording (Rule 6)."""
    return _check_id(value, "Custom ID", CUSTOM_ID_MIN_BYTES, "Invalid custom ID")


def _email_characters(email: str) -> None:
    if _INVALID_CHARS.search(email):
        raise ValueError("Invalid email address, no spaces or control characters allowed.")


def _email_shape(email: str) -> None:
    if not _EMAIL.match(email):
        raise ValueError("Invalid email address format.")
    if not EMAIL_MIN_BYTES <= len(email.encode()) <= EMAIL_MAX_BYTES:
        raise ValueError(
            f"Invalid email address, must be {EMAIL_MIN_BYTES}-{EMAIL_MAX_BYTES} bytes."
        )


def _password(password: str) -> None:
    if len(password.encode()) < PASSWORD_MIN_BYTES:
        raise ValueError(f"Password must be at least {PASSWORD_MIN_BYTES} characters long.")


def check_email(email: str, password: str) -> None:
    """An email login's address (when given: Rule 5) and password, in Nakama's order."""
    if email:
        _email_characters(email)
        _email_shape(email)
    _password(password)


def check_linked_email(email: str, password: str) -> str:
    """An email and password to link, in the link code's order (Rule 6); the email as stored
    (lower case, as at login)."""
    if not email or not password:
        raise ValueError("Email address and password is required.")
    _email_characters(email)
    _password(password)
    _email_shape(email)
    return email.lower()


def parse_id_login(body: Mapping[str, Any], check_id: Callable[[str], str]) -> tuple[str, Vars]:
    """The ``id`` and ``vars`` of a device or custom login (``check_device_id`` or
    ``check_custom_id`` judges the id)."""
    return check_id(string_field(body, "id")), vars_field(body)


@dataclass(frozen=True)
class EmailLogin:
    """An email login: ``email`` "" means a login by ``username`` and password (Rule 5)."""

    email: str
    password: str
    username: str
    vars: Vars


def parse_email_login(body: Mapping[str, Any], username: str = "") -> EmailLogin:
    """The ``email``, ``password`` and ``vars`` of an email login, and its ``username`` query
    value, judged in Nakama's order."""
    email, password = string_field(body, "email"), string_field(body, "password")
    check_email(email, password)
    if not username and not email:
        raise ValueError("Username is required when email address is not supplied.")
    return EmailLogin(email, password, check_username(username), vars_field(body))


def parse_refresh_token(body: Mapping[str, Any]) -> str:
    """The ``token`` of a session refresh (its ``vars`` are judged after the token)."""
    token = string_field(body, "token")
    if not token:
        raise ValueError("Refresh token is required.")
    return token


@dataclass(frozen=True)
class Logout:
    """The tokens a logout names; "" for one it leaves out."""

    token: str
    refresh_token: str


def parse_logout(body: Mapping[str, Any]) -> Logout:
    """``token`` and ``refresh_token`` (or ``refreshToken``: ``wire.body_field``)."""
    return Logout(string_field(body, "token"), string_field(body, "refresh_token"))


def check_username(name: str) -> str:
    """The ``username`` query value; empty means "let the server pick one" (Rule 4)."""
    if name and _INVALID_USERNAME.search(name):
        raise ValueError("Username invalid, no spaces or control characters allowed.")
    if len(name.encode()) > ID_MAX_BYTES:
        raise ValueError(f"Username invalid, must be 1-{ID_MAX_BYTES} bytes.")
    return name
