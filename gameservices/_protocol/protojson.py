"""Reading request body fields as protojson (Nakama's gateway) reads them: pure, for servers.

Rule 1: a field is found by either spelling (``wire.body_field``); absent or ``null`` is None.
Rule 2: a string field takes a JSON string only; a bool field ``true``/``false`` only; an int32
        field a JSON number with no fraction or a string holding one, within int32's range.
        Anything else is a ValueError in protojson's words (``proto: invalid value for ...``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._checks import is_int
from .wire import body_field, dumps

__all__ = ["bool_value", "int32_value", "string_value"]

_INT32 = (-(2**31), 2**31 - 1)


def _refuse(kind: str, name: str, value: object) -> ValueError:
    return ValueError(f"proto: invalid value for {kind} field {name}: {dumps(value)[:40]}")


def string_value(body: Mapping[str, Any], name: str) -> str | None:
    value = body_field(body, name)
    if value is not None and not isinstance(value, str):
        raise _refuse("string", name, value)
    return value


def bool_value(body: Mapping[str, Any], name: str) -> bool | None:
    value = body_field(body, name)
    if value is not None and not isinstance(value, bool):
        raise _refuse("bool", name, value)
    return value


def int32_value(body: Mapping[str, Any], name: str) -> int | None:
    raw = value = body_field(body, name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value, 10)
        except ValueError:
            raise _refuse("int32", name, raw) from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not is_int(value) or not _INT32[0] <= value <= _INT32[1]:
        raise _refuse("int32", name, raw)
    return int(value)
