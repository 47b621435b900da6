"""Record what the reference server answers to each request the client builds.

    python -m tests.samples.record     # rewrites tests/samples/recorded/ (see README.md)

Every request comes from ``gameservices._protocol.api`` (the client's builders) and is sent over
plain aiohttp to a ``ReferenceServer`` on 127.0.0.1 with a fixed clock and token secret. The
only randomness the server draws, ``uuid.uuid4`` (user ids and token ids), is seeded while
recording, so every run gives the same bytes and the live test compares them exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from yarl import URL

from gameservices._protocol import api, storage
from gameservices._protocol.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from gameservices._protocol.jwt import decode_claims
from gameservices.server import ServerConfig
from gameservices.server.ratelimit import RateLimit
from gameservices.testing import ReferenceServer

from .record_social import HTTP_KEY, RPC, TOURNAMENT, record_play, record_social

RECORDED = Path(__file__).parent / "recorded"
KEY = "defaultkey"
SECRET = "samples-token-secret-0123456789abcdef"
NOW = 1_800_000_000.0
ASSETS = {"a.bin": bytes(range(256)), "levels/level 2.pak": b"level two " * 50}
# The response headers a client reads; Server, Content-Length and the like are left out.
KEPT_HEADERS = (
    "Content-Type",
    "Date",
    "ETag",
    "Cache-Control",
    "Retry-After",
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
)


def _now() -> float:
    return NOW


@dataclass(frozen=True)
class Exchange:
    """One request as the client built it, and the server's answer, as stored on disk."""

    case: str
    request: dict[str, Any]  # method, path, query, headers (without Authorization), auth, body
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _request_record(req: api.Request, auth: str | None) -> dict[str, Any]:
    """``auth``: the Authorization scheme sent ("basic", "bearer"), None for none."""
    headers = {k: v for k, v in req.headers.items() if k != "Authorization"}
    body = None if req.body is None else json.loads(req.body)
    return {
        "method": req.method,
        "path": req.path,
        "query": [list(pair) for pair in req.query],
        "headers": headers,
        "auth": auth,
        "body": body,
    }


class _Recorder:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base
        self.exchanges: list[Exchange] = []

    async def send(self, case: str, req: api.Request, token: str | None = None) -> Exchange:
        # The client's own URL rule (Client._resend): the path is quoted already.
        query = "?" + urlencode(req.query, quote_via=quote) if req.query else ""
        url = URL(self.base + req.path + query, encoded=True)
        headers = dict(req.headers)
        auth = "basic" if "Authorization" in headers else None
        if req.auth == "bearer" and token is not None:
            headers["Authorization"] = f"Bearer {token}"
            auth = "bearer"
        async with self.http.request(req.method, url, headers=headers, data=req.body) as resp:
            body = await resp.read()
            kept = {h: resp.headers[h] for h in KEPT_HEADERS if h in resp.headers}
        exchange = Exchange(case, _request_record(req, auth), resp.status, kept, body)
        self.exchanges.append(exchange)
        return exchange

    async def get(self, case: str, path: str) -> Exchange:
        return await self.send(case, api.Request("GET", path))


async def _accounts(r: _Recorder) -> dict[str, dict[str, str]]:
    """Log three players in; their session bodies by username."""
    ada = await r.send(
        "authenticate_device_created",
        api.authenticate_device(KEY, "device-sample-0001", username="ada"),
    )
    await r.send("authenticate_device_existing", api.authenticate_device(KEY, "device-sample-0001"))
    bob = await r.send(
        "authenticate_custom_created",
        api.authenticate_custom(KEY, "custom-0002", username="bob", vars={"platform": "linux"}),
    )
    carol = await r.send(
        "authenticate_email_created",
        api.authenticate_email(KEY, "carol@example.com", "correct horse", username="carol"),
    )
    return {"ada": ada.json(), "bob": bob.json(), "carol": carol.json()}


async def _leaderboards(r: _Recorder, tokens: Mapping[str, str]) -> None:
    ada, bob, carol = tokens["ada"], tokens["bob"], tokens["carol"]
    first = api.write_record(
        "weekly", 1200, subscore=3, metadata={"lvl": 2}, idempotency_key="sample-key-0001"
    )
    record = await r.send("write_record", first, ada)
    await r.send("write_record_replayed", first, ada)
    bob_record = await r.send(
        "write_record_zero_score", api.write_record("weekly", 0, idempotency_key="key-0002"), bob
    )
    incr = api.write_record("kills", 5, operator="incr", idempotency_key="sample-key-0003")
    await r.send("write_record_increment", incr, carol)
    bob_id = bob_record.json()["owner_id"]
    assert record.json()["owner_id"] != bob_id
    page = await r.send(
        "list_records", api.list_records("weekly", limit=1, owner_ids=[bob_id]), ada
    )
    cursor = page.json()["next_cursor"]
    await r.send("list_records_next_page", api.list_records("weekly", limit=1, cursor=cursor), ada)
    await r.send("list_records_empty", api.list_records("alltime"), ada)
    await r.send("list_records_around", api.list_records_around("weekly", bob_id, limit=3), ada)
    await r.send("delete_record", api.delete_record("weekly", idempotency_key="key-0004"), bob)


async def _errors(r: _Recorder, tokens: Mapping[str, str], carol: Mapping[str, str]) -> None:
    ada = tokens["ada"]
    await r.send("error_unknown_board", api.write_record("nope", 1, idempotency_key="k-5"), ada)
    conflict = api.write_record("weekly", 7, idempotency_key="sample-key-0001")
    await r.send("error_idempotency_key_reused", conflict, ada)
    big = api.write_record("weekly", 1, metadata={"blob": "x" * 16_400}, idempotency_key="k-6")
    await r.send("error_metadata_too_large", big, ada)
    await r.send("error_device_id_too_short", api.authenticate_device(KEY, "short"))
    unknown = api.authenticate_custom(KEY, "custom-nobody", create=False)
    await r.send("error_unknown_account", unknown)
    wrong = api.authenticate_email(KEY, "carol@example.com", "wrong password")
    await r.send("error_wrong_password", wrong)
    taken = api.authenticate_device(KEY, "device-sample-0009", username="ada")
    await r.send("error_username_taken", taken)
    await r.send("logout", api.logout(carol["token"], carol["refresh_token"]), carol["token"])
    await r.send("error_token_revoked", api.list_records("weekly"), carol["token"])


async def _storage(r: _Recorder, sessions: Mapping[str, Mapping[str, str]]) -> None:
    ada, bob = sessions["ada"]["token"], sessions["bob"]["token"]
    ada_id = decode_claims(ada).user_id
    save = storage.StorageWrite("saves", "slot1", {"level": 3, "hp": 9.5}, permission_read=2)
    other = storage.StorageWrite("saves", "slot2", {"level": 1})
    acks = await r.send("storage_write", storage.write_objects([save, other]), ada)
    again = storage.StorageWrite("saves", "slot1", {"level": 4}, version="*")
    await r.send("error_storage_version_conflict", storage.write_objects([again]), ada)
    ids = [storage.StorageId("saves", "slot1"), storage.StorageId("saves", "slot2")]
    await r.send("storage_read", storage.read_objects(ids, ada_id), ada)
    await r.send("storage_read_public", storage.read_objects(ids, ada_id), bob)
    page = await r.send("storage_list", storage.list_objects("saves", user_id=ada_id, limit=1), ada)
    cursor = page.json()["cursor"]
    after = storage.list_objects("saves", user_id=ada_id, limit=1, cursor=cursor)
    await r.send("storage_list_next_page", after, ada)
    await r.send("storage_list_empty", storage.list_objects("nothing"), ada)
    version = acks.json()["acks"][1]["version"]
    gone = [storage.StorageId("saves", "slot2", version=version)]
    await r.send("storage_delete", storage.delete_objects(gone), ada)
    await r.send("error_storage_delete_missing", storage.delete_objects(gone), ada)


async def _record_main(base: str) -> list[Exchange]:
    async with aiohttp.ClientSession() as http:
        r = _Recorder(http, base)
        sessions = await _accounts(r)
        tokens = {name: body["token"] for name, body in sessions.items()}
        await _leaderboards(r, tokens)
        refresh = api.refresh_session(KEY, sessions["ada"]["refresh_token"])
        await r.send("refresh_session", refresh)
        await _storage(r, sessions)
        await record_social(r, tokens)
        await record_play(r, tokens)
        await _errors(r, tokens, sessions["carol"])
        await r.get("asset_manifest", "/assets/manifest.json")
        return r.exchanges


async def _record_rate_limited(base: str) -> list[Exchange]:
    async with aiohttp.ClientSession() as http:
        r = _Recorder(http, base)
        await r.send("-", api.authenticate_device(KEY, "device-sample-0001"))  # takes the token
        await r.send("error_rate_limited", api.authenticate_device(KEY, "device-sample-0001"))
        return r.exchanges[1:]


def _config() -> ServerConfig:
    return ServerConfig(
        clock=_now, token_secret=SECRET, tournaments=(TOURNAMENT,), rpc=RPC, http_key=HTTP_KEY
    )


def put_assets(root: Path) -> None:
    """The asset folder the recording serves (blocking: call it off the event loop)."""
    for name, data in ASSETS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


@contextlib.contextmanager
def _seeded_uuid4(seed: int = 10) -> Iterator[None]:
    """Version-4 uuids from a seeded source: the same ids, tokens and bodies on every run."""
    source, original = random.Random(seed), uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=source.getrandbits(128), version=4)
    try:
        yield
    finally:
        uuid.uuid4 = original


async def record_all(assets_dir: Path) -> list[Exchange]:
    """Every exchange, on fresh servers (``assets_dir`` holds ``put_assets``' files)."""
    with _seeded_uuid4():
        async with ReferenceServer(_config(), assets_dir=assets_dir) as server:
            exchanges = await _record_main(server.url)
        limited = RateLimit(rate_per_s=0.5, burst=1)
        async with ReferenceServer(_config(), rate_limit=limited) as server:
            exchanges += await _record_rate_limited(server.url)
    return exchanges


# --- on disk: recorded/<case>/request.json, headers.json and <status>.json (the body as sent)


def save(exchanges: list[Exchange], folder: Path = RECORDED) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for ex in exchanges:
        case = folder / ex.case
        case.mkdir(parents=True)
        (case / "request.json").write_text(json.dumps(ex.request, indent=1) + "\n", "utf-8")
        (case / "headers.json").write_text(json.dumps(ex.headers, indent=1) + "\n", "utf-8")
        (case / f"{ex.status}.json").write_bytes(ex.body)


def load(folder: Path = RECORDED) -> list[Exchange]:
    """The stored exchanges, sorted by case name (blocking)."""
    return [_load_case(case) for case in sorted(folder.iterdir()) if case.is_dir()]


def _load_case(case: Path) -> Exchange:
    (body_file,) = (p for p in case.iterdir() if p.name[:3].isdigit())
    request = json.loads((case / "request.json").read_text("utf-8"))
    headers = json.loads((case / "headers.json").read_text("utf-8"))
    return Exchange(case.name, request, int(body_file.stem), headers, body_file.read_bytes())


def main() -> int:
    with tempfile.TemporaryDirectory() as assets:
        put_assets(Path(assets))
        exchanges = asyncio.run(record_all(Path(assets)))
    save(exchanges)
    print(f"recorded {len(exchanges)} exchanges in {RECORDED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
