"""The asset manifest: parsing, building, validation, name safety and URL resolution (pure).

Wire format (served as ``{assets_url}manifest.json``)::

    {"version": "2024-06-01", "assets": [
        {"name": "levels/level2.pak", "size": 1048576, "sha256": "<64 hex>",
         "etag": "\\"abc\\"", "url": "level2.pak"}]}

Invariants:
- A parsed ``Manifest`` is frozen and every entry passed ``check_name``: the name is a relative
  POSIX path of plain segments, so ``dest_dir / name`` can never leave ``dest_dir`` lexically.
  (Symlinks are a runtime matter, checked by the downloader.)
- ``url`` is absolute (http or https): a relative ``url`` is resolved against the manifest's own
  URL; a missing one defaults to the name, relative to the manifest.
- ``sha256`` is lowercase hex or None; ``size`` is an int >= 0.
Every problem raises ``ProtocolError`` naming the manifest, the entry and the rule it broke: a
bad manifest is the publisher's fault, never the caller's.
- ``dump_manifest`` is the inverse, for publishers (the reference server): it writes each
  ``url`` as given (relative ones resolve against the manifest's URL) and refuses, with
  ``ValueError``, what ``parse_manifest`` would refuse by name, so one odd file can never make
  a client reject the whole manifest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from yarl import URL

from .._checks import is_int
from .._exceptions import ProtocolError
from .wire import dumps

__all__ = [
    "HASH_SIDECAR",
    "PART_SUFFIX",
    "Manifest",
    "ManifestEntry",
    "check_name",
    "dump_manifest",
    "is_safe_name",
    "parse_manifest",
    "relative_url",
]

PART_SUFFIX = ".part"
HASH_SIDECAR = ".gameservices-downloads.json"
MAX_NAME_LENGTH = 1024
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ManifestEntry:
    """One downloadable file: where it goes (``name``), what it must be, where it comes from
    (absolute once parsed; relative to the manifest is fine for ``dump_manifest``)."""

    name: str
    size: int
    sha256: str | None
    url: URL
    etag: str | None = None


@dataclass(frozen=True)
class Manifest:
    """A validated manifest: ``version`` and ``entries`` in publication order, names unique."""

    version: str
    entries: tuple[ManifestEntry, ...]

    def __iter__(self) -> Iterator[ManifestEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries)

    def get(self, name: str) -> ManifestEntry | None:
        return next((e for e in self.entries if e.name == name), None)

    @property
    def total_size(self) -> int:
        return sum(e.size for e in self.entries)


def check_name(name: object) -> str:
    """Return ``name`` if it is a safe relative path; raise ``ValueError`` saying why not.

    Rejected: empty names, NUL and control characters, backslashes, ``:`` (drive letters and
    NTFS streams), absolute paths, empty, ``.`` or ``..`` segments, and names that collide with
    the downloader's own files (``*.part``, the hash sidecar).
    """
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"name is longer than {MAX_NAME_LENGTH} characters")
    if "\x00" in name or _CONTROL.search(name):
        raise ValueError("name contains NUL or a control character")
    if "\\" in name:
        raise ValueError("name contains a backslash (a Windows path separator)")
    if ":" in name:
        raise ValueError("name contains ':' (a drive letter or an alternate data stream)")
    if name.startswith("/"):
        raise ValueError("name is an absolute path")
    for segment in name.split("/"):
        if segment == "":
            raise ValueError("name has an empty segment ('//' or a trailing '/')")
        if segment in (".", ".."):
            raise ValueError(f"name has a {segment!r} segment")
    if name.endswith(PART_SUFFIX) or name.split("/")[-1] == HASH_SIDECAR:
        raise ValueError(f"name is reserved for the downloader (*{PART_SUFFIX}, {HASH_SIDECAR})")
    return name


def is_safe_name(name: object) -> bool:
    """Whether ``check_name`` accepts ``name``."""
    try:
        check_name(name)
    except ValueError:
        return False
    return True


def relative_url(name: str) -> URL:
    """The URL of a file published beside the manifest: its name, percent-quoted, so that a
    ``?``, ``#`` or ``%`` in it stays part of the path."""
    return URL(quote(name, safe="/"), encoded=True)


def dump_manifest(manifest: Manifest) -> bytes:
    """The manifest as JSON bytes; ValueError names an entry ``parse_manifest`` would refuse."""
    assets: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in manifest.entries:
        try:
            check_name(entry.name)
        except ValueError as exc:
            raise ValueError(f"asset {entry.name!r}: {exc}") from None
        if entry.name in seen:
            raise ValueError(f"asset {entry.name!r} is listed twice")
        seen.add(entry.name)
        assets.append(_entry_json(entry))
    return dumps({"version": manifest.version, "assets": assets}).encode()


def _entry_json(entry: ManifestEntry) -> dict[str, Any]:
    fields = {"name": entry.name, "size": entry.size, "sha256": entry.sha256, "etag": entry.etag}
    out = {k: v for k, v in fields.items() if v is not None}
    out["url"] = str(entry.url)
    return out


def parse_manifest(data: Any, manifest_url: URL | str) -> Manifest:
    """Validate a decoded manifest document and resolve every entry's URL."""
    base = URL(manifest_url)
    where = f"manifest at {base.with_query(None)}"
    if not isinstance(data, Mapping):
        raise ProtocolError(f"{where}: expected a JSON object, got {type(data).__name__}")
    version = data.get("version")
    if not isinstance(version, (str, int)) or isinstance(version, bool):
        raise ProtocolError(f"{where}: 'version' must be a string")
    assets = data.get("assets")
    if not isinstance(assets, list):
        raise ProtocolError(f"{where}: 'assets' must be a list")
    entries: list[ManifestEntry] = []
    seen: set[str] = set()
    for i, raw in enumerate(assets):
        entry = _parse_entry(raw, base, f"{where}: assets[{i}]")
        if entry.name in seen:
            raise ProtocolError(f"{where}: assets[{i}]: duplicate name {entry.name!r}")
        seen.add(entry.name)
        entries.append(entry)
    return Manifest(version=str(version), entries=tuple(entries))


def _parse_entry(raw: Any, base: URL, where: str) -> ManifestEntry:
    if not isinstance(raw, Mapping):
        raise ProtocolError(f"{where}: expected an object, got {type(raw).__name__}")
    name = raw.get("name")
    try:
        check_name(name)
    except ValueError as exc:
        raise ProtocolError(f"{where}: unsafe name {name!r}: {exc}") from None
    assert isinstance(name, str)  # check_name proved it
    where = f"{where} ({name!r})"
    return ManifestEntry(
        name=name,
        size=_parse_size(raw.get("size"), where),
        sha256=_parse_sha256(raw.get("sha256"), where),
        url=_resolve_url(raw.get("url"), name, base, where),
        etag=_parse_etag(raw.get("etag"), where),
    )


def _parse_size(size: Any, where: str) -> int:
    # Nakama-style int64-as-string is accepted too.
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    if not is_int(size) or size < 0:
        raise ProtocolError(f"{where}: 'size' must be an integer >= 0, got {size!r}")
    return size


def _parse_sha256(sha: Any, where: str) -> str | None:
    if sha is None or sha == "":
        return None
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise ProtocolError(f"{where}: 'sha256' must be 64 hex digits, got {sha!r}")
    return sha.lower()


def _parse_etag(etag: Any, where: str) -> str | None:
    if etag is None or etag == "":
        return None
    if not isinstance(etag, str) or _CONTROL.search(etag):
        raise ProtocolError(f"{where}: 'etag' must be a header-safe string")
    return etag


def _resolve_url(url: Any, name: str, base: URL, where: str) -> URL:
    if url is None or url == "":
        # The name is a path, not URL text: '?' and '#' in it must be escaped, not parsed.
        return base.join(URL.build(path=name))
    if not isinstance(url, str) or _CONTROL.search(url):
        raise ProtocolError(f"{where}: 'url' must be a string")
    try:
        resolved = base.join(URL(url))
    except ValueError as exc:
        raise ProtocolError(f"{where}: 'url' {url!r} is not a valid URL") from exc
    if resolved.scheme not in ("http", "https") or not resolved.host:
        raise ProtocolError(f"{where}: 'url' {url!r} must be http(s), got {resolved.scheme!r}")
    return resolved
