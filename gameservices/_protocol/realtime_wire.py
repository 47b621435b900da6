"""How Nakama's realtime socket encodes a message's fields (protojson, pure), written once.

Every realtime message is a frozen dataclass whose fields carry a ``Codec`` in their metadata
(``wire(...)``); ``dump`` and ``load`` read those to go to and from the wire, so the client and
the reference server encode each field the same way.

Rule 1: zero values are omitted on output (0, "", False, empty lists and maps), as protojson
        does; a *wrapped* field (Nakama's ``Int32Value``, ``StringValue``, ``BoolValue``) is
        omitted only when None, so a wrapped ``code: 0`` or ``status: ""`` goes out.
Rule 2: int64 fields go out as decimal strings (``op_code``), bytes as standard base64
        (match ``data``), enums as numbers; a field is read by its proto name or its
        lowerCamelCase JSON name, and a missing field or ``null`` reads as its zero value.
Rule 3: a value of the wrong shape is a ``ValueError`` naming the field; the client turns it
        into a ``ProtocolError`` (the server's fault), the server into a closed socket (as
        Nakama closes it on a malformed envelope).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .fields import loads
from .wire import INT64_MAX, INT64_MIN, body_field, dumps

__all__ = [
    "BOOL",
    "BYTES",
    "FLOAT_MAP",
    "INT32",
    "INT64",
    "JSON_TEXT",
    "TEXT",
    "TEXTS",
    "TEXT_MAP",
    "WRAPPED_BOOL",
    "WRAPPED_INT",
    "WRAPPED_TEXT",
    "Codec",
    "dump",
    "load",
    "record",
    "records",
    "wire",
]

R = TypeVar("R")


@dataclass(frozen=True)
class Codec:
    """One field kind: ``out`` makes the wire value, ``into`` reads one (ValueError if bad),
    ``zero`` is what a missing field reads as, ``wrapped`` keeps zero values on output."""

    out: Callable[[Any], Any]
    into: Callable[[Any, str], Any]
    zero: Callable[[], Any]
    wrapped: bool = False


def _typed(cls: type, what: str) -> Callable[[Any, str], Any]:
    def into(value: Any, name: str) -> Any:
        if value.__class__ is not cls:
            raise ValueError(f"{name} must be {what}, not {type(value).__name__}")
        return value

    return into


def _int(low: int, high: int) -> Callable[[Any, str], int]:
    def into(value: Any, name: str) -> int:
        if isinstance(value, str) and value.lstrip("-").isdecimal():
            value = int(value)
        if value.__class__ is float and value.is_integer():
            value = int(value)
        if value.__class__ is not int or not low <= value <= high:
            raise ValueError(f"{name} must be an integer in [{low}, {high}]")
        return int(value)

    return into


def _bytes(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be base64 text")
    try:  # protojson accepts standard and URL-safe alphabets, padded or not
        padded = value + "=" * (-len(value) % 4)
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} is not valid base64") from None


def _texts(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or any(v.__class__ is not str for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return tuple(value)


def _map(cls: tuple[type, ...], what: str) -> Callable[[Any, str], dict[str, Any]]:
    def into(value: Any, name: str) -> dict[str, Any]:
        if not isinstance(value, dict) or any(
            not isinstance(v, cls) or isinstance(v, bool) for v in value.values()
        ):
            raise ValueError(f"{name} must be a map of {what}")
        return dict(value)

    return into


def _json_text(value: Any, name: str) -> dict[str, Any]:
    """A message's ``content``: a JSON object carried as JSON text."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be JSON text")
    if value == "":
        return {}
    try:
        parsed = loads(value)
    except ValueError:
        raise ValueError(f"{name} is not JSON text") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"{name} must hold a JSON object")
    return parsed


def _same(value: Any) -> Any:
    return value


TEXT = Codec(_same, _typed(str, "a string"), str)
BOOL = Codec(_same, _typed(bool, "a boolean"), bool)
INT32 = Codec(_same, _int(-(2**31), 2**31 - 1), int)
INT64 = Codec(lambda v: str(v) if v else "", _int(INT64_MIN, INT64_MAX), int)
BYTES = Codec(lambda v: base64.b64encode(v).decode("ascii"), _bytes, bytes)
TEXTS = Codec(list, _texts, tuple)
TEXT_MAP = Codec(dict, _map((str,), "strings"), dict)
FLOAT_MAP = Codec(dict, _map((int, float), "numbers"), dict)
JSON_TEXT = Codec(lambda v: dumps(v) if v else "", _json_text, dict)
WRAPPED_TEXT = Codec(_same, _typed(str, "a string"), lambda: None, wrapped=True)
WRAPPED_INT = Codec(_same, _int(-(2**31), 2**31 - 1), lambda: None, wrapped=True)
WRAPPED_BOOL = Codec(_same, _typed(bool, "a boolean"), lambda: None, wrapped=True)


def record(cls: type[Any]) -> Codec:
    """A nested message (a presence inside an event)."""
    return Codec(lambda v: dump(v), lambda v, name: load(cls, v, name), lambda: None)


def records(cls: type[Any]) -> Codec:
    """A repeated nested message."""

    def into(value: Any, name: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list")
        return tuple(load(cls, item, f"{name}[{i}]") for i, item in enumerate(value))

    return Codec(lambda v: [dump(item) for item in v], into, tuple)


def wire(codec: Codec, default: Any = dataclasses.MISSING) -> Any:
    """A dataclass field encoded with ``codec``; its default is the codec's zero."""
    if default is dataclasses.MISSING:
        return dataclasses.field(default_factory=codec.zero, metadata={"codec": codec})
    return dataclasses.field(default=default, metadata={"codec": codec})


def _codecs(cls: type[Any]) -> tuple[tuple[str, Codec], ...]:
    cached: tuple[tuple[str, Codec], ...] | None = cls.__dict__.get("_wire_fields")
    if cached is None:
        cached = tuple((f.name, f.metadata["codec"]) for f in dataclasses.fields(cls))
        setattr(cls, "_wire_fields", cached)  # noqa: B010  # computed once per message class
    return cached


def dump(message: Any) -> dict[str, Any]:
    """A message as its wire object (Rule 1)."""
    out: dict[str, Any] = {}
    for name, codec in _codecs(type(message)):
        value = getattr(message, name)
        if value is None:
            continue
        if codec.wrapped:
            out[name] = codec.out(value)
            continue
        encoded = codec.out(value)
        if encoded:  # zero values stay off the wire
            out[name] = encoded
    return out


def load(cls: type[R], body: Any, what: str = "") -> R:
    """The message ``cls`` read from its wire object (Rule 2; ValueError, Rule 3)."""
    label = what or cls.__name__
    if not isinstance(body, Mapping):
        raise ValueError(f"{label} must be an object")
    values: dict[str, Any] = {}
    for name, codec in _codecs(cls):
        raw = body_field(body, name)
        if raw is None:
            values[name] = codec.zero()
        else:
            values[name] = codec.into(raw, name)
    return cls(**values)
