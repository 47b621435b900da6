"""Storage objects through the public ``Client`` on both servers: write (unconditional, ``"*"``,
a version), read, list (own, another player's, everyone's public, cursors, the iterator),
delete, the permissions (read 0/1/2, write 0/1), batch atomicity and the error each refusal
raises. Every test uses fresh players and its own collection (a long-lived Nakama keeps
everything earlier runs wrote).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator

import pytest

from gameservices import (
    Client,
    Conflict,
    InvalidArgument,
    StorageId,
    StorageObject,
    StorageWrite,
)

from .support import Target, device_id

Pair = tuple[Client, Client]


def collection() -> str:
    return f"gs_{uuid.uuid4().hex[:16]}"


async def player(target: Target) -> Client:
    client = target.client()
    await client.__aenter__()
    await client.auth.device(device_id())
    return client


@pytest.fixture
async def two(target: Target) -> AsyncIterator[tuple[Client, Client]]:
    a, b = await player(target), await player(target)
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


def uid(client: Client) -> str:
    assert client.session is not None
    return client.session.user_id


def md5(value: dict[str, object]) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return hashlib.md5(text.encode()).hexdigest()


async def test_write_then_read_round_trips_the_value_and_its_version(two: Pair) -> None:
    a, _ = two
    col, value = collection(), {"level": 3, "name": "Zoë", "items": [1, 2.5, {"x": None}]}
    (ack,) = await a.storage.write([StorageWrite(col, "slot1", value, permission_read=2)])
    assert (ack.collection, ack.key, ack.user_id) == (col, "slot1", uid(a))
    assert ack.version == md5(value)  # Nakama's version: the md5 of the text as written
    assert ack.create_time is not None
    assert ack.create_time == ack.update_time
    (obj,) = await a.storage.read([StorageId(col, "slot1")])
    assert isinstance(obj, StorageObject)
    assert obj.value == value
    assert (obj.version, obj.user_id, obj.permission_read, obj.permission_write) == (
        ack.version,
        uid(a),
        2,
        1,
    )


async def test_star_writes_only_if_absent_and_a_stale_version_is_a_conflict(two: Pair) -> None:
    a, _ = two
    col = collection()
    (first,) = await a.storage.write([StorageWrite(col, "k", {"n": 1}, version="*")])
    with pytest.raises(Conflict) as star:
        await a.storage.write([StorageWrite(col, "k", {"n": 2}, version="*")])
    assert (star.value.status, star.value.code) == (400, 3)  # as Nakama says it
    assert "version check failed" in star.value.message
    (second,) = await a.storage.write([StorageWrite(col, "k", {"n": 2}, version=first.version)])
    with pytest.raises(Conflict):
        await a.storage.write([StorageWrite(col, "k", {"n": 3}, version=first.version)])
    with pytest.raises(Conflict):  # a version for an object that does not exist
        await a.storage.write([StorageWrite(col, "absent", {"n": 3}, version=second.version)])
    (obj,) = await a.storage.read([StorageId(col, "k")])
    assert (obj.value, obj.version) == ({"n": 2}, second.version)


async def test_a_write_permission_refusal_is_not_a_conflict(two: Pair) -> None:
    a, _ = two
    col = collection()
    (ack,) = await a.storage.write([StorageWrite(col, "locked", {"n": 1}, permission_write=0)])
    for version in (None, ack.version):
        with pytest.raises(InvalidArgument) as refused:
            await a.storage.write([StorageWrite(col, "locked", {"n": 2}, version=version)])
        assert not isinstance(refused.value, Conflict)
        assert "permission denied" in refused.value.message
    with pytest.raises(InvalidArgument):
        await a.storage.delete([StorageId(col, "locked")])
    (obj,) = await a.storage.read([StorageId(col, "locked")])
    assert obj.value == {"n": 1}


async def test_one_failed_check_fails_the_whole_batch(two: Pair) -> None:
    a, _ = two
    col = collection()
    await a.storage.write([StorageWrite(col, "taken", {"n": 1})])
    batch = [StorageWrite(col, "new", {"n": 1}), StorageWrite(col, "taken", {"n": 2}, version="*")]
    with pytest.raises(Conflict):
        await a.storage.write(batch)
    found = await a.storage.read([StorageId(col, "new"), StorageId(col, "taken")])
    assert [(o.key, o.value) for o in found] == [("taken", {"n": 1})]


async def test_an_identical_rewrite_changes_nothing(two: Pair) -> None:
    a, _ = two
    col = collection()
    (first,) = await a.storage.write([StorageWrite(col, "k", {"n": 1})])
    (again,) = await a.storage.write([StorageWrite(col, "k", {"n": 1})])
    assert (again.version, again.update_time) == (first.version, first.update_time)


async def test_reads_see_what_the_permissions_allow(two: Pair) -> None:
    a, b = two
    col = collection()
    writes = [StorageWrite(col, f"r{n}", {"read": n}, permission_read=n) for n in (0, 1, 2)]
    await a.storage.write(writes)
    ids = [StorageId(col, f"r{n}") for n in (0, 1, 2)]
    own = await a.storage.read(ids)
    assert sorted(o.key for o in own) == ["r1", "r2"]  # read 0: no client reads it
    others = [StorageId(col, f"r{n}", user_id=uid(a)) for n in (0, 1, 2)]
    assert [o.key for o in await b.storage.read(others)] == ["r2"]
    assert await b.storage.read(ids) == []  # b's own objects: none
    assert await a.storage.read([StorageId(col, "r2", user_id="")]) == []  # system-owned: none
    assert await a.storage.read([]) == []


async def test_listings_and_their_cursors(two: Pair) -> None:
    a, b = two
    col = collection()
    mine = [StorageWrite(col, f"k{n}", {"n": n}, permission_read=1 + n % 2) for n in range(5)]
    await a.storage.write(mine)
    await b.storage.write([StorageWrite(col, "b0", {"n": 9}, permission_read=2)])
    # one's own: read 1 before read 2, each by key
    page = await a.storage.list(col, user_id=uid(a), limit=2)
    assert [o.key for o in page.objects] == ["k0", "k2"]
    assert page.cursor
    rest = await a.storage.list(col, user_id=uid(a), limit=100, cursor=page.cursor)
    assert [o.key for o in rest.objects] == ["k4", "k1", "k3"]
    assert rest.cursor is None
    every = [o.key async for o in a.storage.iterate(col, user_id=uid(a), page_size=2)]
    assert every == ["k0", "k2", "k4", "k1", "k3"]
    # another player's: only the public ones, by key
    theirs = [o.key async for o in b.storage.iterate(col, user_id=uid(a), page_size=1)]
    assert theirs == ["k1", "k3"]
    # everyone's public objects in the collection, by key then owner
    public = [(o.key, o.user_id) async for o in b.storage.iterate(col, page_size=1)]
    assert public == sorted([("b0", uid(b)), ("k1", uid(a)), ("k3", uid(a))])
    assert (await a.storage.list(collection())).objects == ()


async def test_delete_own_objects_all_or_none(two: Pair) -> None:
    a, _ = two
    col = collection()
    acks = await a.storage.write([StorageWrite(col, k, {"k": k}) for k in ("a", "b", "c")])
    await a.storage.delete([StorageId(col, "a"), StorageId(col, "b", version=acks[1].version)])
    with pytest.raises(InvalidArgument):  # the missing "a" refuses the whole call
        await a.storage.delete([StorageId(col, "c"), StorageId(col, "a")])
    with pytest.raises(InvalidArgument):  # a version that is not the stored one
        await a.storage.delete([StorageId(col, "c", version=acks[0].version)])
    remaining = await a.storage.read([StorageId(col, k) for k in ("a", "b", "c")])
    assert [o.key for o in remaining] == ["c"]


async def test_bad_input_gets_a_typed_error_from_the_server(two: Pair) -> None:
    a, _ = two
    col = collection()
    with pytest.raises(InvalidArgument, match="Malformed cursor"):
        await a.storage.list(col, user_id=uid(a), cursor="not-a-cursor")
    with pytest.raises(InvalidArgument, match="Invalid user ID"):
        await a.storage.list(col, user_id="not-a-uuid")
    with pytest.raises(InvalidArgument, match="Invalid user ID"):
        await a.storage.read([StorageId(col, "k", user_id="not-a-uuid")])


async def test_user_ids_are_read_as_nakamas_go_uuid_library_reads_them(two: Pair) -> None:
    a, _ = two
    col, me = collection(), uid(a)
    plain = me.replace("-", "")
    for form in (me.upper(), plain, "{" + me + "}", "{" + plain + "}", "urn:uuid:" + me):
        assert await a.storage.read([StorageId(col, "k", user_id=form)]) == []
    # Python's uuid.UUID takes these; Go's does not
    for form in (plain[:4] + "-" + plain[4:], "URN:UUID:" + me, "urn:uuid:{" + me + "}"):
        with pytest.raises(InvalidArgument, match="Invalid user ID"):
            await a.storage.read([StorageId(col, "k", user_id=form)])


async def test_bad_arguments_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="Read permission"):
        StorageWrite("c", "k", {}, permission_read=3)
    with pytest.raises(ValueError, match="Write permission"):
        StorageWrite("c", "k", {}, permission_write=2)
    with pytest.raises(ValueError, match="must be set"):
        StorageWrite("", "k", {})
    with pytest.raises(TypeError, match="JSON object"):
        StorageWrite("c", "k", [1, 2])  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(TypeError, match="not JSON"):
        StorageWrite("c", "k", {"x": object()}).value_text()
