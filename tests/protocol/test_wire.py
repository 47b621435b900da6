from __future__ import annotations

import pytest

from gameservices._protocol.wire import (
    INT64_MAX,
    Operator,
    SortOrder,
    body_field,
    error_body,
    format_int64,
    format_int64_field,
    json_name,
    omit_zero,
    parse_enum,
    parse_int64,
)


@pytest.mark.parametrize(
    ("raw", "want"),
    # A string holds a JSON number, integral (as protojson reads it, measured on Nakama 3.40).
    [("100", 100), (100, 100), ("-5", -5), (7.0, 7), ("-0", 0), ("1e2", 100), ("6.0", 6)],
)
def test_int64_accepts_strings_and_numbers(raw: object, want: int) -> None:
    assert parse_int64(raw, "score") == want


@pytest.mark.parametrize(
    "raw",
    [True, "abc", 1.5, None, str(INT64_MAX + 1), [1], " 5", "+6", "7 ", "007", "1.5", "0x10", "٣"],
)
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


def test_a_huge_exponent_is_out_of_range_at_once() -> None:
    with pytest.raises(ValueError, match="out of the int64 range"):
        parse_int64("1e999999999", "score")


@pytest.mark.parametrize(
    ("name", "alias"), [("refresh_token", "refreshToken"), ("owner_ids", "ownerIds"), ("id", "id")]
)
def test_json_name_is_lower_camel_case(name: str, alias: str) -> None:
    assert json_name(name) == alias


def test_a_body_field_by_either_spelling_never_both() -> None:
    assert body_field({"refresh_token": "a"}, "refresh_token") == "a"
    assert body_field({"refreshToken": "b"}, "refresh_token") == "b"
    assert body_field({}, "refresh_token") is None
    with pytest.raises(ValueError, match='duplicate field "refreshToken"'):
        body_field({"refresh_token": "a", "refreshToken": None}, "refresh_token")


def test_sort_order_numbers() -> None:
    assert SortOrder.DESCENDING == 1


def test_omit_zero_matches_protojson() -> None:
    zero_int64 = format_int64_field(0)
    fields = {"a": 0, "b": zero_int64, "c": "", "d": None, "e": {}, "f": "1", "g": [1]}
    assert omit_zero(fields) == {"f": "1", "g": [1]}
    # The string "0" is a value of a string field (a username): it stays.
    assert omit_zero({"username": "0", "score": format_int64_field(7)}) == {
        "username": "0",
        "score": "7",
    }


def test_error_body_shape() -> None:
    assert error_body(16, "Auth token invalid") == {
        "code": 16,
        "message": "Auth token invalid",
    }
