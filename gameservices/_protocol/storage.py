"""Storage objects (Nakama's ``/v2/storage``): records, request builders, answer parsers, and the
rules both ends apply, as pure functions.

Rule 1: a value is a JSON object. On the wire it is that object's JSON *text*, in the string
        field ``value``; Nakama stores it as ``jsonb`` and answers it as ``jsonb`` prints it.
Rule 2: an object's version is the md5 hex of the value text as it was written
        (``version_of``). A write with ``version`` "" applies unconditionally, ``"*"`` only if
        the object is absent, any other version only if it is the stored one.
Rule 3: ``permission_read`` 0 (no client reads it), 1 (its owner), 2 (anyone);
        ``permission_write`` 0 (no client writes it), 1 (its owner). Clients write only their
        own objects; an id without a user names a system-owned object.
Rule 4: Nakama refuses a failed version check and a permission refusal alike (400, code 3):
        they are told apart by the message (``conflict_of``), which this module holds once for
        both ends.
Rule 5: a failed check raises ``ValueError`` with Nakama's message, word for word (the server
        answers it with 400, code 3); the client checks what it can before sending.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._checks import int_between, is_int
from .._exceptions import APIError, Conflict
from . import routes
from .api import Request
from .fields import (
    as_object,
    format_rfc3339,
    int64,
    list_field,
    metadata,
    new_record,
    text,
    time_field,
)
from .jsonb import Unstorable, jsonb_text
from .jsontext import DuplicateKeys
from .uuids import canonical_uuid
from .wire import body_field, dumps, omit_zero

__all__ = [
    "DELETE_REJECTED",
    "LIST_LIMIT_MAX",
    "MISSING_ID",
    "PERMISSION_REJECTED",
    "SYSTEM_USER",
    "VERSION_REJECTED",
    "DeleteOp",
    "ReadOp",
    "StorageAck",
    "StorageId",
    "StorageObject",
    "StorageObjectList",
    "StorageWrite",
    "WriteOp",
    "ack_json",
    "conflict_of",
    "delete_objects",
    "list_objects",
    "nano_time",
    "object_json",
    "parse_acks",
    "parse_delete_body",
    "parse_list_user",
    "parse_object_list",
    "parse_objects",
    "parse_read_body",
    "parse_write_body",
    "read_objects",
    "version_of",
    "write_objects",
]

LIST_LIMIT_MAX = 100  # GET /v2/storage/{collection}; without ``limit`` Nakama lists 1
SYSTEM_USER = "00000000-0000-0000-0000-000000000000"  # the owner of system objects

MISSING_ID = "Invalid collection or key value supplied. They must be set."
BAD_READ = "Invalid Read permission supplied. It must be either 0, 1 or 2."
BAD_WRITE = "Invalid Write permission supplied. It must be either 0 or 1."
NOT_OBJECT = "Value must be a JSON object."
BAD_USER = "Invalid user ID - make sure user ID is a valid UUID."
VERSION_REJECTED = "Storage write rejected - version check failed."
PERMISSION_REJECTED = "Storage write rejected - permission denied."
DELETE_REJECTED = "Storage delete rejected - not found, version check failed, or permission denied."

_JSON = {"Content-Type": "application/json"}


# --- records ------------------------------------------------------------------------------------


def _check_id(collection: object, key: object) -> None:
    for name, value in (("collection", collection), ("key", key)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not collection or not key:
        raise ValueError(MISSING_ID)


def _check_permission(name: str, value: object, high: int, message: str) -> None:
    if not is_int(value):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= high:
        raise ValueError(message)


def _optional_text(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")


@dataclass(frozen=True)
class StorageWrite:
    """One object to write: ``value`` a JSON object; ``version`` None (unconditional), ``"*"``
    (only if absent) or the version the write expects to replace."""

    collection: str
    key: str
    value: Mapping[str, Any]
    version: str | None = None
    permission_read: int = 1
    permission_write: int = 1

    def __post_init__(self) -> None:
        _check_id(self.collection, self.key)
        if not isinstance(self.value, Mapping):
            raise TypeError(
                f"value must be a JSON object (a dict), not {type(self.value).__name__}"
            )
        _optional_text("version", self.version)
        _check_permission("permission_read", self.permission_read, 2, BAD_READ)
        _check_permission("permission_write", self.permission_write, 1, BAD_WRITE)

    def value_text(self) -> str:
        """The JSON text sent as ``value`` (its md5 is the version the server gives it)."""
        try:
            return dumps(dict(self.value))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"value of {self.collection}/{self.key} is not JSON: {exc}") from None


@dataclass(frozen=True)
class StorageId:
    """An object's id. ``user_id`` None: the caller's own; ``""``: a system-owned object.
    ``version`` makes a delete conditional (reads ignore it)."""

    collection: str
    key: str
    user_id: str | None = None
    version: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.collection, self.key)
        _optional_text("user_id", self.user_id)
        _optional_text("version", self.version)


@dataclass(frozen=True)
class StorageObject:
    """A stored object as read back; ``value`` is the decoded JSON object."""

    collection: str = ""
    key: str = ""
    user_id: str = ""
    value: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    permission_read: int = 0
    permission_write: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class StorageAck:
    """What a write answers for each object: its new version, owner and times."""

    collection: str = ""
    key: str = ""
    version: str = ""
    user_id: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class StorageObjectList:
    """A page of a listing; ``cursor`` None on the last page."""

    objects: tuple[StorageObject, ...] = ()
    cursor: str | None = None


def version_of(value_text: str) -> str:
    """The version Nakama gives a value: the md5 hex of its text as written (Rule 2)."""
    return hashlib.md5(value_text.encode(), usedforsecurity=False).hexdigest()


def conflict_of(exc: APIError) -> APIError:
    """A storage write's error as the caller should see it: a failed version check becomes
    ``Conflict`` (same status, code and context), anything else stays as it is (Rule 4)."""
    if exc.status != 400 or not exc.message.startswith(VERSION_REJECTED.rstrip(".")):
        return exc
    return Conflict(
        exc.message,
        status=exc.status,
        code=exc.code,
        method=exc.method,
        url=exc.url,
        request_id=exc.request_id,
    )


# --- requests (client) --------------------------------------------------------------------------


def _write_json(write: StorageWrite) -> dict[str, Any]:
    body: dict[str, Any] = {
        "collection": write.collection,
        "key": write.key,
        "value": write.value_text(),
        "permission_read": write.permission_read,
        "permission_write": write.permission_write,
    }
    if write.version:
        body["version"] = write.version
    return body


def _sequence(items: object, cls: type, what: str) -> list[Any]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence):
        raise TypeError(f"{what} must be a sequence of {cls.__name__}")
    found = list(items)
    for item in found:
        if not isinstance(item, cls):
            raise TypeError(f"{what} must hold {cls.__name__}, not {type(item).__name__}")
    return found


def write_objects(writes: Sequence[StorageWrite]) -> Request:
    """``PUT /v2/storage``. A resend is blind-safe only when no write checks a version."""
    items = _sequence(writes, StorageWrite, "writes")
    body = dumps({"objects": [_write_json(w) for w in items]}).encode()
    safe = all(not w.version for w in items)
    return Request("PUT", routes.STORAGE, headers=dict(_JSON), body=body, idempotent=safe)


def read_objects(ids: Sequence[StorageId], caller: str) -> Request:
    """``POST /v2/storage`` (a read): ``caller`` fills ids whose ``user_id`` is None."""
    items = _sequence(ids, StorageId, "ids")
    object_ids = [
        {
            "collection": i.collection,
            "key": i.key,
            "user_id": caller if i.user_id is None else i.user_id,
        }
        for i in items
    ]
    body = dumps({"object_ids": object_ids}).encode()
    return Request("POST", routes.STORAGE, headers=dict(_JSON), body=body)


def delete_objects(ids: Sequence[StorageId]) -> Request:
    """``PUT /v2/storage/delete`` of the caller's own objects. Not blind-safe: a resend of a
    delete that applied is refused (the object is gone)."""
    items = _sequence(ids, StorageId, "ids")
    object_ids = []
    for i in items:
        entry = {"collection": i.collection, "key": i.key}
        if i.version:
            entry["version"] = i.version
        object_ids.append(entry)
    body = dumps({"object_ids": object_ids}).encode()
    return Request("PUT", routes.STORAGE_DELETE, headers=dict(_JSON), body=body, idempotent=False)


def list_objects(
    collection: str, *, user_id: str | None = None, limit: int = 100, cursor: str | None = None
) -> Request:
    """``GET /v2/storage/{collection}``: ``user_id`` None lists everyone's public objects."""
    if not isinstance(collection, str) or not collection:
        raise ValueError("collection must be a non-empty string")
    int_between("limit", limit, 1, LIST_LIMIT_MAX)
    _optional_text("user_id", user_id)
    _optional_text("cursor", cursor)
    query = [("limit", str(limit))]
    if user_id is not None:
        query.append(("user_id", user_id))
    if cursor:
        query.append(("cursor", cursor))
    return Request(
        "GET", routes.fill(routes.STORAGE_COLLECTION, collection=collection), tuple(query)
    )


# --- answers (client) ---------------------------------------------------------------------------


def _object(o: Mapping[str, Any]) -> StorageObject:
    return new_record(
        StorageObject,
        {
            "collection": text(o, "collection"),
            "key": text(o, "key"),
            "user_id": text(o, "user_id"),
            "value": metadata(o, "value"),
            "version": text(o, "version"),
            "permission_read": int64(o, "permission_read"),
            "permission_write": int64(o, "permission_write"),
            "create_time": time_field(o, "create_time"),
            "update_time": time_field(o, "update_time"),
        },
    )


def _ack(o: Mapping[str, Any]) -> StorageAck:
    return StorageAck(
        collection=text(o, "collection"),
        key=text(o, "key"),
        version=text(o, "version"),
        user_id=text(o, "user_id"),
        create_time=time_field(o, "create_time"),
        update_time=time_field(o, "update_time"),
    )


def _items(o: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return [as_object(item, f"an item of {key}") for item in list_field(o, key)]


def parse_acks(obj: object) -> list[StorageAck]:
    return [_ack(a) for a in _items(as_object(obj, "storage acks"), "acks")]


def parse_objects(obj: object) -> list[StorageObject]:
    return [_object(o) for o in _items(as_object(obj, "storage objects"), "objects")]


def parse_object_list(obj: object) -> StorageObjectList:
    o = as_object(obj, "a storage object list")
    objects = tuple(_object(item) for item in _items(o, "objects"))
    return StorageObjectList(objects, text(o, "cursor") or None)


# --- request rules (server) ---------------------------------------------------------------------


@dataclass(frozen=True)
class WriteOp:
    """A validated write: ``value`` as sent (its md5 is the version), ``stored`` as jsonb
    prints it; ``version`` "" means unconditional."""

    collection: str
    key: str
    value: str
    stored: str
    version: str
    read: int
    write: int


@dataclass(frozen=True)
class ReadOp:
    collection: str
    key: str
    user_id: str  # canonical; SYSTEM_USER for an id without a user


@dataclass(frozen=True)
class DeleteOp:
    collection: str
    key: str
    version: str


def _list_field(body: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = body_field(body, name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"proto: invalid value for repeated field {name}")
    out: list[Mapping[str, Any]] = []
    for item in value:
        if item is None or not isinstance(item, dict):
            raise ValueError(f"proto: invalid value for message field {name}")
        if isinstance(item, DuplicateKeys):
            raise ValueError(f'proto: duplicate field "{item.key}"')
        out.append(item)
    return out


def _string(item: Mapping[str, Any], name: str) -> str:
    value = body_field(item, name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"proto: invalid value for string field {name}")
    return value


def _int32(item: Mapping[str, Any], name: str, default: int) -> int:
    """A protojson Int32Value: a JSON number (integral) or a string holding one."""
    value = body_field(item, name)
    if value is None:
        return default
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value, 10)
        except ValueError:
            raise ValueError(f"proto: invalid value for int32 field {name}") from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not is_int(value) or not -(2**31) <= value < 2**31:
        raise ValueError(f"proto: invalid value for int32 field {name}")
    return value


def _stored(value: str) -> str:
    """The value as jsonb prints it; Nakama's check first (valid JSON starting with ``{``)."""
    if not value.lstrip(" \t\r\n").startswith("{"):
        raise ValueError(NOT_OBJECT)
    try:
        return jsonb_text(value)
    except Unstorable as exc:  # valid JSON jsonb refuses: Nakama answers 500, we say why
        raise ValueError(f"Value cannot be stored: {exc}.") from None
    except ValueError:
        raise ValueError(NOT_OBJECT) from None


def parse_write_body(body: Mapping[str, Any]) -> list[WriteOp]:
    """``PUT /v2/storage``: every object checked in Nakama's order before any is written."""
    items = _list_field(body, "objects")
    fields = [
        (
            _string(o, "collection"),
            _string(o, "key"),
            _string(o, "value"),
            _string(o, "version"),
            _int32(o, "permission_read", 1),
            _int32(o, "permission_write", 1),
        )
        for o in items
    ]
    ops = []
    for collection, key, value, version, read, write in fields:
        if not collection or not key or not value:
            raise ValueError(MISSING_ID)
        if not 0 <= read <= 2:
            raise ValueError(BAD_READ)
        if not 0 <= write <= 1:
            raise ValueError(BAD_WRITE)
        ops.append(WriteOp(collection, key, value, _stored(value), version, read, write))
    return ops


def _user(raw: str) -> str:
    found = canonical_uuid(raw)
    if found is None:
        raise ValueError(BAD_USER)
    return found


def parse_read_body(body: Mapping[str, Any]) -> list[ReadOp]:
    """``POST /v2/storage``: ids with collection and key; a user id, if any, a non-nil UUID."""
    ids = [
        (_string(o, "collection"), _string(o, "key"), _string(o, "user_id"))
        for o in _list_field(body, "object_ids")
    ]
    ops = []
    for collection, key, user in ids:
        if not collection or not key:
            raise ValueError(MISSING_ID)
        ops.append(ReadOp(collection, key, _user(user) if user else SYSTEM_USER))
    return ops


def parse_delete_body(body: Mapping[str, Any]) -> list[DeleteOp]:
    """``PUT /v2/storage/delete``: ids with collection and key, an optional version."""
    ids = [
        (_string(o, "collection"), _string(o, "key"), _string(o, "version"))
        for o in _list_field(body, "object_ids")
    ]
    if any(not collection or not key for collection, key, _ in ids):
        raise ValueError(MISSING_ID)
    return [DeleteOp(*i) for i in ids]


def parse_list_user(raw: str | None) -> str | None:
    """The ``user_id`` of a listing: None (everyone's public objects) or a UUID (the nil UUID
    included: the system's public objects)."""
    if not raw:
        return None
    found = canonical_uuid(raw, nil=True)
    if found is None:
        raise ValueError(BAD_USER)
    return found


# --- answers (server) ---------------------------------------------------------------------------


def nano_time(seconds: float) -> str:
    """A time as protojson writes a Timestamp with sub-second precision (Nakama's acks carry
    PostgreSQL's microseconds): 0, 3, 6 or 9 fraction digits."""
    whole = int(seconds // 1)
    micros = round((seconds - whole) * 1_000_000)
    if micros >= 1_000_000:
        whole, micros = whole + 1, 0
    base = format_rfc3339(whole)[:-1]
    if micros == 0:
        return base + "Z"
    digits = f"{micros:06d}"
    return f"{base}.{digits[:3] if digits.endswith('000') else digits}Z"


def ack_json(
    collection: str, key: str, version: str, user_id: str, created: float, updated: float
) -> dict[str, Any]:
    """One ``apiStorageObjectAck``: its times to the microsecond, as Nakama's."""
    return omit_zero(
        {
            "collection": collection,
            "key": key,
            "version": version,
            "user_id": user_id,
            "create_time": nano_time(created),
            "update_time": nano_time(updated),
        }
    )


def object_json(
    collection: str,
    key: str,
    user_id: str,
    value: str,
    version: str,
    read: int,
    write: int,
    created: float,
    updated: float,
) -> dict[str, Any]:
    """One ``apiStorageObject``: ``value`` as stored (jsonb text), times in whole seconds."""
    return omit_zero(
        {
            "collection": collection,
            "key": key,
            "user_id": user_id,
            "value": value,
            "version": version,
            "permission_read": read,
            "permission_write": write,
            "create_time": format_rfc3339(int(created // 1)),
            "update_time": format_rfc3339(int(updated // 1)),
        }
    )
