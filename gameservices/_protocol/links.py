"""Linking a device, custom id or email to the logged-in account, and unlinking it:
``POST /v2/account/link/{kind}`` and ``POST /v2/account/unlink/{kind}``, both directions, pure.

Rule 1: a body is the login's body (``{"id"}``, ``{"email", "password"}``) without ``vars``,
        which Nakama ignores there; an unlink of an email sends only the email.
Rule 2: the server judges a link with the login's rules (``account_rules``) in the order and
        wording of Nakama's link code (Rule 6 there); an unlink judges only that a device id is
        given ("A device ID must be supplied."): an empty custom id or email unlinks whichever
        one the account holds, and an email is matched in lower case.
Rule 3: a link may be resent blindly (linking your own id again changes nothing); an unlink
        may not (once done, it is refused like the last identifier: ``UNLINK_REFUSED``).
Rule 4: Nakama's answers, word for word: an id another account holds is 409 code 6
        (``TAKEN``); an unlink that would leave no way to log in, or of something the account
        does not hold, is 403 code 7 (``UNLINK_REFUSED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .account_rules import check_device_id, check_linked_custom_id, check_linked_email
from .api import Request
from .request_rules import string_field, vars_field
from .routes import ACCOUNT_LINK, ACCOUNT_UNLINK, fill
from .wire import dumps

__all__ = [
    "KINDS",
    "TAKEN",
    "UNLINK_REFUSED",
    "Link",
    "link_custom",
    "link_device",
    "link_email",
    "link_request",
    "parse_link",
    "parse_unlink",
    "unlink_custom",
    "unlink_device",
    "unlink_email",
    "unlink_request",
]

KINDS = ("device", "custom", "email")
TAKEN: Mapping[str, str] = {
    "device": "Device ID already in use.",
    "custom": "Custom ID is already in use.",
    "email": "Email is already in use.",
}
UNLINK_REFUSED = "Cannot unlink last account identifier. Check profile exists and is not last link."
_JSON = {"Content-Type": "application/json"}


# --- the client's requests


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def link_request(
    kind: str, body: Mapping[str, Any], query: tuple[tuple[str, str], ...] = ()
) -> Request:
    """``POST /v2/account/link/{kind}`` with ``body`` (Rule 3: safe to resend)."""
    path = fill(ACCOUNT_LINK, kind=kind)
    return Request("POST", path, query, dict(_JSON), dumps(dict(body)).encode())


def unlink_request(kind: str, body: Mapping[str, Any]) -> Request:
    """``POST /v2/account/unlink/{kind}`` with ``body`` (Rule 3: not blindly resent)."""
    path = fill(ACCOUNT_UNLINK, kind=kind)
    return Request("POST", path, (), dict(_JSON), dumps(dict(body)).encode(), idempotent=False)


def link_device(device_id: str) -> Request:
    return link_request("device", {"id": _text(device_id, "device_id")})


def link_custom(custom_id: str) -> Request:
    return link_request("custom", {"id": _text(custom_id, "custom_id")})


def link_email(email: str, password: str) -> Request:
    body = {"email": _text(email, "email"), "password": _text(password, "password")}
    return link_request("email", body)


def unlink_device(device_id: str) -> Request:
    return unlink_request("device", {"id": _text(device_id, "device_id")})


def unlink_custom(custom_id: str = "") -> Request:
    return unlink_request("custom", {"id": _text(custom_id, "custom_id")})


def unlink_email(email: str = "") -> Request:
    return unlink_request("email", {"email": _text(email, "email")})


# --- the server's rules


@dataclass(frozen=True)
class Link:
    """A link or unlink as judged: ``value`` is the id or the (lower-case) email, "" in an
    unlink of whichever one the account holds; ``password`` only in an email link."""

    kind: str
    value: str
    password: str = field(default="", repr=False)


def parse_link(kind: str, body: Mapping[str, Any]) -> Link:
    """The body of ``POST /v2/account/link/{kind}``, judged as Nakama judges it (Rule 2)."""
    if kind == "email":
        email, password = string_field(body, "email"), string_field(body, "password")
        vars_field(body)  # decoded (and refused if malformed) before any rule, as protojson
        return Link(kind, check_linked_email(email, password), password)
    ident = string_field(body, "id")
    vars_field(body)
    check = check_device_id if kind == "device" else check_linked_custom_id
    return Link(kind, check(ident))


def parse_unlink(kind: str, body: Mapping[str, Any]) -> Link:
    """The body of ``POST /v2/account/unlink/{kind}`` (Rule 2)."""
    value = string_field(body, "email" if kind == "email" else "id")
    vars_field(body)
    if kind == "device" and not value:
        raise ValueError("A device ID must be supplied.")
    return Link(kind, value.lower() if kind == "email" else value)
