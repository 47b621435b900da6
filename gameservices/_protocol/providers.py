"""Logins through a provider (Apple, Facebook, Facebook Instant Game, Game Center, Google,
Steam): authenticate, link and unlink, both directions, pure. One table (``PROVIDERS``) holds
every provider's rules, for the client's requests and the server's checks alike.

Rule 1: requests are exactly what Nakama's swagger takes: the login's body is the provider's
        account (``token``; ``signed_player_info``; Game Center's six fields, the timestamp an
        int64 string) with ``vars``, under ``?create=&username=`` and, for Facebook and Steam,
        ``&sync=``; a link sends the account alone, except Facebook (``?sync=``) and Steam
        (``{"account": ..., "sync": ...}``); an unlink sends the account (an empty one unlinks
        whichever is linked). ``sync`` is always sent: Nakama's default differs by call (a
        Facebook or Steam link imports friends unless told not to).
Rule 2: the server checks in Nakama's order: the body; for Apple (login and link) and Steam
        (login) whether the provider is configured; the credentials' presence (``missing``);
        the username (logins); then whether it is configured. Nakama's messages, word for word.
Rule 3: "configured" means the server can verify the provider's credentials. Nakama says so for
        Apple and Steam ("Steam authentication is not configured.", 400 code 9); for the others
        it asks the provider over the network and answers 401 code 16 ("Could not authenticate
        Google profile.") when it cannot. The reference server configures none and answers
        every credential it would have to verify with the 400 code 9 of ``not_configured``.
Rule 4: an unlink names credentials only if all are given (Game Center: all six); an unlink
        naming none needs no provider and is judged as the other unlinks (``links``).
Rule 5: a 401 whose message is Nakama's "Could not authenticate <Provider> profile." refuses the
        provider's credentials, not the session (``refuses_credentials``): refreshing the
        session and resending cannot change it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._checks import is_int
from .api import Request, authenticate
from .links import link_request, unlink_request
from .request_rules import string_field, vars_field
from .wire import body_field, check_int64, format_int64, parse_int64

__all__ = [
    "GAME_CENTER_FIELDS",
    "PROVIDERS",
    "GameCenterCredentials",
    "Provider",
    "authenticate_provider",
    "credentials_given",
    "link_account",
    "link_provider",
    "missing",
    "not_configured",
    "read_credentials",
    "refuses_credentials",
    "unlink_provider",
]

GAME_CENTER_FIELDS = (
    "player_id",
    "bundle_id",
    "timestamp_seconds",
    "salt",
    "signature",
    "public_key_url",
)


@dataclass(frozen=True)
class Provider:
    """One provider's rules: ``kind`` is its path segment, ``name`` its spelling in Nakama's
    messages, ``checks`` its credential fields with the message for a missing one (in Nakama's
    order), ``sync`` whether it imports friends (``?sync=``; a Steam link: the body's)."""

    kind: str
    name: str
    checks: tuple[tuple[str, str], ...]
    login_checks_config_first: bool = False
    link_checks_config_first: bool = False
    sync: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.checks)


def _token(name: str, what: str = "access token") -> tuple[tuple[str, str], ...]:
    return (("token", f"{name} {what} is required."),)


PROVIDERS: Mapping[str, Provider] = {
    p.kind: p
    for p in (
        Provider("apple", "Apple", _token("Apple", "ID token"), True, True),
        Provider("facebook", "Facebook", _token("Facebook"), sync=True),
        Provider(
            "facebookinstantgame",
            "Facebook Instant Game",
            (
                (
                    "signed_player_info",
                    "Signed Player Info for a Facebook Instant Game is required.",
                ),
            ),
        ),
        Provider(
            "gamecenter",
            "GameCenter",
            tuple(
                (field, f"GameCenter {label} is required.")
                for field, label in (
                    ("bundle_id", "bundle ID"),
                    ("player_id", "player ID"),
                    ("public_key_url", "public key URL"),
                    ("salt", "salt"),
                    ("signature", "signature"),
                    ("timestamp_seconds", "timestamp"),
                )
            ),
        ),
        Provider("google", "Google", _token("Google")),
        Provider("steam", "Steam", _token("Steam"), login_checks_config_first=True, sync=True),
    )
}


_REFUSED = re.compile(r"Could not authenticate [A-Za-z ]+ profile\.")


def refuses_credentials(message: str) -> bool:
    """Whether a 401's message refuses a provider's credentials (Rule 5), not the session."""
    return _REFUSED.fullmatch(message) is not None


def not_configured(provider: Provider) -> str:
    """The message of a provider the server cannot verify (Rule 3), Nakama's words."""
    return f"{provider.name} authentication is not configured."


@dataclass(frozen=True)
class GameCenterCredentials:
    """What GameKit's identity verification signature gives a game (Apple's
    ``fetchItems(forIdentityVerificationSignature:)``): the salt and signature base64."""

    player_id: str
    bundle_id: str
    timestamp_seconds: int
    salt: str
    signature: str
    public_key_url: str

    def account(self) -> dict[str, Any]:
        if not is_int(self.timestamp_seconds):
            raise TypeError("timestamp_seconds must be an int")
        account: dict[str, Any] = {name: getattr(self, name) for name in GAME_CENTER_FIELDS}
        seconds = check_int64(self.timestamp_seconds, "timestamp_seconds")
        account["timestamp_seconds"] = format_int64(seconds)
        return account


# --- the client's requests


def _sync(value: bool) -> tuple[tuple[str, str], ...]:
    return (("sync", "true" if value else "false"),)


def authenticate_provider(
    server_key: str,
    kind: str,
    account: Mapping[str, Any],
    *,
    create: bool,
    username: str | None,
    sync: bool,
    vars: Mapping[str, str] | None,
) -> Request:
    provider = PROVIDERS[kind]
    extra = _sync(sync) if provider.sync else ()
    return authenticate(
        kind, server_key, dict(account), create=create, username=username, vars=vars, extra=extra
    )


def link_provider(kind: str, account: Mapping[str, Any], *, sync: bool = False) -> Request:
    if kind == "steam":  # Steam's link alone wraps the account (LinkSteamRequest)
        return link_request(kind, {"account": dict(account), "sync": sync})
    return link_request(kind, account, _sync(sync) if PROVIDERS[kind].sync else ())


def unlink_provider(kind: str, account: Mapping[str, Any]) -> Request:
    return unlink_request(kind, account)


# --- the server's rules


def link_account(kind: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The provider account of a link's body (Steam's is wrapped: Rule 1)."""
    if kind != "steam":
        return body
    account = body_field(body, "account")
    if account is not None and not isinstance(account, dict):
        raise ValueError("account must be an object.")
    return account or {}


def read_credentials(provider: Provider, account: Mapping[str, Any]) -> dict[str, object]:
    """The credential fields of ``account`` as protojson reads them ("" or 0 when absent; a
    value of the wrong type, or malformed ``vars``, is a ValueError)."""
    vars_field(account)
    found: dict[str, object] = {}
    for name in provider.fields:
        if name == "timestamp_seconds":
            raw = body_field(account, name)
            found[name] = 0 if raw is None else parse_int64(raw, name)
        else:
            found[name] = string_field(account, name)
    return found


def missing(provider: Provider, credentials: Mapping[str, object]) -> str | None:
    """Nakama's message for the first missing credential (Rule 2), or None."""
    for name, message in provider.checks:
        if not credentials[name]:
            return message
    return None


def credentials_given(provider: Provider, credentials: Mapping[str, object]) -> bool:
    """Whether an unlink names credentials to verify: all of them (Rule 4)."""
    return all(credentials[name] for name in provider.fields)
