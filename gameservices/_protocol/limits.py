"""Nakama's size and range limits, written once for the client and the server (plain numbers).

Rule 1: lengths of ids, usernames, emails, passwords and metadata are counted in UTF-8 bytes.
Rule 2: a page limit is an int from 1 to the call's maximum; a list without ``limit`` gets
        ``DEFAULT_PAGE_LIMIT`` records from the server (Nakama's default, not the client's).
"""

from __future__ import annotations

__all__ = [
    "AROUND_LIMIT_MAX",
    "CUSTOM_ID_MIN_BYTES",
    "DEFAULT_PAGE_LIMIT",
    "DEVICE_ID_MIN_BYTES",
    "EMAIL_MAX_BYTES",
    "EMAIL_MIN_BYTES",
    "IDEMPOTENCY_KEY_MAX_CHARS",
    "ID_MAX_BYTES",
    "LIST_LIMIT_MAX",
    "MAX_NUM_SCORE",
    "METADATA_MAX_BYTES",
    "PASSWORD_MIN_BYTES",
]

LIST_LIMIT_MAX = 1000  # GET /v2/leaderboard/{id}
AROUND_LIMIT_MAX = 100  # GET /v2/leaderboard/{id}/owner/{owner_id}
DEFAULT_PAGE_LIMIT = 1

# A record's metadata JSON text. Ours only (docs/server.md): Nakama's bound is its request size.
METADATA_MAX_BYTES = 16 * 1024
# Every Nakama leaderboard record carries max_num_score; a leaderboard's is always this default.
MAX_NUM_SCORE = 1_000_000

ID_MAX_BYTES = 128  # device and custom ids, usernames, leaderboard ids
DEVICE_ID_MIN_BYTES = 10
CUSTOM_ID_MIN_BYTES = 6
EMAIL_MIN_BYTES = 10
EMAIL_MAX_BYTES = 255
PASSWORD_MIN_BYTES = 8

IDEMPOTENCY_KEY_MAX_CHARS = 255  # printable ASCII, so characters and bytes agree
