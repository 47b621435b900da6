"""Reading and writing Nakama's JSON field values: pure functions shared by every record parser.

Rule 1: a missing field reads as its zero value (Nakama omits zeros): "", 0, {}, None times.
Rule 2: int64 values come as decimal strings, int32 as numbers; ``metadata`` is JSON text; times
        are RFC 3339 (Go writes nanoseconds), read as UTC-aware datetimes.
Rule 3: a value of the wrong shape is the server's fault: ``ProtocolError`` naming the field.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from .._exceptions import ProtocolError
from .wire import parse_int64

__all__ = [
    "as_object",
    "boolean",
    "format_rfc3339",
    "format_rfc3339_micro",
    "int64",
    "loads",
    "metadata",
    "new_record",
    "parse_rfc3339",
    "text",
    "time_field",
]

T = TypeVar("T")
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)\Z"
)


_DECODER = json.JSONDecoder()


def loads(text: str) -> Any:
    """``json.loads`` for the hot path: the same decoder without its per-call Python overhead
    (four times faster on small documents). ValueError on bad JSON, trailing garbage, or nesting
    too deep for Python's recursive parser (its RecursionError is not the caller's business)."""
    try:
        try:
            value, end = _DECODER.raw_decode(text)
        except ValueError:
            return json.loads(text)  # leading whitespace, or a real error with json's message
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None
    if end != len(text) and not text[end:].isspace():
        raise ValueError(f"extra data after the JSON value at offset {end}")
    return value


def _parse_rfc3339_slow(text: str) -> datetime:
    m = _RFC3339.match(text)
    if m is None:
        raise ValueError(f"not an RFC 3339 time: {text[:40]!r}")
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micros = int((frac or "0")[:6].ljust(6, "0"))
    offset = timezone.utc
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        offset = timezone(sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
    return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micros, offset)


@functools.lru_cache(maxsize=4096)  # pages repeat the same times; datetimes are immutable
def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 time (nanoseconds allowed, as Go writes them) as a UTC-aware datetime."""
    try:  # the C parser handles Go's output on 3.11+; 3.10 and odd forms take the regex
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _parse_rfc3339_slow(text)
    if moment.tzinfo is None:
        raise ValueError(f"RFC 3339 time without a zone: {text[:40]!r}")
    return moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)


@functools.lru_cache(maxsize=1024)  # most records of a page share a few seconds
def format_rfc3339(seconds: int) -> str:
    """Epoch seconds as protojson writes a Timestamp: ``2026-11-27T10:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def format_rfc3339_micro(at: float) -> str:
    """Epoch seconds to the microsecond: ``2026-11-27T10:00:00.445997Z`` (a chat message's
    time; Nakama writes nanoseconds, which its clients read the same)."""
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at))
    return f"{whole}.{int(at % 1 * 1e6):06d}Z"


def new_record(cls: type[T], fields: dict[str, Any]) -> T:
    """Build a frozen dataclass from already-validated fields without its per-field
    ``object.__setattr__`` calls: a page of records is parsed on every leaderboard call."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key, "")
    if value.__class__ is not str:
        raise ProtocolError(f"server sent {key} as {type(value).__name__}, expected a string")
    return value  # exactly a str, checked above


def int64(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if value is None:
        return 0
    cls = value.__class__
    if cls is str and value.isdecimal() and len(value) < 19:  # int64, the common case
        return int(value)
    if cls is int and -(2**31) <= value < 2**31:  # int32 fields come as numbers
        return value  # type: ignore[no-any-return]  # exactly an int, checked above
    try:
        return parse_int64(value, key)
    except ValueError as exc:
        raise ProtocolError(f"server sent a bad {key}: {exc}") from None


def time_field(obj: Mapping[str, Any], key: str) -> datetime | None:
    raw = text(obj, key)
    if not raw:
        return None
    try:
        return parse_rfc3339(raw)
    except ValueError as exc:
        raise ProtocolError(f"server sent a bad {key}: {exc}") from None


def metadata(obj: Mapping[str, Any], key: str = "metadata") -> dict[str, Any]:
    """A field holding a JSON object as JSON text (``metadata``, a storage ``value``)."""
    raw = text(obj, key)
    if not raw or raw == "{}":
        return {}
    try:
        value = loads(raw)
    except ValueError:
        raise ProtocolError(f"server sent {key} that is not JSON text") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"server sent {key} that is not a JSON object")
    return value


def as_object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"server sent {what} as {type(value).__name__}, expected an object")
    return value


def list_field(obj: Mapping[str, Any], key: str) -> list[Any]:
    """A list field; absent (Nakama omits empty ones) reads as empty."""
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise ProtocolError(f"server sent {key} as {type(value).__name__}, expected a list")
    return value


def boolean(obj: Mapping[str, Any], key: str) -> bool:
    value = obj.get(key, False)
    if value.__class__ is not bool:
        raise ProtocolError(f"server sent {key} as {type(value).__name__}, expected a boolean")
    return value  # exactly a bool, checked above
