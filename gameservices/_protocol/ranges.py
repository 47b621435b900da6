"""HTTP rules for resumable downloads (pure): request headers and what a response means.

Invariants:
- A resume (``offset > 0``) always sends ``Range: bytes=<offset>-`` with ``If-Range`` holding a
  strong ETag, so a changed file comes back whole (200) instead of being spliced onto a stale
  prefix. Without a strong validator there is no resume: the caller starts from zero.
- ``classify`` accepts only answers consistent with the manifest size: a 200 whose
  Content-Length differs, or a 206 for another total, is an ``IntegrityError`` (the host serves
  something other than what the manifest promised); a malformed range is a ``ProtocolError``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .._exceptions import IntegrityError, ProtocolError

__all__ = [
    "ContentRange",
    "Outcome",
    "Step",
    "classify",
    "format_content_range",
    "is_strong_etag",
    "parse_content_range",
    "request_headers",
]

_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)", re.IGNORECASE)
_STRONG_ETAG = re.compile(r'"[\x21\x23-\x7e\x80-\xff]*"')


class Step(enum.Enum):
    """What the downloader does with a response."""

    BODY = "body"  # stream the body into the .part from ``Outcome.start``
    NOT_MODIFIED = "not_modified"  # 304: the local file is current
    PART_COMPLETE = "part_complete"  # 416 and the .part already has every byte: verify it
    RESTART = "restart"  # 416 for a stale .part: drop it and ask for the whole file


@dataclass(frozen=True)
class Outcome:
    step: Step
    start: int = 0


@dataclass(frozen=True)
class ContentRange:
    """``bytes start-end/total``; ``start``/``end`` are None for ``bytes */total``."""

    start: int | None
    end: int | None
    total: int | None


def is_strong_etag(etag: str | None) -> bool:
    return etag is not None and _STRONG_ETAG.fullmatch(etag) is not None


def request_headers(
    *, offset: int = 0, validator: str | None = None, if_none_match: str | None = None
) -> dict[str, str]:
    """Headers for one download attempt; resume only with a strong validator."""
    headers = {"Accept-Encoding": "identity"}  # byte offsets must mean file offsets
    if offset > 0:
        if not is_strong_etag(validator):
            raise ValueError("a resume needs a strong ETag for If-Range")
        assert validator is not None
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = validator
    elif if_none_match is not None:
        headers["If-None-Match"] = if_none_match
    return headers


def format_content_range(start: int | None, end: int | None, total: int) -> str:
    """``bytes start-end/total``, or ``bytes */total`` (a 416) when ``start`` is None."""
    if start is None or end is None:
        return f"bytes */{total}"
    return f"bytes {start}-{end}/{total}"


def parse_content_range(value: str) -> ContentRange:
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"malformed Content-Range {value!r}")
    first, last, total = match.groups()
    if first is None:
        return ContentRange(None, None, None if total == "*" else int(total))
    start, end = int(first), int(last)
    if end < start:
        raise ValueError(f"Content-Range {value!r} ends before it starts")
    return ContentRange(start, end, None if total == "*" else int(total))


def classify(status: int, headers: Mapping[str, str], *, offset: int, size: int) -> Outcome:
    """Interpret a 200/206/304/416 answer to a request made by ``request_headers``."""
    if status == 200:
        _check_length(headers, size, size, "whole file")
        return Outcome(Step.BODY, 0)
    if status == 206:
        return _partial(headers, offset, size)
    if status == 304:
        return Outcome(Step.NOT_MODIFIED)
    if status == 416:
        cr = _content_range(headers, required=False)
        if cr is not None and cr.total is not None and cr.total != size:
            raise IntegrityError(f"the host holds {cr.total} bytes, the manifest says {size}")
        return Outcome(Step.PART_COMPLETE if offset == size else Step.RESTART)
    raise ValueError(f"classify() got status {status}")


def _partial(headers: Mapping[str, str], offset: int, size: int) -> Outcome:
    if offset == 0:
        raise ProtocolError("206 Partial Content answered a request without Range")
    cr = _content_range(headers, required=True)
    assert cr is not None
    if cr.total is not None and cr.total != size:
        raise IntegrityError(f"the host holds {cr.total} bytes, the manifest says {size}")
    if cr.start != offset or cr.end != size - 1:
        raise ProtocolError(f"asked for bytes {offset}-{size - 1}, got {cr.start}-{cr.end}")
    _check_length(headers, size - offset, size, "range")
    return Outcome(Step.BODY, offset)


def _content_range(headers: Mapping[str, str], *, required: bool) -> ContentRange | None:
    value = headers.get("Content-Range")
    if value is None:
        if required:
            raise ProtocolError("206 Partial Content without a Content-Range header")
        return None
    try:
        return parse_content_range(value)
    except ValueError as exc:
        raise ProtocolError(str(exc)) from None


def _check_length(headers: Mapping[str, str], expected: int, size: int, what: str) -> None:
    value = headers.get("Content-Length")
    if value is None:
        return  # chunked: the byte count is checked while streaming
    if not value.strip().isdigit():
        raise ProtocolError(f"malformed Content-Length {value!r}")
    if int(value) != expected:
        raise IntegrityError(
            f"the host announces {int(value)} bytes for the {what}, "
            f"the manifest's size ({size}) needs {expected}"
        )
