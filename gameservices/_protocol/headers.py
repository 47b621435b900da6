"""HTTP headers both ends agree on, beyond Nakama's wire: idempotency keys (pure).

Rule 1: a leaderboard write or delete may carry ``Idempotency-Key``; a server that honours it
        echoes the key on the response, and marks a stored answer ``Idempotent-Replayed: true``.
Rule 2: a key is 1-255 printable ASCII characters without spaces; anything else is refused with
        the message below (the client's keys, 32 hex digits or a uuid4, always pass).
"""

from __future__ import annotations

import re

from .limits import IDEMPOTENCY_KEY_MAX_CHARS

__all__ = ["IDEMPOTENCY_HEADER", "REPLAYED_HEADER", "check_idempotency_key"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_CHARS}}}")


def check_idempotency_key(value: str) -> str:
    """``value`` if it is a valid key; ValueError with the server's message otherwise."""
    if not _KEY.fullmatch(value):
        raise ValueError(
            f"{IDEMPOTENCY_HEADER} must be 1-{IDEMPOTENCY_KEY_MAX_CHARS} printable ASCII"
            " characters without spaces."
        )
    return value
