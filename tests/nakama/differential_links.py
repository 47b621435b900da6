"""The differential cases of account links (devices, custom ids, emails) and of the providers'
logins, links and unlinks, kept apart from ``test_differential.py`` as the social cases are;
that module registers them (``LINK_CASES``) with its own ``case`` decorator.

Provider cases send only what Nakama refuses without asking the provider (missing or malformed
credentials, a bad username, an unconfigured Apple or Steam, an unlink naming nothing): what it
would verify over the internet is a deliberate difference, tested in ``test_providers.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .wire import Wire

__all__ = ["LINK_CASES"]

Run = Callable[[Wire], Awaitable[None]]
LINK_CASES: list[tuple[str, Run, dict[str, Any]]] = []
LINK = "/v2/account/link/"
UNLINK = "/v2/account/unlink/"
AUTH = "/v2/account/authenticate/"
PROVIDERS = ("apple", "facebook", "facebookinstantgame", "gamecenter", "google", "steam")


def link_case(id: str, **options: Any) -> Callable[[Run], Run]:
    def register(fn: Run) -> Run:
        LINK_CASES.append((id, fn, options))
        return fn

    return register


async def account(w: Wire, role: str = "alice") -> None:
    await w.call("GET", "/v2/account", auth=role)


@link_case("links: a device, twice, another's, then the account and a login with it")
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.login("bob")
    second = w.names.device("alice") + "-2"
    await w.call("POST", LINK + "device", json={"id": second}, auth="alice")
    await w.call("POST", LINK + "device", json={"id": second}, auth="alice")
    await w.call("POST", LINK + "device", json={"id": second}, auth="bob")
    await w.call("POST", LINK + "device", json={"id": w.names.device("bob")}, auth="alice")
    await account(w)
    await w.call("POST", AUTH + "device?create=false", json={"id": second}, auth="basic")


@link_case("links: a custom id replaces the previous one; an email and its password")
async def _(w: Wire) -> None:
    await w.login("alice", kind="custom")
    await w.login("bob")
    await w.call("POST", LINK + "custom", json={"id": w.names.custom("bob")}, auth="alice")
    await w.call("POST", LINK + "custom", json={"id": w.names.custom("bob")}, auth="bob")
    email = {"email": w.names.email("alice"), "password": "correct horse"}
    await w.call("POST", LINK + "email", json={**email, "email": email["email"].upper()},
                 auth="alice")  # fmt: skip
    await w.call("POST", LINK + "email", json=email, auth="bob")
    await account(w)
    await w.call("POST", AUTH + "custom?create=false", json={"id": w.names.custom("alice")},
                 auth="basic")  # fmt: skip


@link_case("links: bad bodies (ids' rules, the email order, wrong types, bad vars)")
async def _(w: Wire) -> None:
    await w.login("alice")
    for kind, body in (
        ("device", {}),
        ("device", {"id": "short"}),
        ("device", {"id": "has space " + w.names.case}),
        ("device", {"id": 12345678901}),
        ("device", {"id": w.names.device("x"), "vars": {"n": 1}}),
        ("custom", {"id": ""}),
        ("custom", {"id": "short"}),
        ("custom", {"id": "c" * 129}),
        ("custom", {"id": "tab\there"}),
        ("email", {"email": "", "password": "correct horse"}),
        ("email", {"email": "a b@c.de", "password": "x"}),
        ("email", {"email": "nope", "password": "x"}),
        ("email", {"email": "nope", "password": "correct horse"}),
        ("email", {"email": "a@b.c", "password": "correct horse"}),
    ):
        await w.call("POST", LINK + kind, json=body, auth="alice")


@link_case("unlinks: the last way, one that is not yours, nothing named, a device id missing")
async def _(w: Wire) -> None:
    await w.login("alice")
    await w.login("bob")
    await w.call("POST", UNLINK + "device", json={"id": w.names.device("alice")}, auth="alice")
    await w.call("POST", UNLINK + "device", json={"id": w.names.device("bob")}, auth="alice")
    await w.call("POST", UNLINK + "device", json={}, auth="alice")
    await w.call("POST", UNLINK + "custom", json={}, auth="alice")
    await w.call("POST", UNLINK + "email", json={"email": ""}, auth="alice")
    await w.call("POST", LINK + "custom", json={"id": w.names.custom("alice")}, auth="alice")
    await w.call("POST", UNLINK + "custom", json={"id": w.names.custom("bob")}, auth="alice")
    await w.call("POST", UNLINK + "device", json={"id": w.names.device("alice")}, auth="alice")
    await w.call("POST", UNLINK + "custom", json={}, auth="alice")
    await account(w)


@link_case("providers: Apple and Steam unconfigured, missing credentials, a bad username")
async def _(w: Wire) -> None:
    for provider in PROVIDERS:
        await w.call("POST", AUTH + provider, json={}, auth="basic")
    await w.call("POST", AUTH + "steam?sync=true", json={"token": "t"}, auth="basic")
    await w.call("POST", AUTH + "apple?username=gs%07x", json={"token": "t"}, auth="basic")
    for provider, body in (
        ("facebook", {"token": "t"}),
        ("facebookinstantgame", {"signed_player_info": "a.b"}),
        ("google", {"token": "t"}),
    ):
        await w.call("POST", AUTH + provider + "?username=gs%07x", json=body, auth="basic")


@link_case("providers: links with missing credentials; Apple and Steam unconfigured")
async def _(w: Wire) -> None:
    await w.login("alice")
    for provider in PROVIDERS:
        await w.call("POST", LINK + provider, json={}, auth="alice")
    await w.call("POST", LINK + "apple", json={"token": "t"}, auth="alice")
    await w.call("POST", LINK + "steam", json={"account": {"token": "t"}, "sync": True},
                 auth="alice")  # fmt: skip
    await w.call("POST", LINK + "facebook?sync=false", json={"token": ""}, auth="alice")
    partial = {"bundle_id": "b", "player_id": "p", "public_key_url": "u", "salt": "s"}
    await w.call("POST", LINK + "gamecenter", json=partial, auth="alice")
    await w.call("POST", LINK + "gamecenter", json={**partial, "signature": "s"}, auth="alice")


@link_case("providers: unlinks naming nothing succeed while another login remains")
async def _(w: Wire) -> None:
    await w.login("alice")
    for provider in PROVIDERS:
        await w.call("POST", UNLINK + provider, json={}, auth="alice")
    await w.call("POST", UNLINK + "gamecenter", json={"player_id": "p"}, auth="alice")
    await account(w)
