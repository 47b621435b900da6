"""Resume rules: request headers and the meaning of 200/206/304/416 answers."""

from __future__ import annotations

import pytest

from gameservices import IntegrityError, ProtocolError
from gameservices._protocol.ranges import (
    ContentRange,
    RangeReply,
    Step,
    classify,
    is_strong_etag,
    parse_content_range,
    request_headers,
)


def test_fresh_request_asks_for_identity_and_nothing_else() -> None:
    assert request_headers() == {"Accept-Encoding": "identity"}


def test_resume_sends_range_with_if_range() -> None:
    h = request_headers(offset=10, validator='"abc"')
    assert h["Range"] == "bytes=10-"
    assert h["If-Range"] == '"abc"'


def test_resume_without_a_strong_validator_is_refused() -> None:
    with pytest.raises(ValueError, match="strong ETag"):
        request_headers(offset=10, validator='W/"abc"')
    with pytest.raises(ValueError, match="strong ETag"):
        request_headers(offset=10, validator=None)


def test_if_none_match_only_on_a_fresh_request() -> None:
    assert request_headers(if_none_match='"x"')["If-None-Match"] == '"x"'
    assert "If-None-Match" not in request_headers(offset=1, validator='"v"', if_none_match='"x"')


def test_strong_etags() -> None:
    assert is_strong_etag('"abc"')
    assert not is_strong_etag('W/"abc"')
    assert not is_strong_etag("abc")
    assert not is_strong_etag(None)


def test_parse_content_range() -> None:
    assert parse_content_range("bytes 5-9/10") == ContentRange(5, 9, 10)
    assert parse_content_range("bytes */10") == ContentRange(None, None, 10)
    assert parse_content_range("bytes 0-1/*") == ContentRange(0, 1, None)
    with pytest.raises(ValueError, match="malformed"):
        parse_content_range("items 1-2/3")
    with pytest.raises(ValueError, match="ends before"):
        parse_content_range("bytes 9-5/10")


def test_200_is_the_whole_file() -> None:
    assert classify(200, {"Content-Length": "10"}, offset=4, size=10) == RangeReply(Step.BODY, 0)
    assert classify(200, {}, offset=0, size=10) == RangeReply(Step.BODY, 0)


def test_200_with_a_length_other_than_the_manifest_size_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError, match="announces 11 bytes"):
        classify(200, {"Content-Length": "11"}, offset=0, size=10)


def test_206_continues_at_the_offset() -> None:
    headers = {"Content-Range": "bytes 4-9/10", "Content-Length": "6"}
    assert classify(206, headers, offset=4, size=10) == RangeReply(Step.BODY, 4)


@pytest.mark.parametrize(
    ("headers", "error", "message"),
    [
        ({}, ProtocolError, "without a Content-Range"),
        ({"Content-Range": "bytes 3-9/10"}, ProtocolError, "asked for bytes 4-9, got 3-9"),
        ({"Content-Range": "bytes 4-9/12"}, IntegrityError, "holds 12 bytes"),
        ({"Content-Range": "bytes 4-9/10", "Content-Length": "5"}, IntegrityError, "announces 5"),
        ({"Content-Range": "nonsense"}, ProtocolError, "malformed"),
    ],
)
def test_bad_206_answers(headers: dict[str, str], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        classify(206, headers, offset=4, size=10)


def test_206_to_a_request_without_range_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="without Range"):
        classify(206, {"Content-Range": "bytes 0-9/10"}, offset=0, size=10)


def test_304_means_current() -> None:
    assert classify(304, {}, offset=0, size=10).step is Step.NOT_MODIFIED


def test_416_with_a_complete_part_verifies_it_else_restarts() -> None:
    headers = {"Content-Range": "bytes */10"}
    assert classify(416, headers, offset=10, size=10).step is Step.PART_COMPLETE
    assert classify(416, headers, offset=4, size=10).step is Step.RESTART
    with pytest.raises(IntegrityError, match="holds 8 bytes"):
        classify(416, {"Content-Range": "bytes */8"}, offset=9, size=10)
