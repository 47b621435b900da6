"""JSON text as Nakama's decoders read it and as PostgreSQL's ``jsonb`` writes it (pure).

Rule 1: a body is strict UTF-8 JSON: no byte-order mark, no ``NaN``/``Infinity``, no lone
        UTF-16 surrogate (``"\\ud800"``) in any string, at most ``MAX_DEPTH`` levels of nesting
        (protojson's limit: past it, ``exceeded max depth``). Every failure is a ``ValueError``.
Rule 2: nesting is never a crash: Python's parser recurses, so a body too deep for it is read
        again by an iterative parser here (rare; the fast path is the C parser).
Rule 3: an object with a repeated key comes back as a ``DuplicateKeys`` dict (the last value
        kept, as Go's maps do); the request rules refuse it where protojson does.
``jsonb`` prints metadata as PostgreSQL does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_DEPTH", "DuplicateKeys", "loads"]

# CPython's string scanner (C), public in json.decoder though typeshed leaves it out.
_Scan = Callable[[str, int, bool], tuple[str, int]]
_scanstring: _Scan = json.decoder.scanstring  # type: ignore[attr-defined]  # see above

MAX_DEPTH = 10_000
_DEPTH_MESSAGE = "exceeded max depth"
_SURROGATE = re.compile("[\ud800-\udfff]")
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class DuplicateKeys(dict[str, Any]):
    """A JSON object that named one key twice (``key``); holds the last value of each."""

    key: str = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = DuplicateKeys(obj)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def loads(raw: bytes | str, *, numbers: Callable[[str], Any] | None = None) -> Any:
    """Decode ``raw`` by Rules 1-3; ``numbers`` turns each number's text into a value (default:
    int or float, as ``json``)."""
    # A UnicodeDecodeError is a ValueError too.
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if text.startswith("\ufeff"):
        raise ValueError("invalid character '\\ufeff' looking for beginning of value")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_refuse_constant,
            parse_float=numbers,
            parse_int=numbers,
        )
    except RecursionError:
        value = _loads_deep(text, numbers or _default_number)
    if "\\u" in text and _has_lone_surrogate(value):
        raise ValueError("invalid escape code in string: a lone UTF-16 surrogate")
    return value


def _default_number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    return list(value) if isinstance(value, list) else []


def _has_lone_surrogate(value: Any) -> bool:
    """Iterative (a body may be deeper than Python's recursion limit)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        else:
            stack.extend(_children(item))
    return False


class _Frame:
    """One open array (``pairs`` None) or object while parsing iteratively."""

    __slots__ = ("items", "key", "pairs")

    def __init__(self, is_object: bool) -> None:
        self.items: list[Any] = []
        self.pairs: list[tuple[str, Any]] | None = [] if is_object else None
        self.key = ""

    def add(self, value: Any) -> None:
        if self.pairs is None:
            self.items.append(value)
        else:
            self.pairs.append((self.key, value))

    def close(self) -> Any:
        return self.items if self.pairs is None else _object(self.pairs)


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]  # [ ...]* always matches


def _key(text: str, pos: int, frame: _Frame) -> int:
    """Read ``"key" :`` at ``pos``; the position of the value after it."""
    pos = _skip(text, pos)
    if text[pos : pos + 1] != '"':
        raise ValueError("expected an object key")
    frame.key, pos = _scanstring(text, pos + 1, True)
    pos = _skip(text, pos)
    if text[pos : pos + 1] != ":":
        raise ValueError("expected ':' after an object key")
    return pos + 1


def _scalar(text: str, pos: int, numbers: Callable[[str], Any]) -> tuple[Any, int]:
    if text[pos : pos + 1] == '"':
        return _scanstring(text, pos + 1, True)
    for word, value in _LITERALS.items():
        if text.startswith(word, pos):
            return value, pos + len(word)
    match = _NUMBER.match(text, pos)
    if match is None:
        raise ValueError(f"invalid JSON at character {pos}")
    return numbers(match.group()), match.end()


def _loads_deep(text: str, numbers: Callable[[str], Any]) -> Any:
    """The iterative parser of Rule 2 (same grammar as ``json``, explicit stack)."""
    stack: list[_Frame] = []
    pos = _skip(text, 0)
    while True:
        char = text[pos : pos + 1]
        if char in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                raise ValueError(_DEPTH_MESSAGE)
            frame = _Frame(char == "{")
            after = _skip(text, pos + 1)
            if text[after : after + 1] != ("}" if char == "{" else "]"):
                stack.append(frame)
                pos = _skip(text, _key(text, pos + 1, frame) if char == "{" else after)
                continue
            value, pos = frame.close(), after + 1
        else:
            value, pos = _scalar(text, pos, numbers)
        while True:  # hand the finished value to the open containers
            pos = _skip(text, pos)
            if not stack:
                if pos != len(text):
                    raise ValueError(f"extra data at character {pos}")
                return value
            top = stack[-1]
            top.add(value)
            char = text[pos : pos + 1]
            if char == ",":
                pos = _skip(text, _key(text, pos + 1, top) if top.pairs is not None else pos + 1)
                break
            if char != ("}" if top.pairs is not None else "]"):
                raise ValueError(f"expected ',' or a closing bracket at character {pos}")
            value, pos = stack.pop().close(), pos + 1
