"""Argument checks every component shares (client, runner, server), as pure functions.

Rule 1: a bool is never a number here, although ``isinstance(True, int)`` holds: ``limit=True``
        or ``timeout=False`` is a mistake, not 1 or 0.
Rule 2: ``positive_number``/``positive_int`` raise ``ValueError`` naming the argument and the
        value; callers that want ``TypeError`` for a wrong type test ``is_number``/``is_int``
        first.
"""

from __future__ import annotations

from typing import TypeGuard

__all__ = ["int_between", "is_int", "is_number", "positive_int", "positive_number"]


def is_int(value: object) -> TypeGuard[int]:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """An int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def positive_number(name: str, value: object, what: str = "a number") -> float:
    """``value`` as a float if it is a number > 0; ValueError naming ``name`` otherwise."""
    if not is_number(value) or not value > 0:
        raise ValueError(f"{name} must be {what} > 0, got {value!r}")
    return float(value)


def int_between(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an int in ``low..high``; ValueError naming ``name`` otherwise (a page
    ``limit``, a category)."""
    if not is_int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an int between {low} and {high}, got {value!r}")
    return value


def positive_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` if it is an int >= ``minimum``; ValueError naming ``name`` otherwise."""
    if not is_int(value) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value
