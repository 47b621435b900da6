"""Opaque, HMAC-signed page cursors that name a position key, not an offset.

A cursor says "the page after (or before) this record key in this period of this board". Keys
compare by (score, subscore, owner id), so pages stay consistent while records move: nothing is
skipped or repeated because an offset shifted. A cursor of another board, or of a period that
has ended since (a reset), is refused, as Nakama refuses it. Any change to a cursor breaks its
signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from .._protocol.wire import dumps

__all__ = ["Cursor", "CursorCodec", "SignedCursors"]

_MAC_BYTES = 16


@dataclass(frozen=True)
class Cursor:
    board: str
    expiry: int  # the period's reset time; 0 on a board that never resets
    key: int
    forward: bool  # True: records after key (next page); False: records before key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def derive(self, purpose: bytes) -> bytes:
        """A key of its own for another kind of signed value (chat history cursors...)."""
        return hmac.new(self._key, purpose, hashlib.sha256).digest()

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, cursor: Cursor) -> str:
        fields = [cursor.board, cursor.expiry, str(cursor.key), 1 if cursor.forward else 0]
        payload = dumps(fields).encode()
        return _b64(payload) + "." + _b64(self._mac(payload))

    def decode(self, text: str, board: str, expiry: int) -> Cursor | None:
        """The cursor, or None if it is malformed, forged, or for another board or period."""
        try:
            body, mac = text.split(".")
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(mac), self._mac(payload)):
                return None
            board_id, period, key, forward = json.loads(payload)
            cursor = Cursor(board_id, int(period), int(key), bool(forward))
        except (ValueError, TypeError):
            return None
        return cursor if (cursor.board, cursor.expiry) == (board, expiry) else None


class SignedCursors:
    """Cursors of the social lists: a list of plain values under a kind, signed with the same
    key as the leaderboard cursors; ``decode`` answers None for anything not made here."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"social:" + key).digest()

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, kind: str, values: list[object]) -> str:
        payload = dumps([kind, *values]).encode()
        return _b64(payload) + "." + _b64(self._mac(payload))

    def decode(self, text: str, kind: str) -> list[object] | None:
        try:
            body, mac = text.split(".")
            payload = _unb64(body)
            if not hmac.compare_digest(_unb64(mac), self._mac(payload)):
                return None
            values = json.loads(payload)
        except (ValueError, TypeError):
            return None
        if not isinstance(values, list) or not values or values[0] != kind:
            return None
        return values[1:]
