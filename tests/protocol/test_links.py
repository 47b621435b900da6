"""The link and unlink wire rules (``_protocol.links``), with plain values."""

from __future__ import annotations

import json

import pytest

from gameservices._protocol import links
from gameservices._protocol.account_rules import check_custom_id, check_email


def _body(req: links.Request) -> object:
    assert req.body is not None
    return json.loads(req.body)


@pytest.mark.parametrize(
    ("req", "path", "body", "idempotent"),
    [
        (links.link_device("d" * 10), "/v2/account/link/device", {"id": "d" * 10}, True),
        (links.link_custom("custom"), "/v2/account/link/custom", {"id": "custom"}, True),
        (
            links.link_email("a@example.com", "password"),
            "/v2/account/link/email",
            {"email": "a@example.com", "password": "password"},
            True,
        ),
        (links.unlink_device("d" * 10), "/v2/account/unlink/device", {"id": "d" * 10}, False),
        (links.unlink_custom(), "/v2/account/unlink/custom", {"id": ""}, False),
        (links.unlink_email("a@b.cd"), "/v2/account/unlink/email", {"email": "a@b.cd"}, False),
    ],
)
def test_requests(req: links.Request, path: str, body: object, idempotent: bool) -> None:
    assert (req.method, req.path, req.auth, req.query) == ("POST", path, "bearer", ())
    assert _body(req) == body
    assert req.idempotent is idempotent
    assert "password" not in repr(req)


def test_a_value_that_is_not_a_string_is_refused_before_sending() -> None:
    with pytest.raises(TypeError, match="device_id must be a str"):
        links.link_device(12345678901)  # type: ignore[arg-type]  # the point of the test


def test_a_link_is_judged_as_the_login_in_the_link_wording() -> None:
    assert links.parse_link("device", {"id": "d" * 10}) == links.Link("device", "d" * 10)
    with pytest.raises(ValueError, match=r"^Invalid custom ID, must be 6-128 bytes\.$"):
        links.parse_link("custom", {"id": "short"})
    with pytest.raises(ValueError, match=r"^Custom ID invalid, must be 6-128 bytes\.$"):
        check_custom_id("short")  # the login's wording is unchanged


def test_an_email_link_checks_in_the_link_order() -> None:
    found = links.parse_link("email", {"email": "A@Example.COM", "password": "password"})
    assert (found.value, found.password) == ("a@example.com", "password")
    assert "password" not in repr(found)
    # The link checks the password before the format; the login checks the format first.
    with pytest.raises(ValueError, match="Password must be at least 8"):
        links.parse_link("email", {"email": "nope", "password": "short"})
    with pytest.raises(ValueError, match="Invalid email address format"):
        check_email("nope", "short")
    with pytest.raises(ValueError, match="Email address and password is required"):
        links.parse_link("email", {"email": "a@example.com"})


def test_bad_vars_are_refused_before_the_id() -> None:
    with pytest.raises(ValueError, match="vars must be an object of strings"):
        links.parse_link("device", {"id": "", "vars": {"a": 1}})


def test_unlinks_judge_only_a_device_ids_presence() -> None:
    with pytest.raises(ValueError, match=r"^A device ID must be supplied\.$"):
        links.parse_unlink("device", {})
    assert links.parse_unlink("device", {"id": "x"}) == links.Link("device", "x")
    assert links.parse_unlink("custom", {}) == links.Link("custom", "")
    assert links.parse_unlink("email", {"email": "A@B.C"}) == links.Link("email", "a@b.c")


def test_what_the_client_sends_the_server_accepts() -> None:
    for req, kind in [
        (links.link_device("d" * 10), "device"),
        (links.link_custom("custom"), "custom"),
        (links.link_email("a@example.com", "password"), "email"),
    ]:
        body = _body(req)
        assert isinstance(body, dict)
        assert links.parse_link(kind, body).kind == kind
