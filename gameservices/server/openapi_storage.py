"""The storage operations and schemas of the OpenAPI document (``openapi``).

Invariants: data builders only, the rules quoted from ``_protocol.storage`` (limits,
permissions), so the document and the server cannot disagree.
"""

from __future__ import annotations

from .._protocol.routes import STORAGE, STORAGE_COLLECTION, STORAGE_DELETE, STORAGE_USER
from .._protocol.storage import LIST_LIMIT_MAX
from .openapi_parts import json_content, path_param, query_param, responses
from .openapi_schemas import Schema, ref

__all__ = ["STORAGE_SCHEMAS", "storage_paths"]

_TIME: Schema = {"type": "string", "format": "date-time"}
_TEXT: Schema = {"type": "string"}
_READ: Schema = {
    "type": "integer",
    "format": "int32",
    "minimum": 0,
    "maximum": 2,
    "description": "0 no client reads it, 1 its owner, 2 anyone (default 1)",
}
_WRITE: Schema = {
    "type": "integer",
    "format": "int32",
    "minimum": 0,
    "maximum": 1,
    "description": "0 no client writes it, 1 its owner (default 1)",
}


def _obj(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties}


def _ids(**extra: Schema) -> Schema:
    return _obj(
        {
            "object_ids": {
                "type": "array",
                "items": _obj({"collection": _TEXT, "key": _TEXT, **extra}),
            }
        }
    )


STORAGE_SCHEMAS: dict[str, Schema] = {
    "WriteStorageObjectsRequest": _obj(
        {
            "objects": {
                "type": "array",
                "items": _obj(
                    {
                        "collection": _TEXT,
                        "key": _TEXT,
                        "value": {"type": "string", "description": "a JSON object's text"},
                        "version": {
                            "type": "string",
                            "description": "'*': only if absent; else the version to replace",
                        },
                        "permission_read": _READ,
                        "permission_write": _WRITE,
                    }
                ),
            }
        }
    ),
    "ReadStorageObjectsRequest": _ids(user_id={"type": "string", "format": "uuid"}),
    "DeleteStorageObjectsRequest": _ids(version=_TEXT),
    "StorageObjectAcks": _obj(
        {
            "acks": {
                "type": "array",
                "items": _obj(
                    {
                        "collection": _TEXT,
                        "key": _TEXT,
                        "version": _TEXT,
                        "user_id": _TEXT,
                        "create_time": _TIME,
                        "update_time": _TIME,
                    }
                ),
            }
        }
    ),
    "StorageObject": _obj(
        {
            "collection": _TEXT,
            "key": _TEXT,
            "user_id": _TEXT,
            "value": {"type": "string", "description": "JSON text, as PostgreSQL's jsonb prints"},
            "version": {"type": "string", "description": "md5 hex of the value as written"},
            "permission_read": _READ,
            "permission_write": _WRITE,
            "create_time": _TIME,
            "update_time": _TIME,
        }
    ),
    "StorageObjects": _obj({"objects": {"type": "array", "items": ref("StorageObject")}}),
    "StorageObjectList": _obj(
        {
            "objects": {"type": "array", "items": ref("StorageObject")},
            "cursor": _TEXT,
        }
    ),
}


def _body(name: str) -> Schema:
    return {"required": True, **json_content(ref(name))}


def storage_paths() -> dict[str, Schema]:
    limit = {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT_MAX, "default": 1}
    page = [
        query_param("limit", limit),
        query_param("cursor", {"type": "string"}, "an opaque, signed cursor"),
    ]
    return {
        STORAGE: {
            "put": {
                "summary": "Write the caller's objects, all or none (versions, permissions).",
                "requestBody": _body("WriteStorageObjectsRequest"),
                "responses": responses(ref("StorageObjectAcks"), "400", "401"),
            },
            "post": {
                "summary": "Read objects: public ones, and the caller's own readable ones.",
                "requestBody": _body("ReadStorageObjectsRequest"),
                "responses": responses(ref("StorageObjects"), "400", "401"),
            },
        },
        STORAGE_DELETE: {
            "put": {
                "summary": "Delete the caller's objects, all or none.",
                "requestBody": _body("DeleteStorageObjectsRequest"),
                "responses": responses(ref("Empty"), "400", "401"),
            }
        },
        STORAGE_COLLECTION: {
            "get": {
                "summary": "List a collection: everyone's public objects, or one owner's.",
                "parameters": [
                    path_param("collection"),
                    query_param("user_id", {"type": "string"}, "an owner's uuid"),
                    *page,
                ],
                "responses": responses(ref("StorageObjectList"), "400", "401"),
            }
        },
        STORAGE_USER: {
            "get": {
                "summary": "List one owner's objects of a collection (the owner in the path).",
                "parameters": [path_param("collection"), path_param("user_id"), *page],
                "responses": responses(ref("StorageObjectList"), "400", "401"),
            }
        },
    }
