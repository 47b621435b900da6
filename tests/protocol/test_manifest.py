"""Manifest parsing: validation messages, name safety (one test per escape form), URLs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from yarl import URL

from gameservices import ProtocolError
from gameservices._protocol.manifest import (
    Manifest,
    ManifestEntry,
    check_name,
    dump_manifest,
    is_safe_name,
    parse_manifest,
    relative_url,
)

BASE = "https://cdn.example/game/assets/manifest.json"
SHA = "ab" * 32


def doc(**entry: Any) -> dict[str, Any]:
    return {"version": "v1", "assets": [{"name": "a.pak", "size": 3, "sha256": SHA, **entry}]}


def test_parses_a_valid_manifest() -> None:
    m = parse_manifest(doc(etag='"e1"'), BASE)
    assert m.version == "v1"
    (e,) = m.entries
    assert (e.name, e.size, e.sha256, e.etag) == ("a.pak", 3, SHA, '"e1"')
    assert e.url == URL("https://cdn.example/game/assets/a.pak")
    assert m.get("a.pak") is e
    assert m.get("nope") is None
    assert m.total_size == 3
    assert m.names == ("a.pak",)


def test_relative_and_absolute_urls_resolve_against_the_manifest() -> None:
    rel = parse_manifest(doc(url="../blobs/x?sig=1"), BASE).entries[0]
    assert rel.url == URL("https://cdn.example/game/blobs/x?sig=1")
    absolute = parse_manifest(doc(url="https://s3.example/b/a.pak"), BASE).entries[0]
    assert absolute.url == URL("https://s3.example/b/a.pak")


def test_name_with_url_metacharacters_is_a_path_not_a_query() -> None:
    (e,) = parse_manifest(doc(name="dir/a b#1?.pak"), BASE).entries
    assert e.url.path == "/game/assets/dir/a b#1?.pak"
    assert e.url.query_string == ""
    assert e.url.fragment == ""


def test_sha256_is_optional_and_lowercased() -> None:
    assert parse_manifest(doc(sha256=None), BASE).entries[0].sha256 is None
    assert parse_manifest(doc(sha256="AB" * 32), BASE).entries[0].sha256 == SHA


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a JSON object"),
        ({"assets": []}, "'version' must be a string"),
        ({"version": "1"}, "'assets' must be a list"),
        ({"version": "1", "assets": ["x"]}, r"assets\[0\]: expected an object"),
        (doc(size=-1), "'size' must be an integer >= 0"),
        (doc(size=True), "'size' must be an integer >= 0"),
        (doc(sha256="xyz"), "'sha256' must be 64 hex digits"),
        (doc(url="ftp://x/y"), "must be http"),
        (doc(etag=5), "'etag' must be a header-safe string"),
    ],
)
def test_bad_manifests_say_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_manifest(data, BASE)


def test_duplicate_names_are_rejected() -> None:
    data = doc()
    data["assets"].append(dict(data["assets"][0]))
    with pytest.raises(ProtocolError, match=r"assets\[1\]: duplicate name 'a.pak'"):
        parse_manifest(data, BASE)


# Path escapes: one test per form. Each is rejected at parse time, before any byte is written.


def reject(name: str, why: str) -> None:
    with pytest.raises(ProtocolError, match=why):
        parse_manifest(doc(name=name), BASE)
    with pytest.raises(ValueError, match=why):
        check_name(name)


def test_dotdot_segment_is_rejected() -> None:
    reject("../outside.pak", "'..' segment")
    reject("levels/../../outside.pak", "'..' segment")


def test_absolute_path_is_rejected() -> None:
    reject("/etc/passwd", "absolute path")


def test_drive_letter_is_rejected() -> None:
    reject("C:/Windows/evil.dll", "drive letter")
    reject("C:evil.dll", "drive letter")


def test_backslash_is_rejected() -> None:
    reject("..\\outside.pak", "backslash")


def test_nul_byte_is_rejected() -> None:
    reject("a.pak\x00.txt", "NUL")


def test_empty_segment_is_rejected() -> None:
    reject("levels//a.pak", "empty segment")
    reject("levels/", "empty segment")


def test_dot_segment_is_rejected() -> None:
    reject("./a.pak", "'.' segment")


def test_empty_name_is_rejected() -> None:
    reject("", "non-empty")


def test_downloader_file_names_are_reserved() -> None:
    reject("a.pak.part", "reserved")
    reject("x/.gameservices-downloads.json", "reserved")


def test_safe_nested_names_pass() -> None:
    assert check_name("levels/w1/level2.pak") == "levels/w1/level2.pak"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("a.bin", True),
        ("levels/level 2.pak", True),
        ("..", False),
        ("a/../b", False),
        ("/etc/passwd", False),
        ("C:/x", False),
        ("c:x", False),
        ("a\\b", False),
        ("a\x00b", False),
        ("a//b", False),
        ("./a", False),
        ("", False),
    ],
)
def test_is_safe_name(name: str, safe: bool) -> None:
    assert is_safe_name(name) is safe


# --- dump_manifest: what a publisher writes, parse_manifest reads back


def test_dump_then_parse_gives_the_entries_back() -> None:
    names = ["a.pak", "levels/level 2.pak", "odd?#%.bin", "ünï/cödé.pak"]
    entries = tuple(
        ManifestEntry(n, i, SHA if i else None, relative_url(n), f'"{i}"' if i else None)
        for i, n in enumerate(names)
    )
    body = dump_manifest(Manifest("v9", entries))
    parsed = parse_manifest(json.loads(body), BASE)
    assert parsed.version == "v9"
    assert parsed.names == tuple(names)
    for sent, got in zip(entries, parsed.entries, strict=True):
        assert (got.size, got.sha256, got.etag) == (sent.size, sent.sha256, sent.etag)
        assert got.url == URL(BASE).join(sent.url)
        assert got.url.path == "/game/assets/" + sent.name  # '?', '#' and '%' stay in the path


@pytest.mark.parametrize("name", ["levels/a:b.pak", "x.part", "a\\b", "../up", "a\x7fb"])
def test_dump_refuses_a_name_the_client_would_refuse(name: str) -> None:
    entry = ManifestEntry(name, 1, None, URL("x", encoded=True))
    with pytest.raises(ValueError, match="asset"):
        dump_manifest(Manifest("v1", (entry,)))


def test_dump_refuses_a_name_listed_twice() -> None:
    entry = ManifestEntry("a.pak", 1, None, relative_url("a.pak"))
    with pytest.raises(ValueError, match="twice"):
        dump_manifest(Manifest("v1", (entry, entry)))
