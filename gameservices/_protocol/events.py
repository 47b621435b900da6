"""Analytics events (Nakama's ``POST /v2/event``): the properties rule, the request builder and
the server's reading of the body, as pure functions.

Rule 1: Nakama's properties are a map of strings to strings. A bool is sent as ``"true"`` or
        ``"false"``, an int or a finite float as its decimal text, a str as it is; anything else
        (None, lists, dicts, NaN, a key that is not a str) is refused with ``TypeError`` naming
        the property, before anything is queued.
Rule 2: an event's time is fixed when the game sends it (``timestamp``, epoch seconds, defaults
        to now), not when the outbox delivers it: an event queued offline keeps its moment.
Rule 3: a name is a non-empty string (Nakama takes "" too; an event without a name says
        nothing, so the client refuses it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._checks import is_number
from . import routes
from .api import Request
from .fields import parse_rfc3339
from .jsontext import DuplicateKeys
from .storage import nano_time
from .wire import body_field, dumps

__all__ = ["EventBody", "event_properties", "parse_event", "send_event"]

_JSON = {"Content-Type": "application/json"}


def _text(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise TypeError(f"event property {key!r} is {value}: Nakama takes finite numbers only")
        return str(value)
    raise TypeError(
        f"event property {key!r} is a {type(value).__name__}: Nakama takes string values "
        "(str, or a bool or number, which are sent as text); encode it yourself, e.g. as JSON"
    )


def event_properties(properties: Mapping[str, object] | None) -> dict[str, str]:
    """The properties as Nakama takes them (Rule 1)."""
    if properties is None:
        return {}
    if not isinstance(properties, Mapping):
        raise TypeError(f"properties must be a dict, not {type(properties).__name__}")
    out: dict[str, str] = {}
    for key, value in properties.items():
        if not isinstance(key, str):
            raise TypeError(f"event property names must be str, not {type(key).__name__}")
        out[key] = _text(key, value)
    return out


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"an event name must be a non-empty str, not {name!r}")
    return name


def send_event(name: str, properties: Mapping[str, str], timestamp: float) -> Request:
    """``POST /v2/event`` (not blind-safe: a resend after a lost answer may count it twice)."""
    body = {
        "name": check_name(name),
        "timestamp": nano_time(timestamp),
        "properties": event_properties(properties),
    }
    return Request("POST", routes.EVENT, headers=dict(_JSON), body=dumps(body).encode(),
                   idempotent=False)  # fmt: skip


@dataclass(frozen=True)
class EventBody:
    """An event as the server reads it."""

    name: str
    properties: dict[str, str]
    timestamp: datetime | None
    external: bool


def _event_time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("proto: invalid google.protobuf.Timestamp value")
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise ValueError(f'proto: invalid google.protobuf.Timestamp value "{value}"') from None


def parse_event(body: Mapping[str, Any]) -> EventBody:
    """The body of ``POST /v2/event``, read as protojson reads it: properties strings only."""
    name = body_field(body, "name")
    if name is not None and not isinstance(name, str):
        raise ValueError("proto: invalid value for string field name")
    props = body_field(body, "properties")
    if props is not None and not isinstance(props, dict):
        raise ValueError("proto: invalid value for map field properties")
    if isinstance(props, DuplicateKeys):
        raise ValueError(f'proto: duplicate map key "{props.key}"')
    for value in (props or {}).values():
        if not isinstance(value, str):
            raise ValueError("proto: invalid value for string field value")
    external = body_field(body, "external")
    if external is not None and not isinstance(external, bool):
        raise ValueError("proto: invalid value for bool field external")
    stamp = _event_time(body_field(body, "timestamp"))
    return EventBody(name or "", dict(props or {}), stamp, bool(external))
