"""Pure HTTP rules for serving a file: conditional requests and byte ranges (RFC 9110).

Invariants:
- No I/O here: headers in, a decision out, so every rule is tested with plain strings.
- Only one range is ever served. A multi-range request gets the whole file (200), which RFC 9110
  allows; a syntactically invalid Range header is ignored the same way.
- An unsatisfiable single range is reported as ``UNSATISFIABLE`` so the caller answers 416 with
  ``Content-Range: bytes */<size>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .._protocol.ranges import format_content_range

__all__ = [
    "UNSATISFIABLE",
    "ByteRange",
    "etag_matches",
    "if_range_holds",
    "parse_range",
]


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive, as in a Content-Range header."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return format_content_range(self.start, self.end, size)


class _Unsatisfiable:
    def __repr__(self) -> str:
        return "UNSATISFIABLE"


UNSATISFIABLE: Final = _Unsatisfiable()


def parse_range(header: str | None, size: int) -> ByteRange | _Unsatisfiable | None:
    """The one range to serve, ``UNSATISFIABLE`` (416), or ``None`` (serve the whole file)."""
    if header is None:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if last == "":
            return None
        suffix = int(last)  # "bytes=-N": the last N bytes
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, so ignored
    if start >= size:
        return UNSATISFIABLE
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start, end)


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison: ``W/"x"`` matches ``"x"``; ``*`` matches all."""
    if if_none_match is None:
        return False
    plain = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == plain for tag in _tags(if_none_match))


def if_range_holds(if_range: str | None, etag: str, last_modified: str) -> bool:
    """Whether a Range may be honoured: If-Range absent, or equal to the current validator.

    An entity tag is compared strongly (a weak tag never matches); a date must equal
    Last-Modified exactly.
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith('"') or value.startswith("W/"):
        return value == etag and not value.startswith("W/")
    return value == last_modified
