"""What a server accepts in a request body: Nakama's rules and their messages, as pure functions.

The inverse of ``api.py``: ``api`` builds requests, this module (bodies, fields, leaderboard
writes), ``query_rules`` (query values) and ``account_rules`` (logins, sessions) judge them. The
reference server parses every request with these functions, and the round-trip tests feed them
what ``api`` builds.

Rule 1: a failed check raises ``ValueError`` whose text is Nakama's message, word for word; the
        server answers it with 400 and code 3. Checks run in Nakama's order, so the first
        problem found is the one Nakama reports.
Rule 2: a body is a JSON object read as protojson reads it (``jsontext``: strict UTF-8, no lone
        surrogates, bounded depth); empty reads as ``{}``; a field named twice is refused; a
        missing or ``null`` field reads as its zero value; unknown fields are ignored.
Rule 3: lengths count UTF-8 bytes (``limits``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._checks import is_int
from .jsonb import Unstorable, jsonb_text
from .jsontext import DuplicateKeys, loads
from .limits import METADATA_MAX_BYTES
from .wire import Operator, body_field, parse_int64

__all__ = [
    "RecordWrite",
    "Vars",
    "check_write_values",
    "parse_body",
    "parse_record_write",
    "string_field",
    "vars_field",
]

Vars = dict[str, str]
_METADATA_MESSAGE = "Metadata value must be JSON, if provided."


# --- bodies and fields


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object; an empty body reads as ``{}``."""
    if not raw.strip():
        return {}
    try:
        data = loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        raise ValueError("Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValueError("Request body must be a JSON object.")
    if isinstance(data, DuplicateKeys):
        raise ValueError(f'Request body names the field "{data.key}" twice.')
    return data


def string_field(body: Mapping[str, Any], name: str) -> str:
    """A string field by either spelling (``wire.body_field``); missing or null reads as ""."""
    value = body_field(body, name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string.")
    return value


def vars_field(body: Mapping[str, Any]) -> Vars:
    value = body_field(body, "vars")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("vars must be an object of strings.")
    if isinstance(value, DuplicateKeys):
        raise ValueError(f'vars names the key "{value.key}" twice.')
    return {str(k): v for k, v in value.items()}


# --- leaderboards


@dataclass(frozen=True)
class RecordWrite:
    """The body of ``POST /v2/leaderboard/{id}``; ``metadata`` (as ``jsonb`` prints it) None
    keeps the stored one."""

    score: int
    subscore: int
    operator: Operator
    metadata: str | None


def parse_record_write(body: Mapping[str, Any]) -> RecordWrite:
    score = _int64_field(body, "score")
    subscore = _int64_field(body, "subscore")
    operator = parse_operator_field(body_field(body, "operator"))
    return RecordWrite(score, subscore, operator, _metadata(body_field(body, "metadata")))


def check_write_values(write: RecordWrite, operator: Operator) -> None:
    """Scores and subscores are never negative (Nakama's table checks ``score >= 0``, and
    answers a write that breaks it with 500; this is the 400 it should be). A negative
    DECREMENT is allowed: it adds, with the result floored at 0."""
    if operator is not Operator.DECREMENT and (write.score < 0 or write.subscore < 0):
        raise ValueError("Score and subscore must not be negative.")


def _int64_field(body: Mapping[str, Any], name: str) -> int:
    value = body_field(body, name)
    return 0 if value is None else parse_int64(value, name)


def parse_operator_field(value: object) -> Operator:
    """A write's ``operator`` as protojson reads an enum: a number (0-4; others are refused
    here, where Nakama fails later), or a name spelled exactly; any other string is an unknown
    enum value, dropped like an unknown field, so the board's operator applies."""
    if value is None:
        return Operator.NO_OVERRIDE
    if isinstance(value, str):
        return Operator.__members__.get(value, Operator.NO_OVERRIDE)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not is_int(value):
        raise ValueError("operator must be a name or a number")
    try:
        return Operator(value)
    except ValueError:
        raise ValueError(f"operator {value} is not a valid Operator") from None


def _metadata(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip().startswith("{"):
        raise ValueError(_METADATA_MESSAGE)
    # Deliberate (docs/server.md): Nakama bounds metadata only by its request size.
    if len(value.encode()) > METADATA_MAX_BYTES:
        raise ValueError(f"Metadata value must be at most {METADATA_MAX_BYTES} bytes.")
    try:
        return jsonb_text(value)
    except Unstorable as exc:  # valid JSON that jsonb refuses (Nakama: a 500)
        raise ValueError(f"Metadata value cannot be stored: {exc}.") from None
    except ValueError:
        raise ValueError(_METADATA_MESSAGE) from None
