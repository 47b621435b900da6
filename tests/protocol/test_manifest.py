"""Manifest parsing: validation messages, name safety (one test per escape form), URLs."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

from gameservices import ProtocolError
from gameservices._protocol.manifest import check_name, parse_manifest

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
