"""What a server accepts in a query string: values as Nakama's gateway parses them (pure).

Part of the request rules (``request_rules`` Rule 1: ``ValueError`` with Nakama's message). Here:
Rule 4: a value present in the query is parsed even when empty: ``limit=`` or ``create=`` is
        refused, as grpc-gateway refuses it; only an absent value takes the default.
Rule 5: numbers and flags are Go's ``strconv``: ``ParseInt`` (an optional sign, ASCII digits),
        ``ParseUint`` (digits only), ``ParseBool`` (``1 t T TRUE true True``, ``0 f F FALSE
        false False``); a value out of the field's range is refused.
Rule 6: ``expiry`` selects a reset period by its exact end (``0``: the current one); any other
        number, negative ones too, is a period that may simply hold nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .uuids import canonical_uuid

__all__ = [
    "parse_bool",
    "parse_expiry",
    "parse_limit",
    "parse_owner_id",
    "parse_owner_ids",
]

_SIGNED = re.compile(r"[-+]?[0-9]+")
_UNSIGNED = re.compile(r"[0-9]+")
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_INT32 = (-(2**31), 2**31 - 1)
_UINT32 = (0, 2**32 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def parse_bool(raw: str | None, name: str, default: bool) -> bool:
    """A query flag (Rule 5); absent: ``default``."""
    if raw is None:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false.")


def _integer(raw: str, pattern: re.Pattern[str], bounds: tuple[int, int]) -> int | None:
    if not pattern.fullmatch(raw):
        return None
    value = int(raw)
    return value if bounds[0] <= value <= bounds[1] else None


def parse_limit(raw: str | None, high: int, *, unsigned: bool = False) -> int | None:
    """The ``limit`` query value, 1-``high``; absent: None (the server's default). Lists take an
    int32, lists around an owner a uint32 (Rule 5)."""
    if raw is None:
        return None
    message = f"Invalid limit - limit must be between 1 and {high}."
    limit = _integer(raw, _UNSIGNED, _UINT32) if unsigned else _integer(raw, _SIGNED, _INT32)
    if limit is None or not 1 <= limit <= high:
        raise ValueError(message)
    return limit


def parse_expiry(raw: str | None) -> int:
    """The ``expiry`` query value: the end of the reset period to read, epoch seconds; absent
    or 0: the current period (Rule 6)."""
    if raw is None:
        return 0
    expiry = _integer(raw, _SIGNED, _INT64)
    if expiry is None:
        raise ValueError("Expiry must be an integer: seconds since the epoch.")
    return expiry


def parse_owner_id(value: str) -> str:
    """The ``owner_id`` path segment of a list around an owner, as a canonical uuid."""
    if value == "":
        raise ValueError("Owner ID must be provided for a haystack query.")
    owner = canonical_uuid(value, nil=True)
    if owner is None:
        raise ValueError("Invalid owner ID provided.")
    return owner


def parse_owner_ids(values: Iterable[str]) -> list[str]:
    """Every ``owner_ids`` query value as a canonical uuid, first occurrence kept."""
    owners = [canonical_uuid(o, nil=True) for o in values]
    if any(o is None for o in owners):
        raise ValueError("One or more owner IDs are invalid.")
    return list(dict.fromkeys(o for o in owners if o is not None))
