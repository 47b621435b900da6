"""The asset host: manifest, validators, ranges, path safety and the hash cache."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
import yarl
from aiohttp import web
from aiohttp.test_utils import TestClient

import gameservices
from gameservices.server import assets as assets_module
from gameservices.server.asset_index import (
    CACHE_NAME,
    AssetIndex,
    build_index,
    scan,
    sha256_file,
)
from gameservices.server.assets import ASSET_STATS, AssetHost, setup_assets
from gameservices.testing import ReferenceServer

Client = TestClient[web.Request, web.Application]
MakeClient = Callable[..., Awaitable[Client]]

A_BIN = bytes(range(256)) * 40  # 10240 bytes
LEVEL = b"level two data " * 100
SECRET = b"top secret, outside DIR"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    assets = tmp_path / "assets"
    (assets / "levels").mkdir(parents=True)
    (assets / "a.bin").write_bytes(A_BIN)
    (assets / "levels" / "level 2.pak").write_bytes(LEVEL)
    (assets / ".hidden").write_bytes(b"not listed")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    return assets


@pytest.fixture
def make_client(aiohttp_client: Callable[..., Awaitable[Client]]) -> MakeClient:
    async def make(assets_dir: Path | None) -> Client:
        app = web.Application()
        setup_assets(app, assets_dir)
        return await aiohttp_client(app)

    return make


async def test_manifest_lists_files_with_hashes_and_relative_urls(
    root: Path, make_client: MakeClient
) -> None:
    client = await make_client(root)
    resp = await client.get("/assets/manifest.json")
    assert resp.status == 200
    assert resp.content_type == "application/json"
    doc = await resp.json()
    assert set(doc) == {"version", "assets"}
    assert len(doc["version"]) == 32
    assert doc["assets"] == [
        {
            "name": "a.bin",
            "size": len(A_BIN),
            "sha256": hashlib.sha256(A_BIN).hexdigest(),
            "etag": f'"{hashlib.sha256(A_BIN).hexdigest()}"',
            "url": "a.bin",
        },
        {
            "name": "levels/level 2.pak",
            "size": len(LEVEL),
            "sha256": hashlib.sha256(LEVEL).hexdigest(),
            "etag": f'"{hashlib.sha256(LEVEL).hexdigest()}"',
            "url": "levels/level%202.pak",
        },
    ]
    served = await client.get("/assets/" + doc["assets"][1]["url"])
    assert await served.read() == LEVEL


async def test_manifest_etag_gives_304_and_changes_with_content(
    root: Path, make_client: MakeClient
) -> None:
    client = await make_client(root)
    first = await client.get("/assets/manifest.json")
    version = (await first.json())["version"]
    again = await client.get(
        "/assets/manifest.json", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status == 304
    await asyncio.to_thread((root / "new.txt").write_bytes, b"fresh")
    changed = await client.get(
        "/assets/manifest.json", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status == 200
    doc = await changed.json()
    assert doc["version"] != version
    assert "new.txt" in [a["name"] for a in doc["assets"]]


async def test_no_assets_dir_answers_404_error_body(make_client: MakeClient) -> None:
    client = await make_client(None)
    resp = await client.get("/assets/manifest.json")
    assert resp.status == 404
    assert await resp.json() == {"code": 5, "message": "No assets are configured."}
    assert (await client.get("/assets/a.bin")).status == 404


async def test_file_has_validators_and_counts_bytes(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    resp = await client.get("/assets/a.bin")
    assert resp.status == 200
    assert await resp.read() == A_BIN
    assert resp.headers["ETag"] == f'"{hashlib.sha256(A_BIN).hexdigest()}"'
    assert resp.headers["Last-Modified"].endswith(" GMT")
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.headers["Content-Length"] == str(len(A_BIN))
    assert client.app[ASSET_STATS].bytes_sent["a.bin"] == len(A_BIN)


async def test_head_sends_headers_only(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    resp = await client.head("/assets/a.bin")
    assert resp.status == 200
    assert resp.headers["Content-Length"] == str(len(A_BIN))
    assert await resp.read() == b""
    assert client.app[ASSET_STATS].bytes_sent["a.bin"] == 0


async def test_if_none_match_gives_304(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    etag = (await client.get("/assets/a.bin")).headers["ETag"]
    resp = await client.get("/assets/a.bin", headers={"If-None-Match": f'"other", {etag}'})
    assert resp.status == 304
    assert await resp.read() == b""
    assert resp.headers["ETag"] == etag


@pytest.mark.parametrize(
    ("header", "content_range", "body"),
    [
        ("bytes=100-199", "bytes 100-199/10240", A_BIN[100:200]),
        ("bytes=10000-", "bytes 10000-10239/10240", A_BIN[10000:]),
        ("bytes=-16", "bytes 10224-10239/10240", A_BIN[-16:]),
        ("bytes=10230-99999", "bytes 10230-10239/10240", A_BIN[10230:]),
    ],
)
async def test_range_gives_206_with_exact_body(
    root: Path, make_client: MakeClient, header: str, content_range: str, body: bytes
) -> None:
    client = await make_client(root)
    resp = await client.get("/assets/a.bin", headers={"Range": header})
    assert resp.status == 206
    assert resp.headers["Content-Range"] == content_range
    assert await resp.read() == body
    assert client.app[ASSET_STATS].bytes_sent["a.bin"] == len(body)


async def test_if_range_with_current_etag_gives_206(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    etag = (await client.head("/assets/a.bin")).headers["ETag"]
    resp = await client.get("/assets/a.bin", headers={"Range": "bytes=5-9", "If-Range": etag})
    assert resp.status == 206
    assert await resp.read() == A_BIN[5:10]


async def test_if_range_with_stale_etag_gives_full_200(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    headers = {"Range": "bytes=5-9", "If-Range": '"stale"'}
    resp = await client.get("/assets/a.bin", headers=headers)
    assert resp.status == 200
    assert "Content-Range" not in resp.headers
    assert await resp.read() == A_BIN


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
async def test_unsatisfiable_range_gives_416(
    root: Path, make_client: MakeClient, header: str
) -> None:
    client = await make_client(root)
    resp = await client.get("/assets/a.bin", headers={"Range": header})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == "bytes */10240"
    assert (await resp.json())["code"] == 11


async def test_multi_range_gives_full_200(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    resp = await client.get("/assets/a.bin", headers={"Range": "bytes=0-1,5-6"})
    assert resp.status == 200
    assert await resp.read() == A_BIN


async def test_changed_file_is_served_with_a_fresh_etag(
    root: Path, make_client: MakeClient
) -> None:
    client = await make_client(root)
    old = (await client.head("/assets/a.bin")).headers["ETag"]
    await asyncio.to_thread((root / "a.bin").write_bytes, b"replaced")
    resp = await client.get("/assets/a.bin", headers={"Range": "bytes=0-3", "If-Range": old})
    assert resp.status == 200  # If-Range no longer holds: the whole new file
    assert await resp.read() == b"replaced"
    assert resp.headers["ETag"] == f'"{hashlib.sha256(b"replaced").hexdigest()}"'


async def test_file_shrinking_mid_send_ends_the_connection(
    root: Path, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await make_client(root)
    monkeypatch.setattr(assets_module, "CHUNK_SIZE", 4096)
    reads: list[int] = []
    real_read_at = assets_module._read_at

    def shrinking_read_at(path: Path, offset: int, size: int) -> bytes:
        reads.append(offset)
        return real_read_at(path, offset, size) if len(reads) == 1 else b""

    monkeypatch.setattr(assets_module, "_read_at", shrinking_read_at)
    resp = await client.get("/assets/a.bin")
    with pytest.raises(aiohttp.ClientPayloadError):
        await resp.read()
    assert reads == [0, 4096]


# --- path safety: one test per form; the request line is sent raw so no client normalises it.


async def raw_get(client: Client, target: str) -> tuple[int, bytes]:
    """Send ``GET target`` exactly as written and return (status, whole response)."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(data.split(b" ", 2)[1]), data


@pytest.mark.parametrize(
    "target",
    [
        "/assets/../secret.txt",
        "/assets/levels/../../secret.txt",
        "/assets/%2e%2e/secret.txt",
        "/assets/%2E%2E%2Fsecret.txt",
    ],
    ids=["dotdot", "nested-dotdot", "encoded-dotdot", "encoded-slash"],
)
async def test_dotdot_escape_is_404(root: Path, make_client: MakeClient, target: str) -> None:
    client = await make_client(root)
    status, data = await raw_get(client, target)
    assert status == 404
    assert SECRET not in data


async def test_absolute_path_is_404(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    secret = root.parent / "secret.txt"
    status, data = await raw_get(client, f"/assets/{secret}")
    assert status == 404
    assert SECRET not in data
    status, data = await raw_get(client, "/assets/%2F" + str(secret).lstrip("/"))
    assert status == 404
    assert SECRET not in data


async def test_backslash_escape_is_404(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    status, data = await raw_get(client, "/assets/..%5Csecret.txt")
    assert status == 404
    assert SECRET not in data


async def test_nul_byte_is_404(root: Path, make_client: MakeClient) -> None:
    client = await make_client(root)
    status, _ = await raw_get(client, "/assets/a.bin%00.txt")
    assert status == 404


async def test_symlink_pointing_out_is_404_and_unlisted(
    root: Path, make_client: MakeClient
) -> None:
    await asyncio.to_thread((root / "link.txt").symlink_to, root.parent / "secret.txt")
    await asyncio.to_thread((root / "alias.bin").symlink_to, root / "a.bin")  # inside DIR: fine
    client = await make_client(root)
    names = [
        a["name"] for a in (await (await client.get("/assets/manifest.json")).json())["assets"]
    ]
    assert "link.txt" not in names
    assert "alias.bin" in names
    status, data = await raw_get(client, "/assets/link.txt")
    assert status == 404
    assert SECRET not in data
    assert await (await client.get("/assets/alias.bin")).read() == A_BIN


async def test_file_swapped_for_escaping_symlink_after_startup_is_404(
    root: Path, make_client: MakeClient
) -> None:
    client = await make_client(root)
    await asyncio.to_thread((root / "a.bin").unlink)
    await asyncio.to_thread((root / "a.bin").symlink_to, root.parent / "secret.txt")
    status, data = await raw_get(client, "/assets/a.bin")
    assert status == 404
    assert SECRET not in data


async def test_rebuilds_waiting_on_a_scan_share_the_next_one(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()
    entered = asyncio.Event()
    release = threading.Event()
    scans: list[Path] = []

    def gated_scan(path: Path) -> AssetIndex:
        scans.append(path)
        loop.call_soon_threadsafe(entered.set)
        release.wait(timeout=10)
        return build_index({})

    monkeypatch.setattr(assets_module, "scan", gated_scan)
    host = AssetHost(root, None)
    first = asyncio.ensure_future(host.rebuild())
    await entered.wait()  # the first scan is running
    waiters = [asyncio.ensure_future(host.rebuild()) for _ in range(5)]
    await asyncio.sleep(0)  # let them queue on the lock
    release.set()
    await asyncio.gather(first, *waiters)
    assert len(scans) == 2  # the first, and one more for everyone who arrived during it


# --- the hash cache


def test_rescan_reuses_cached_hashes(root: Path) -> None:
    hashed: list[Path] = []

    def counting(path: Path) -> str:
        hashed.append(path)
        return sha256_file(path)

    first = scan(root, counting)
    assert len(hashed) == 2
    assert (root / CACHE_NAME).is_file()
    assert CACHE_NAME not in first.entries
    hashed.clear()
    second = scan(root, counting)  # a restart: nothing changed, nothing read
    assert hashed == []
    assert second.body == first.body
    (root / "a.bin").write_bytes(b"changed")
    os.utime(root / "a.bin", ns=(1, 1))
    third = scan(root, counting)
    assert [p.name for p in hashed] == ["a.bin"]
    assert third.entries["a.bin"].sha256 == hashlib.sha256(b"changed").hexdigest()
    assert third.version != first.version


def test_scan_rejects_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        scan(tmp_path / "missing")


# --- the publishing script in docs/assets-hosting.md


def test_docs_manifest_script_matches_the_server(root: Path, tmp_path: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "assets-hosting.md").read_text("utf-8")
    script = doc.split("<!-- make-manifest -->\n```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "make_manifest.py").write_text(script)
    served = json.loads(scan(root).body)  # also leaves the hidden hash cache, which is skipped
    subprocess.run([sys.executable, str(tmp_path / "make_manifest.py"), str(root)], check=True)
    published = json.loads((root / "manifest.json").read_text())
    for entry in served["assets"]:
        del entry["etag"]
    assert published == served


# --- through the real server


async def test_reference_server_hosts_assets_and_counts_bytes(root: Path) -> None:
    async with ReferenceServer(assets_dir=root) as server, aiohttp.ClientSession() as http:
        manifest = await (await http.get(server.url + "/assets/manifest.json")).json()
        entry = next(a for a in manifest["assets"] if a["name"] == "a.bin")
        url = str(yarl.URL(server.url + "/assets/manifest.json").join(yarl.URL(entry["url"])))
        resp = await http.get(url, headers={"Range": "bytes=10-", "If-Range": entry["etag"]})
        assert resp.status == 206
        assert await resp.read() == A_BIN[10:]
        assert server.asset_stats.bytes_sent["a.bin"] == len(A_BIN) - 10


# --- names the client refuses: left out, never served, never break the rest

UNSAFE = ["levels/a:b.pak", "x.part", "back\\slash.pak", "ctl\x01.pak", "del\x7f.pak"]


@pytest.fixture
def unsafe_root(root: Path) -> Path:
    for name in UNSAFE:
        (root / name).write_bytes(b"refused by every client")
    os.close(os.open(os.fsencode(root) + b"/not-utf8-\xff.pak", os.O_CREAT | os.O_WRONLY, 0o600))
    return root


async def test_unsafe_names_are_left_out_and_the_client_syncs_the_rest(
    unsafe_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dest = tmp_path / "dest"
    with caplog.at_level(logging.WARNING, logger="gameservices.server"):
        async with ReferenceServer(assets_dir=unsafe_root) as server:
            async with gameservices.Client(server.url) as client:
                result = await client.assets.sync(dest)
            async with aiohttp.ClientSession() as http:
                statuses = [
                    (await http.get(f"{server.url}/assets/{quote(name)}")).status for name in UNSAFE
                ]
    assert result.ok
    assert sorted(result.downloaded) == ["a.bin", "levels/level 2.pak"]
    assert statuses == [404] * len(UNSAFE)
    warnings = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    scans = 2  # at startup, and for the client's manifest request
    for name in UNSAFE:
        assert sum(repr(name) in w for w in warnings) == scans, name
    assert sum("not valid UTF-8" in w for w in warnings) == scans
    assert len(warnings) == scans * (len(UNSAFE) + 1)
    assert "levels/a:b.pak" in next(w for w in warnings if "a:b" in w)  # names the file


def test_chunks_are_read_without_os_pread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.pread; a developer there still gets Range requests served."""
    monkeypatch.delattr(os, "pread", raising=False)
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 4)
    assert assets_module._read_at(path, 250, 10) == bytes(
        [250, 251, 252, 253, 254, 255, 0, 1, 2, 3]
    )
    assert assets_module._read_at(path, 1020, 10) == bytes([252, 253, 254, 255])
