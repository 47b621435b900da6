"""Nakama JSON rules, written once (protojson with proto names and enum numbers).

Rule 1: int64 goes out as a JSON string; it comes in as a string or a number.
Rule 2: enums go out as numbers; they come in as a name or a number.
Rule 3: zero values are omitted on output; a missing field reads as its zero value.
Rule 4: errors are ``{"code": <grpc code>, "message": str, "details": []}`` with a matching status.
Rule 5: every body either end sends is compact JSON text with non-ASCII kept (``dumps``).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "GRPC_CODE_FOR_STATUS",
    "INT64_MAX",
    "INT64_MIN",
    "OPERATOR_NAMES",
    "STATUS_FOR_GRPC_CODE",
    "GrpcCode",
    "Operator",
    "SortOrder",
    "check_int64",
    "dumps",
    "error_body",
    "format_int64",
    "grpc_code_for_status",
    "omit_zero",
    "parse_enum",
    "parse_int64",
    "parse_operator",
]

# One encoder: json.dumps with options builds a new encoder on every call.
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class GrpcCode(enum.IntEnum):
    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


STATUS_FOR_GRPC_CODE: Mapping[int, int] = {
    GrpcCode.INVALID_ARGUMENT: 400,
    GrpcCode.OUT_OF_RANGE: 400,
    GrpcCode.FAILED_PRECONDITION: 400,
    GrpcCode.UNAUTHENTICATED: 401,
    GrpcCode.PERMISSION_DENIED: 403,
    GrpcCode.NOT_FOUND: 404,
    GrpcCode.ALREADY_EXISTS: 409,
    GrpcCode.ABORTED: 409,
    GrpcCode.RESOURCE_EXHAUSTED: 429,
    GrpcCode.CANCELLED: 499,
    GrpcCode.UNKNOWN: 500,
    GrpcCode.INTERNAL: 500,
    GrpcCode.DATA_LOSS: 500,
    GrpcCode.UNIMPLEMENTED: 501,
    GrpcCode.UNAVAILABLE: 503,
    GrpcCode.DEADLINE_EXCEEDED: 504,
}

GRPC_CODE_FOR_STATUS: Mapping[int, int] = {
    400: GrpcCode.INVALID_ARGUMENT,
    401: GrpcCode.UNAUTHENTICATED,
    403: GrpcCode.PERMISSION_DENIED,
    404: GrpcCode.NOT_FOUND,
    409: GrpcCode.ALREADY_EXISTS,
    413: GrpcCode.INVALID_ARGUMENT,
    429: GrpcCode.RESOURCE_EXHAUSTED,
    500: GrpcCode.INTERNAL,
    501: GrpcCode.UNIMPLEMENTED,
    503: GrpcCode.UNAVAILABLE,
    504: GrpcCode.DEADLINE_EXCEEDED,
}


def grpc_code_for_status(status: int) -> int:
    """The code an error body with this HTTP status carries (unlisted: 13 for 5xx, else 2)."""
    default = GrpcCode.INTERNAL if status >= 500 else GrpcCode.UNKNOWN
    return GRPC_CODE_FOR_STATUS.get(status, default)


class Operator(enum.IntEnum):
    """Leaderboard write operators, numbered as in Nakama's api.Operator."""

    NO_OVERRIDE = 0
    BEST = 1
    SET = 2
    INCREMENT = 3
    DECREMENT = 4


class SortOrder(enum.IntEnum):
    """Leaderboard sort order, numbered as in Nakama (0 ascending, 1 descending)."""

    ASCENDING = 0
    DESCENDING = 1


# The short spellings boards, the CLI and callers use; Nakama's own names work too.
OPERATOR_NAMES: Mapping[str, Operator] = {
    "best": Operator.BEST,
    "set": Operator.SET,
    "incr": Operator.INCREMENT,
    "decr": Operator.DECREMENT,
}


def parse_enum(cls: type[enum.IntEnum], value: object, field: str) -> Any:
    """An enum from its name (any case) or number; ValueError names the field otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a name or a number")
    if isinstance(value, int):
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"{field} {value} is not a valid {cls.__name__}") from None
    if isinstance(value, str):
        member = cls.__members__.get(value.upper())
        if member is not None:
            return member
        if value.lstrip("-").isdigit():
            return parse_enum(cls, int(value), field)
    raise ValueError(f"{field} {value!r} is not a valid {cls.__name__}")


def parse_operator(operator: Operator | str | int | None) -> Operator:
    """An Operator from a name ("best", "incr"), a number or None (the board's default)."""
    if operator is None:
        return Operator.NO_OVERRIDE
    if isinstance(operator, str) and operator.lower() in OPERATOR_NAMES:
        return OPERATOR_NAMES[operator.lower()]
    result: Operator = parse_enum(Operator, operator, "operator")
    return result


def check_int64(value: int, field: str) -> int:
    """``value`` if it fits in an int64; ValueError names the field otherwise."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{field} is out of the int64 range")
    return value


def parse_int64(value: object, field: str) -> int:
    """An int64 from a JSON string or number (protojson accepts both); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{field} must be an integer")
    number = _as_int(value)
    if number is None:
        raise ValueError(f"{field} must be an integer")
    return check_int64(number, field)


def _as_int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-+").isdigit():
        return int(value)
    return None


def format_int64(value: int) -> str:
    """int64 on the wire: a decimal string."""
    return str(value)


def omit_zero(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop zero values (0, "0", "", None, False, empty containers), as protojson does."""
    return {k: v for k, v in fields.items() if v and v != "0"}


def error_body(code: int, message: str) -> dict[str, Any]:
    """A Nakama error body."""
    return {"code": int(code), "message": message, "details": []}
