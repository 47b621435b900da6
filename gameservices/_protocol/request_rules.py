"""What a server accepts: Nakama's request rules and their messages, as pure functions.

The inverse of ``api.py``: ``api`` builds requests, this module judges them. The reference server
parses every request body and query value with these functions, and the round-trip tests feed
them what ``api`` builds.

Rule 1: a failed check raises ``ValueError`` whose text is Nakama's message, word for word; the
        server answers it with 400 and code 3. Checks run in Nakama's order, so the first
        problem found is the one Nakama reports.
Rule 2: a body is a JSON object (empty reads as ``{}``) of Unicode text: an escaped lone
        surrogate (``"\\ud800"``) makes it invalid JSON; a missing field reads as its zero value.
Rule 3: lengths count UTF-8 bytes (``limits``); ids, usernames and emails hold no spaces or
        control characters (Go's POSIX ``[[:cntrl:]]`` and ``[[:space:]]``: ASCII only).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .limits import (
    CUSTOM_ID_MIN_BYTES,
    DEVICE_ID_MIN_BYTES,
    EMAIL_MAX_BYTES,
    EMAIL_MIN_BYTES,
    ID_MAX_BYTES,
    METADATA_MAX_BYTES,
    PASSWORD_MIN_BYTES,
)
from .wire import Operator, dumps, parse_enum, parse_int64

__all__ = [
    "RecordWrite",
    "check_custom_id",
    "check_device_id",
    "check_email",
    "check_expiry",
    "check_username",
    "parse_body",
    "parse_bool",
    "parse_email_login",
    "parse_id_login",
    "parse_limit",
    "parse_logout",
    "parse_owner_id",
    "parse_owner_ids",
    "parse_record_write",
    "parse_refresh_token",
    "string_field",
    "vars_field",
]

Vars = dict[str, str]
_INVALID_CHARS = re.compile(r"[\x00-\x20\x7f]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_EMAIL = re.compile(r"^.+@.+\..+$")


# --- bodies and fields


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object; an empty body reads as ``{}``."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValueError("Request body must be a JSON object.")
    if _SURROGATE_ESCAPE.search(raw) and not _is_unicode(data):
        raise ValueError("Request body is not valid JSON.")
    return data


def _is_unicode(data: object) -> bool:
    """Whether every string in ``data`` encodes to UTF-8 (pairs of escapes do; lone ones not)."""
    try:
        dumps(data).encode()
    except UnicodeEncodeError:
        return False
    return True


def string_field(body: Mapping[str, Any], name: str) -> str:
    """A string field; missing reads as "" (protojson's zero value)."""
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string.")
    return value


def vars_field(body: Mapping[str, Any]) -> Vars:
    value = body.get("vars")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("vars must be an object of strings.")
    return {str(k): v for k, v in value.items()}


def parse_bool(raw: str | None, name: str, default: bool) -> bool:
    """A query flag: ``true``/``1`` or ``false``/``0`` (any case); absent or empty: ``default``."""
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(f"{name} must be true or false.")


# --- accounts


def _check_id(value: str, label: str, low: int) -> str:
    if not value:
        raise ValueError(f"{label} is required.")
    if _INVALID_CHARS.search(value):
        raise ValueError(f"{label} invalid, no spaces or control characters allowed.")
    if not low <= len(value.encode()) <= ID_MAX_BYTES:
        raise ValueError(f"{label} invalid, must be {low}-{ID_MAX_BYTES} bytes.")
    return value


def check_device_id(value: str) -> str:
    return _check_id(value, "Device ID", DEVICE_ID_MIN_BYTES)


def check_custom_id(value: str) -> str:
    return _check_id(value, "Custom ID", CUSTOM_ID_MIN_BYTES)


def check_email(email: str, password: str) -> None:
    if not email or not password:
        raise ValueError("Email address and password is required.")
    if _INVALID_CHARS.search(email):
        raise ValueError("Invalid email address, no spaces or control characters allowed.")
    if len(password.encode()) < PASSWORD_MIN_BYTES:
        raise ValueError(f"Password must be at least {PASSWORD_MIN_BYTES} characters long.")
    if not _EMAIL.match(email):
        raise ValueError("Invalid email address format.")
    if not EMAIL_MIN_BYTES <= len(email.encode()) <= EMAIL_MAX_BYTES:
        raise ValueError(
            f"Invalid email address, must be {EMAIL_MIN_BYTES}-{EMAIL_MAX_BYTES} bytes."
        )


def parse_id_login(body: Mapping[str, Any], check_id: Callable[[str], str]) -> tuple[str, Vars]:
    """The ``id`` and ``vars`` of a device or custom login (``check_device_id`` or
    ``check_custom_id`` judges the id)."""
    return check_id(string_field(body, "id")), vars_field(body)


def parse_email_login(body: Mapping[str, Any]) -> tuple[str, str, Vars]:
    """The ``email``, ``password`` and ``vars`` of an email login."""
    email, password = string_field(body, "email"), string_field(body, "password")
    check_email(email, password)
    return email, password, vars_field(body)


def parse_refresh_token(body: Mapping[str, Any]) -> str:
    """The ``token`` of a session refresh (its ``vars`` are judged after the token)."""
    token = string_field(body, "token")
    if not token:
        raise ValueError("Refresh token is required.")
    return token


def parse_logout(body: Mapping[str, Any]) -> list[str]:
    """The tokens a logout names (``token``, ``refresh_token``), empty ones left out."""
    return [t for t in (string_field(body, "token"), string_field(body, "refresh_token")) if t]


def check_username(name: str) -> str:
    """The ``username`` query value; empty means "let the server pick one"."""
    if name and _INVALID_CHARS.search(name):
        raise ValueError("Username invalid, no spaces or control characters allowed.")
    if len(name.encode()) > ID_MAX_BYTES:
        raise ValueError(f"Username invalid, must be 1-{ID_MAX_BYTES} bytes.")
    return name


# --- leaderboards


@dataclass(frozen=True)
class RecordWrite:
    """The body of ``POST /v2/leaderboard/{id}``; ``metadata`` None keeps the stored one."""

    score: int
    subscore: int
    operator: Operator
    metadata: str | None


def parse_record_write(body: Mapping[str, Any]) -> RecordWrite:
    score = parse_int64(body.get("score", 0), "score")
    subscore = parse_int64(body.get("subscore", 0), "subscore")
    operator = parse_enum(Operator, body.get("operator", 0), "operator")
    return RecordWrite(score, subscore, operator, _metadata(body.get("metadata")))


def _metadata(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("Metadata value must be JSON, if provided.")
    if len(value.encode()) > METADATA_MAX_BYTES:
        raise ValueError(f"Metadata value must be at most {METADATA_MAX_BYTES} bytes.")
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValueError("Metadata value must be JSON, if provided.")
    return value


def parse_limit(raw: str, high: int) -> int | None:
    """The ``limit`` query value (1-``high``); "" is None, the server's default."""
    if raw == "":
        return None
    message = f"Invalid limit - limit must be between 1 and {high}."
    try:
        limit = int(raw)
    except ValueError:
        raise ValueError(message) from None
    if not 1 <= limit <= high:
        raise ValueError(message)
    return limit


def check_expiry(raw: str) -> None:
    """The ``expiry`` query value: epoch seconds >= 0, or "" for none."""
    if raw == "":
        return
    try:
        expiry = parse_int64(raw, "expiry")
    except ValueError:
        expiry = -1
    if expiry < 0:
        raise ValueError(
            "Expiry should be time since epoch in seconds and has to be a positive integer."
        )


def _canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def parse_owner_id(value: str) -> str:
    """The ``owner_id`` path segment of a list around an owner, as a canonical uuid."""
    owner = _canonical_uuid(value)
    if owner is None:
        raise ValueError("Invalid owner ID provided.")
    return owner


def parse_owner_ids(values: Iterable[str]) -> list[str]:
    """Every ``owner_ids`` query value as a canonical uuid, first occurrence kept."""
    owners = [_canonical_uuid(o) for o in values]
    if any(o is None for o in owners):
        raise ValueError("One or more owner IDs are invalid.")
    return list(dict.fromkeys(o for o in owners if o is not None))
