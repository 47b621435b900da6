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


# ---- groups ----

GROUP = "/v2/group"


def clan(w: Wire, label: str = "clan") -> str:
    return f"gs_{w.names.case}_{label}"


async def create(w: Wire, role: str, body: dict[str, Any], *, record: bool = True) -> str:
    reply = await w.call("POST", GROUP, json=body, auth=role, record=record)
    group_id: str = reply.json()["id"]
    return group_id


def users(w: Wire, *roles: str) -> str:
    return "&".join(f"user_ids={w.user(r).user_id}" for r in roles)


@social_case("groups: create (closed, max 3), a taken name, bad bodies, updates, read back")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob")
    gid = await create(w, "alice", {"name": clan(w), "open": False, "max_count": 3})
    for body in ({"name": clan(w)}, {"name": ""}, {}, {"name": clan(w, "x"), "max_count": -1},
                 {"name": clan(w, "y"), "max_count": "2", "lang_tag": "de"}):  # fmt: skip
        await w.call("POST", GROUP, json=body, auth="bob")
    fields = {"description": "d", "avatar_url": "a", "open": True, "lang_tag": "fr"}
    for body in ({}, {"name": ""}, {"lang_tag": ""}, {"name": clan(w, "y")}, fields):
        await w.call("PUT", f"{GROUP}/{gid}", json=body, auth="alice")
    await w.call("PUT", f"{GROUP}/{gid}", json={"description": "bob's"}, auth="bob")
    await w.call("GET", f"{GROUP}?name={clan(w)}", auth="bob")
    await w.call("PUT", f"{GROUP}/{gid}", json={"description": ""}, auth="alice")
    await w.call("GET", f"{GROUP}?name={clan(w)}", auth="bob")


@social_case("groups: a join request, its notifications, promote refuses it, add accepts it")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol")
    gid = await create(w, "alice", {"name": clan(w), "open": False})
    await w.call("POST", f"{GROUP}/{gid}/add?{users(w, 'bob')}", auth="alice", record=False)
    await w.call("POST", f"{GROUP}/{gid}/promote?{users(w, 'bob')}", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/join", auth="carol")
    await w.call("POST", f"{GROUP}/{gid}/join", auth="carol")  # again: nothing
    await w.call("GET", "/v2/notification?limit=100", auth="alice")
    await w.call("GET", "/v2/notification?limit=100", auth="bob")
    await w.call("GET", f"{GROUP}/{gid}/user", auth="carol")
    await w.call("POST", f"{GROUP}/{gid}/promote?{users(w, 'carol')}", auth="alice")
    await w.call("GET", f"{GROUP}/{gid}/user?state=3", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/add?{users(w, 'carol')}", auth="bob")
    await w.call("GET", f"{GROUP}/{gid}/user", auth="alice")
    await w.call("GET", "/v2/notification?limit=100", auth="carol")
    await w.call("GET", f"/v2/user/{w.user('carol').user_id}/group", auth="alice")


@social_case("groups: who may kick, update, delete, promote and demote")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol", "dave")
    gid = await create(w, "alice", {"name": clan(w), "open": True})
    for role in ("bob", "carol", "dave"):
        await w.call("POST", f"{GROUP}/{gid}/join", auth=role, record=False)
    await w.call("POST", f"{GROUP}/{gid}/kick?{users(w, 'dave')}", auth="carol")
    await w.call("POST", f"{GROUP}/{gid}/promote?{users(w, 'carol')}", auth="carol")
    await w.call("POST", f"{GROUP}/{gid}/promote?{users(w, 'bob')}", auth="alice")
    await w.call("DELETE", f"{GROUP}/{gid}", auth="bob")
    await w.call("POST", f"{GROUP}/{gid}/kick?{users(w, 'alice')}", auth="bob")
    await w.call("POST", f"{GROUP}/{gid}/ban?{users(w, 'alice')}", auth="bob")
    await w.call("POST", f"{GROUP}/{gid}/promote?{users(w, 'carol')}", auth="bob")
    await w.call("POST", f"{GROUP}/{gid}/demote?{users(w, 'carol')}", auth="bob")
    await w.call("POST", f"{GROUP}/{gid}/promote?{users(w, 'bob')}", auth="alice")
    await w.call("GET", f"{GROUP}/{gid}/user", auth="dave")
    await w.call("POST", f"{GROUP}/{gid}/demote?{users(w, 'bob', 'alice')}", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/kick?{users(w, 'dave')}", auth="bob")
    await w.call("GET", f"{GROUP}/{gid}/user", auth="dave")


@social_case("groups: full groups, bans, leaving, the last superadmin, deleting")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol", "dave")
    gid = await create(w, "alice", {"name": clan(w), "max_count": 3, "open": True})
    await w.call("POST", f"{GROUP}/{gid}/add?{users(w, 'bob', 'carol', 'dave')}", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/add?{users(w, 'bob', 'carol')}", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/join", auth="dave")
    await w.call("POST", f"{GROUP}/{gid}/join", auth="bob")
    await w.call("POST", f"{GROUP}/{gid}/ban?{users(w, 'carol', 'dave')}", auth="alice")
    await w.call("GET", f"{GROUP}/{gid}/user", auth="alice")
    await w.call("GET", f"{GROUP}/{gid}/user?state=4", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/join", auth="carol")
    await w.call("GET", f"/v2/user/{w.user('carol').user_id}/group", auth="carol")
    await w.call("POST", f"{GROUP}/{gid}/leave", auth="carol")
    await w.call("POST", f"{GROUP}/{gid}/leave", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/demote", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/kick", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/leave", auth="bob")
    await w.call("GET", f"{GROUP}?name={clan(w)}", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/leave", auth="alice")  # the last one out
    await w.call("GET", f"{GROUP}?name={clan(w)}", auth="alice")
    await w.call("GET", f"{GROUP}/{gid}/user", auth="alice")


@social_case("groups: list by name, one a page by default, cursors, filters that clash")
async def _(w: Wire) -> None:
    await logins(w, "alice")
    for label in ("a", "b", "c"):
        await create(w, "alice", {"name": clan(w, label)}, record=False)
    first = (await w.call("GET", f"{GROUP}?name={clan(w, '')}%25", auth="alice")).json()
    await w.call("GET", f"{GROUP}?name={clan(w, '')}%25&cursor={first['cursor']}", auth="alice")
    await w.call("GET", f"{GROUP}?name=%25%20{clan(w, '')}%25&limit=5", auth="alice")
    await w.call("GET", f"{GROUP}?name={clan(w, 'b').upper()}", auth="alice")
    for query in ("?name=x&open=true", "?name=x&lang_tag=en", "?name=x&members=3",
                  "?limit=0", "?limit=101", "?members=x", "?open=maybe"):  # fmt: skip
        await w.call("GET", GROUP + query, auth="alice")
    await w.call("GET", f"/v2/user/{w.user('alice').user_id}/group?limit=2", auth="alice")


@social_case("groups: member and user-group lists: bad ids, cursors, states, limits")
async def _(w: Wire) -> None:
    await logins(w, "alice", "bob", "carol")
    gid = await create(w, "alice", {"name": clan(w), "open": True})
    for role in ("bob", "carol"):
        await w.call("POST", f"{GROUP}/{gid}/join", auth=role, record=False)
    page = (await w.call("GET", f"{GROUP}/{gid}/user?limit=2", auth="alice")).json()
    await w.call("GET", f"{GROUP}/{gid}/user?limit=2&cursor={page['cursor']}", auth="alice")
    await w.call("GET", f"{GROUP}/{gid}/user?state=0&cursor={page['cursor']}", auth="alice")
    for query in ("?cursor=zzz", "?state=5", "?state=-1", "?limit=101", "?limit=0"):
        await w.call("GET", f"{GROUP}/{gid}/user{query}", auth="alice")
        await w.call("GET", f"/v2/user/{w.user('alice').user_id}/group{query}", auth="alice")
    for path in (f"{GROUP}/xyz/user", f"{GROUP}/{UNKNOWN}/user", "/v2/user/xyz/group",
                 f"/v2/user/{UNKNOWN}/group"):  # fmt: skip
        await w.call("GET", path, auth="alice")
    for action in ("join", "leave", "add", "kick", "promote", "demote", "ban"):
        await w.call("POST", f"{GROUP}/xyz/{action}", auth="alice")
        await w.call("POST", f"{GROUP}/{UNKNOWN}/{action}?user_ids={UNKNOWN}", auth="bob")
        await w.call("POST", f"{GROUP}/{gid}/{action}?user_ids=xyz", auth="alice")
    await w.call("POST", f"{GROUP}/{gid}/add?user_ids={UNKNOWN}", auth="alice")
    await w.call("PUT", f"{GROUP}/xyz", json={"name": "x"}, auth="alice")
    await w.call("DELETE", f"{GROUP}/{UNKNOWN}", auth="alice")


@social_case("groups: a malformed list cursor", deliberate="nakama-500")
async def _(w: Wire) -> None:
    await logins(w, "alice")
    await w.call("GET", f"{GROUP}?cursor=zzz", auth="alice")
