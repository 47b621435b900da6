"""UUIDs as Nakama reads them (Go's ``uuid.FromString``), for every id in a request.

Rule 1: the forms taken: canonical 8-4-4-4-12 or 32 hex digits, either of them in braces or
        after a lowercase ``urn:uuid:``; hex digits in any case. Python's ``uuid.UUID`` also
        takes hyphens anywhere (``"1234-5678..."``) and nested forms, which Nakama refuses.
Rule 2: what is returned is the canonical lowercase text; the nil UUID only when asked for
        (Nakama refuses it as a user or group id, not as a notification id).
"""

from __future__ import annotations

import re
import uuid

__all__ = ["canonical_uuid", "is_uuid"]

_HEX = (
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}"
)
_FORMS = re.compile(rf"urn:uuid:(?:{_HEX})|\{{(?:{_HEX})\}}|(?:{_HEX})")


def canonical_uuid(value: object, *, nil: bool = False) -> str | None:
    """``value`` as canonical UUID text, or None if Nakama would not read it as one."""
    if not isinstance(value, str) or not _FORMS.fullmatch(value):
        return None
    parsed = uuid.UUID(value)
    return None if parsed.int == 0 and not nil else str(parsed)


def is_uuid(value: object) -> bool:
    """Any UUID Nakama reads, the nil UUID included."""
    return canonical_uuid(value, nil=True) is not None
