"""The differential cases of the social parts (friends, notifications, groups), kept apart from
``test_differential.py`` so each part's cases live with each other; that module registers them
(``register``) with its own ``case`` decorator, after its own cases.

Each case logs its players in unrecorded (their set-up) and records what the social calls
answer; ids, usernames, times and cursors are normalised by ``wire.Wire``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .wire import Wire

__all__ = ["SOCIAL_CASES"]

Run = Callable[[Wire], Awaitable[None]]
SOCIAL_CASES: list[tuple[str, Run, dict[str, Any]]] = []
UNKNOWN = "5b1a1e0c-1111-4111-8111-111111111111"


def social_case(id: str, **options: Any) -> Callable[[Run], Run]:
    def register(fn: Run) -> Run:
        SOCIAL_CASES.append((id, fn, options))
        return fn

    return register


async def logins(w: Wire, *roles: str) -> None:
    for role in roles:
        await w.login(role, username=True)


def ids(w: Wire, *roles: str) -> str:
    return "&".join(f"ids={w.user(r).user_id}" for r in roles)


# ---- friends ----


@social_case("friends: invite, both sides' lists, add back by username, both lists again")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob")
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="alice")
    await w.call("GET", "/v2/friend", auth="alice")
    await w.call("GET", "/v2/friend", auth="bob")
    await w.call("POST", f"/v2/friend?usernames={w.user('alice').username}", auth="bob")
    await w.call("GET", "/v2/friend?state=0", auth="alice")
    await w.call("GET", "/v2/friend?state=1", auth="alice")
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="alice")  # again: nothing
    await w.call("GET", "/v2/friend", auth="bob")


@social_case("friends: block, the blocked side's view, its add, delete lifts the block")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob")
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="alice")
    await w.call("POST", f"/v2/friend/block?{ids(w, 'bob')}", auth="alice")
    await w.call("GET", "/v2/friend", auth="alice")
    await w.call("GET", "/v2/friend", auth="bob")
    await w.call("POST", f"/v2/friend?{ids(w, 'alice')}", auth="bob")
    await w.call("DELETE", f"/v2/friend?{ids(w, 'alice')}", auth="bob")
    await w.call("GET", "/v2/friend", auth="alice")
    await w.call("DELETE", f"/v2/friend?{ids(w, 'bob')}", auth="alice")
    await w.call("GET", "/v2/friend", auth="alice")


@social_case("friends: bad input (self, bad ids, empty and unknown usernames, none at all)")
async def _(w: Wire) -> None:
    await logins(w, "alice")
    me, name = w.user("alice").user_id, w.user("alice").username
    for path in ("/v2/friend", "/v2/friend/block"):
        for query in (
            "", f"?ids={me}", f"?usernames={name}", "?ids=xyz", "?ids=" + "0" * 8 + "-0000-"
            "0000-0000-" + "0" * 12, "?usernames=", "?usernames=gs_nobody_at_all",
            f"?ids={UNKNOWN}", f"?ids={UNKNOWN.upper()}",
        ):  # fmt: skip
            await w.call("POST", path + query, auth="alice")
    for query in ("", f"?ids={me}", "?ids=xyz", "?usernames=", "?usernames=gs_nobody_at_all"):
        await w.call("DELETE", "/v2/friend" + query, auth="alice")


@social_case("friends: list limits, states and cursors; paging by state")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol", "dave")
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="alice", record=False)
    await w.call("POST", f"/v2/friend?{ids(w, 'carol')}", auth="alice", record=False)
    await w.call("POST", f"/v2/friend?{ids(w, 'alice')}", auth="dave", record=False)
    for query in ("?limit=0", "?limit=1001", "?limit=x", "?state=4", "?state=-1",
                  "?cursor=zzz", "?limit=1000&state=2"):  # fmt: skip
        await w.call("GET", "/v2/friend" + query, auth="alice")
    page = (await w.call("GET", "/v2/friend?limit=1", auth="alice")).json()
    page = (await w.call("GET", f"/v2/friend?limit=1&cursor={page['cursor']}", auth="alice")).json()
    await w.call("GET", f"/v2/friend?limit=5&cursor={page['cursor']}", auth="alice")
    await w.call("GET", f"/v2/friend?state=0&cursor={page['cursor']}", auth="alice")


@social_case("friends: friends of friends, its limits and cursor")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol", "dave")
    for a, b in (("alice", "bob"), ("bob", "carol"), ("bob", "dave")):
        await w.call("POST", f"/v2/friend?{ids(w, b)}", auth=a, record=False)
        await w.call("POST", f"/v2/friend?{ids(w, a)}", auth=b, record=False)
    first, second = sorted(("carol", "dave"), key=lambda r: w.user(r).user_id)
    w.relabel(first, "first")  # listed by id, which differs between the servers
    w.relabel(second, "second")
    await w.call("GET", "/v2/friend/friends", auth="alice")
    await w.call("GET", "/v2/friend/friends", auth="bob")  # all of bob's friends' are his
    page = (await w.call("GET", "/v2/friend/friends?limit=1", auth="alice")).json()
    await w.call("GET", f"/v2/friend/friends?limit=1&cursor={page['cursor']}", auth="alice")
    for query in ("?limit=0", "?limit=101", "?cursor=zzz"):
        await w.call("GET", "/v2/friend/friends" + query, auth="alice")


@social_case("friends: provider imports without a token; Steam unconfigured")
async def _(w: Wire) -> None:
    await logins(w, "alice")
    await w.call("POST", "/v2/friend/facebook", json={}, auth="alice")
    await w.call("POST", "/v2/friend/steam", json={}, auth="alice")
    await w.call("POST", "/v2/friend/steam?reset=true", json={"token": "x"}, auth="alice")


# ---- notifications ----


@social_case("notifications: a friend request and its accept, default page of one, cursors")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol")
    await w.call("GET", "/v2/notification", auth="bob")
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="alice", record=False)
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="carol", record=False)
    first = (await w.call("GET", "/v2/notification", auth="bob")).json()
    cursor = first["cacheable_cursor"]
    second = await w.call("GET", f"/v2/notification?cacheable_cursor={cursor}", auth="bob")
    cursor = second.json()["cacheable_cursor"]
    await w.call("GET", f"/v2/notification?cacheable_cursor={cursor}", auth="bob")
    await w.call("GET", "/v2/notification?limit=100", auth="bob")
    await w.call("POST", f"/v2/friend?{ids(w, 'alice')}", auth="bob", record=False)
    await w.call("GET", "/v2/notification?limit=100", auth="alice")
    await w.call("DELETE", f"/v2/friend?{ids(w, 'alice')}", auth="bob", record=False)
    await w.call("GET", "/v2/notification?limit=100", auth="alice")


@social_case("notifications: delete own, others' and unknown ids; limits")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob")
    await w.call("POST", f"/v2/friend?{ids(w, 'bob')}", auth="alice", record=False)
    note = (await w.call("GET", "/v2/notification", auth="bob", record=False)).json()
    note_id = note["notifications"][0]["id"]
    await w.call("DELETE", f"/v2/notification?ids={note_id}", auth="alice")
    await w.call("GET", "/v2/notification", auth="bob")
    await w.call("DELETE", f"/v2/notification?ids={note_id}&ids={UNKNOWN}", auth="bob")
    await w.call("GET", "/v2/notification", auth="bob")
    await w.call("DELETE", "/v2/notification", auth="bob")
    for query in ("?limit=0", "?limit=101"):
        await w.call("GET", "/v2/notification" + query, auth="bob")


@social_case("notifications: a malformed cursor", deliberate="nakama-500")
async def _(w: Wire) -> None:
    await logins(w, "alice")
    await w.call("GET", "/v2/notification?cacheable_cursor=zzz", auth="alice")


@social_case("notifications: delete by an id that is not a UUID", deliberate="nakama-500")
async def _(w: Wire) -> None:
    await logins(w, "alice")
    await w.call("DELETE", "/v2/notification?ids=xyz", auth="alice")
