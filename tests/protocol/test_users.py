"""apiUser: what the server builds, the client parses back; bad shapes are the server's fault."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from gameservices import ProtocolError
from gameservices._protocol.users import User, parse_user, parse_users, user_json


def test_a_built_user_parses_back() -> None:
    body = user_json(
        "u1", "ada", 1_800_000_000, 1_800_000_060, display_name="Ada", metadata='{"lvl": 3}'
    )
    user = parse_user(body)
    assert user.id == "u1"
    assert user.username == "ada"
    assert user.display_name == "Ada"
    assert user.lang_tag == "en"
    assert user.metadata == {"lvl": 3}
    assert user.create_time == datetime.fromtimestamp(1_800_000_000, timezone.utc)
    assert user.update_time == datetime.fromtimestamp(1_800_000_060, timezone.utc)
    assert user.online is False


def test_zero_values_are_omitted_and_read_back_as_zero() -> None:
    body = user_json("u1", "ada", 1, 1, metadata="{}")
    assert "online" not in body
    assert "edge_count" not in body
    assert "display_name" not in body
    assert parse_user(body) == User(
        id="u1",
        username="ada",
        lang_tag="en",
        create_time=datetime.fromtimestamp(1, timezone.utc),
        update_time=datetime.fromtimestamp(1, timezone.utc),
    )


def test_an_empty_users_answer_is_nobody() -> None:
    assert parse_users({}) == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"id": 5},
        {"online": "yes"},
        {"edge_count": True},
        {"metadata": "[1]"},
        {"metadata": "{"},
        {"create_time": "yesterday"},
    ],
)
def test_a_bad_user_is_a_protocol_error(body: object) -> None:
    with pytest.raises(ProtocolError):
        parse_user(body)


def test_users_that_are_not_a_list_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        parse_users({"users": {}})
