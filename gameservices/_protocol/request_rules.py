"""What a server accepts: Nakama's request rules and their messages, as pure functions.

The inverse of ``api.py``: ``api`` builds requests, this module (bodies, fields, leaderboard
calls) and ``account_rules`` (logins, sessions) judge them. The reference server parses every
request body and query value with these functions, and the round-trip tests feed them what
``api`` builds.

Rule 1: a failed check raises ``ValueError`` whose text is Nakama's message, word for word; the
        server answers it with 400 and code 3. Checks run in Nakama's order, so the first
        problem found is the one Nakama reports.
Rule 2: a body is a JSON object (empty reads as ``{}``) of Unicode text: an escaped lone
        surrogate (``"\\ud800"``) makes it invalid JSON; a missing field reads as its zero value.
Rule 3: lengths count UTF-8 bytes (``limits``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .limits import METADATA_MAX_BYTES
from .wire import Operator, dumps, parse_enum, parse_int64

__all__ = [
    "RecordWrite",
    "Vars",
    "check_expiry",
    "parse_body",
    "parse_bool",
    "parse_limit",
    "parse_owner_id",
    "parse_owner_ids",
    "parse_record_write",
    "string_field",
    "vars_field",
]

Vars = dict[str, str]
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


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
