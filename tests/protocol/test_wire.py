from __future__ import annotations

import pytest

from gameservices._protocol.wire import (
    INT64_MAX,
    Operator,
    SortOrder,
    error_body,
    format_int64,
    omit_zero,
    parse_enum,
    parse_int64,
)


@pytest.mark.parametrize(("raw", "want"), [("100", 100), (100, 100), ("-5", -5), (7.0, 7)])
def test_int64_accepts_strings_and_numbers(raw: object, want: int) -> None:
    assert parse_int64(raw, "score") == want


@pytest.mark.parametrize("raw", [True, "abc", 1.5, None, str(INT64_MAX + 1), [1]])
def test_int64_rejects(raw: object) -> None:
    with pytest.raises(ValueError, match="score"):
        parse_int64(raw, "score")


def test_int64_goes_out_as_string() -> None:
    assert format_int64(INT64_MAX) == "9223372036854775807"


@pytest.mark.parametrize("raw", ["BEST", "best", 1, "1"])
def test_enum_by_name_or_number(raw: object) -> None:
    assert parse_enum(Operator, raw, "operator") is Operator.BEST


@pytest.mark.parametrize("raw", ["BOGUS", 9, True, None])
def test_enum_rejects(raw: object) -> None:
    with pytest.raises(ValueError, match="operator"):
        parse_enum(Operator, raw, "operator")


def test_sort_order_numbers() -> None:
    assert SortOrder.DESCENDING == 1


def test_omit_zero_matches_protojson() -> None:
    assert omit_zero({"a": 0, "b": "0", "c": "", "d": None, "e": {}, "f": "1", "g": [1]}) == {
        "f": "1",
        "g": [1],
    }


def test_error_body_shape() -> None:
    assert error_body(16, "Auth token invalid") == {
        "code": 16,
        "message": "Auth token invalid",
        "details": [],
    }
