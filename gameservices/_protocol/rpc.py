"""Server functions (``POST /v2/rpc/{id}``), both directions, pure.

Rule 1: the body is JSON text whose value is a string holding the payload's own JSON text:
        ``{"a":1}`` goes out as ``"{\\"a\\":1}"``. ``payload_text`` makes the JSON text once
        (the realtime socket's ``rpc`` message carries that text as is, the body of
        ``encode_payload`` as a JSON string); no payload (None) sends no body, which the
        function receives as "". The answer is ``{"payload": "<JSON text>"}``; ``read_answer``
        reads that text back ("" reads as None), for ``parse_rpc`` and the socket alike.
Rule 2: with a session the call carries its Bearer token; server to server it carries the
        runtime HTTP key as HTTP Basic user (Nakama takes it there or as ``?http_key=``; the
        header keeps it out of URLs, logs and reprs). Always POST: Nakama ignores a GET's body.
Rule 3 (server): Nakama's own refusals (auth, no id, unknown function, a body that is not a
        JSON string) are ``{"error", "message", "code"}`` with the same text twice; a function's
        own error is ``{"code", "error": {}, "message"}``, its code as given when it is a gRPC
        code (1-16), otherwise 13 (INTERNAL). ``?unwrap`` takes and answers the payload raw.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .._exceptions import ProtocolError
from .api import Request, basic_auth
from .fields import as_object, loads, text
from .routes import RPC, fill
from .wire import GrpcCode, dumps

__all__ = [
    "BAD_PAYLOAD",
    "encode_payload",
    "function_error_body",
    "function_error_code",
    "parse_rpc",
    "payload_text",
    "read_answer",
    "read_payload",
    "refusal_body",
    "rpc_request",
]

_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
# Nakama 3.40 answers every body that is not a JSON string with this one text, whatever it is.
_SURROGATE = re.compile("[\ud800-\udfff]")
BAD_PAYLOAD = "json: cannot unmarshal object into Go value of type string"


def payload_text(payload: Any) -> str:
    """The JSON text a function receives for ``payload`` (Rule 1); None is ""."""
    if payload is None:
        return ""
    try:
        return _ENCODE(payload)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"an RPC payload must be JSON (dict, list, str, int, float, bool, None): {exc}"
        ) from None


def encode_payload(payload: Any) -> bytes:
    """The request body for ``payload`` (Rule 1): its JSON text, as a JSON string."""
    return dumps(payload_text(payload)).encode()


def rpc_request(rpc_id: str, payload: Any = None, *, http_key: str | None = None) -> Request:
    """``POST /v2/rpc/{id}`` with the session, or with ``http_key`` server to server (Rule 2).
    Not idempotent: a function may do anything, so an unknown outcome is never resent."""
    path = fill(RPC, id=rpc_id)
    headers = {"Content-Type": "application/json"}
    if http_key is not None:
        if not isinstance(http_key, str) or not http_key:
            raise ValueError("http_key must be a non-empty string")
        headers["Authorization"] = basic_auth(http_key)
    body = None if payload is None else encode_payload(payload)
    if http_key is None:
        return Request("POST", path, (), headers, body, idempotent=False)
    return Request("POST", path, (), headers, body, auth="basic", idempotent=False)


def parse_rpc(obj: object) -> Any:
    """The function's answer: its payload's JSON value (Rule 1); an empty payload is None."""
    return read_answer(text(as_object(obj, "an RPC answer"), "payload"))


def read_answer(raw: str) -> Any:
    """A function's answer text as the JSON value it holds (Rule 1); "" is None."""
    if raw == "":
        return None
    try:
        return loads(raw)
    except ValueError:
        raise ProtocolError(
            "the server function answered a payload that is not JSON text (the client reads "
            "JSON only; have the function return JSON, e.g. nk.json_encode(...) in Lua)"
        ) from None


# --- the server's side


def read_payload(raw: bytes, unwrap: bool) -> str:
    """The payload a function receives: the body's JSON string, or the body itself with
    ``unwrap`` (or when empty). ValueError: Nakama's one message for any other body."""
    body = raw.decode("utf-8", "replace")  # Go replaces invalid UTF-8 with U+FFFD
    if unwrap or not raw:
        return body
    try:
        value = loads(body)
    except ValueError:
        raise ValueError(BAD_PAYLOAD) from None
    if value is None:
        return ""  # Go's Unmarshal of null into a string leaves it as it was
    if not isinstance(value, str):
        raise ValueError(BAD_PAYLOAD)
    # A lone surrogate (an escaped "\ud800") is not text: Go makes it U+FFFD.
    return _SURROGATE.sub("\ufffd", value)


def function_error_code(code: object) -> int:
    """The gRPC code a function's error is answered with (Rule 3)."""
    valid = isinstance(code, int) and not isinstance(code, bool) and 1 <= code <= 16
    return code if valid else GrpcCode.INTERNAL  # type: ignore[return-value]  # int, checked


def refusal_body(message: str, code: int) -> dict[str, Any]:
    """Nakama's own refusal of an RPC call (Rule 3)."""
    return {"error": message, "message": message, "code": code}


def function_error_body(message: str, code: int) -> dict[str, Any]:
    """A function's error (Rule 3)."""
    return {"code": code, "error": {}, "message": message}
