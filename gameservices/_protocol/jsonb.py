"""Metadata as PostgreSQL's ``jsonb`` prints it, which is how Nakama stores and answers it
(pure).

Rule 1: keys sorted by UTF-8 length, then bytes; of a repeated key the last value is kept.
Rule 2: ``", "`` between items, ``": "`` after keys, strings escaped as ``json`` escapes them
        (non-ASCII kept), numbers in ``numeric``'s text: ``1e2`` -> ``100``, ``1.50`` stays
        ``1.50``, ``-0`` -> ``0``.
Rule 3: what ``jsonb`` refuses to store (``\\u0000``, a number beyond ``numeric``'s range) is
        ``Unstorable``; text that is not JSON is a plain ValueError (``jsontext.loads``).
Printing is iterative: metadata may nest deeper than Python's recursion limit.
"""

from __future__ import annotations

from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from .jsontext import loads

__all__ = ["Unstorable", "jsonb_text"]

# numeric's limits: 131072 digits before the point, 16383 after (beyond: PostgreSQL refuses).
_NUMERIC_MAX_WEIGHT = 131_072
_NUMERIC_MAX_SCALE = 16_383


class Unstorable(ValueError):
    """Valid JSON that ``jsonb`` refuses to store: ``\\u0000``, a number beyond ``numeric``."""


def _numeric(text: str) -> Decimal:
    number = Decimal(text)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: the grammar has no NaN or Infinity
    if number.adjusted() >= _NUMERIC_MAX_WEIGHT or -exponent > _NUMERIC_MAX_SCALE:
        raise Unstorable("a number beyond the range of jsonb")
    return number


def _numeric_text(number: Decimal) -> str:
    text = format(number, "f")
    return text.lstrip("-") if number.is_zero() else text


def jsonb_text(text: str) -> str:
    """Metadata (a JSON object's text) as ``jsonb`` prints it (Rules 1-2); ValueError if it is not
    JSON (a lone surrogate included), ``Unstorable`` if ``jsonb`` refuses it."""
    value = loads(text, numbers=_numeric)
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:  # iterative: metadata may nest deeper than Python's recursion limit
        item = stack.pop()
        if isinstance(item, _Token):
            out.append(item.text)
        elif isinstance(item, dict):
            keys = sorted(item, key=lambda k: (len(k.encode()), k.encode()))
            stack.append(_Token("}"))
            for n, key in enumerate(reversed(keys)):
                stack += [item[key], _Token(_string_text(key) + ": ")]
                if n < len(keys) - 1:
                    stack.append(_Token(", "))
            stack.append(_Token("{"))
        elif isinstance(item, list):
            stack.append(_Token("]"))
            for n, element in enumerate(reversed(item)):
                stack.append(element)
                if n < len(item) - 1:
                    stack.append(_Token(", "))
            stack.append(_Token("["))
        else:
            out.append(_scalar_text(item))
    return "".join(out)


class _Token:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _numeric_text(value)
    return _string_text(value)


def _string_text(value: str) -> str:
    if "\x00" in value:
        raise Unstorable("jsonb cannot hold \\u0000")
    return encode_basestring(value)
