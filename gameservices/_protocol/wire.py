"""Nakama JSON rules, written once (protojson with proto names and enum numbers).

Rule 1: int64 goes out as a JSON string; it comes in as a number or a string holding a JSON
        number (``"7"``, ``"1e2"``; not ``" 7"`` or ``"+7"``), integral either way.
Rule 2: enums go out as numbers; they come in as a name or a number.
Rule 3: zero values are omitted on output; a missing field, or ``null``, reads as its zero value.
Rule 4: errors are ``{"code": <grpc code>, "message": str}`` with a matching status (Nakama sends
        no ``details``).
Rule 5: every body either end sends is compact JSON text with non-ASCII kept (``dumps``).
Rule 6: an input field is named by its proto name or its lowerCamelCase JSON name
        (``refresh_token`` or ``refreshToken``), never both (``body_field``, ``json_name``).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from decimal import Decimal
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
    "body_field",
    "check_int64",
    "dumps",
    "error_body",
    "format_int64",
    "format_int64_field",
    "grpc_code_for_status",
    "json_name",
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


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def parse_int64(value: object, field: str) -> int:
    """An int64 from a JSON number or a string holding one (Rule 1); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{field} must be an integer")
    number = _as_int(value, field)
    if number is None:
        raise ValueError(f"{field} must be an integer")
    return check_int64(number, field)


def _as_int(value: object, field: str) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _JSON_NUMBER.fullmatch(value):
        number = Decimal(value)
        # Range first: "1e999999999" is integral, and int() of it would take forever.
        if not INT64_MIN <= number <= INT64_MAX:
            raise ValueError(f"{field} is out of the int64 range")
        return int(number) if number == number.to_integral_value() else None
    return None


def format_int64(value: int) -> str:
    """int64 on the wire: a decimal string."""
    return str(value)


def omit_zero(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop zero values (0, "", None, False, empty containers), as protojson does. An int64 is
    a string on the wire: pass a zero one as "" (``format_int64_field``), since the string "0"
    is a value in a string field (a username, say)."""
    return {k: v for k, v in fields.items() if v}


def format_int64_field(value: int) -> str:
    """An int64 field for ``omit_zero``: its decimal string, or "" when zero (left out)."""
    return str(value) if value else ""


def error_body(code: int, message: str) -> dict[str, Any]:
    """A Nakama error body (Rule 4)."""
    return {"code": int(code), "message": message}


def json_name(proto_name: str) -> str:
    """A field's lowerCamelCase JSON name, as protoc derives it: ``refresh_token`` ->
    ``refreshToken``, ``owner_ids`` -> ``ownerIds``."""
    head, *rest = proto_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def body_field(body: Mapping[str, Any], name: str) -> Any:
    """The value of input field ``name`` (its proto name) by either spelling (Rule 6); None
    when absent; ValueError when the body names it twice, as protojson refuses it."""
    alias = json_name(name)
    if alias == name:
        return body.get(name)
    if name in body and alias in body:
        raise ValueError(f'duplicate field "{alias}"')
    return body[name] if name in body else body.get(alias)
