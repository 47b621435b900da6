"""The asset index: which files under DIR are served, their hashes, and the manifest of them.

Invariants:
- Everything here is synchronous file work, meant to run in a thread; nothing touches the loop.
- A name is served only if it is in the index, and it enters the index only if ``is_safe_name``
  accepts it and its real path (symlinks resolved) lies inside DIR. Hidden files (any part
  starting with ".") and a top-level ``manifest.json`` are never listed.
- Hashes are cached by (size, mtime_ns) in a sidecar JSON file inside DIR (hidden, so never
  served); a file whose size and mtime are unchanged is not read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = [
    "CACHE_NAME",
    "AssetEntry",
    "Manifest",
    "build_manifest",
    "is_safe_name",
    "restat",
    "scan",
    "sha256_file",
]

log = logging.getLogger("gameservices.server")

CACHE_NAME = ".gameservices-hashes.json"
_READ_SIZE = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")

HashFile = Callable[[Path], str]


@dataclass(frozen=True)
class AssetEntry:
    """One served file."""

    name: str
    path: Path
    size: int
    mtime_ns: int
    sha256: str
    content_type: str = "application/octet-stream"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def url(self) -> str:
        """Relative to the manifest's URL; quoting also keeps a ``:`` from reading as a scheme."""
        return quote(self.name, safe="/")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "etag": self.etag,
            "url": self.url,
        }


@dataclass(frozen=True)
class Manifest:
    """The index and its JSON form, built together so they always agree."""

    version: str
    entries: Mapping[str, AssetEntry]
    body: bytes

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def is_safe_name(name: str) -> bool:
    """A relative, forward-slash name that stays inside its directory on every OS."""
    if not name or name.startswith("/") or _DRIVE.match(name):
        return False
    if any(ch in name for ch in "\\\x00") or any(ord(ch) < 32 for ch in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _listed(name: str) -> bool:
    hidden = any(part.startswith(".") for part in name.split("/"))
    return is_safe_name(name) and not hidden and name != "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _inside(root: Path, name: str) -> Path | None:
    """The real path of ``root/name`` if it is a regular file inside ``root``, else None."""
    real = Path(os.path.realpath(root / name))
    if not real.is_relative_to(root) or not real.is_file():
        return None
    return real


def _walk(root: Path) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(folder).relative_to(root).as_posix()
        for file in sorted(files):
            yield file if rel == "." else f"{rel}/{file}"


def _load_cache(path: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _save_cache(path: Path, files: dict[str, list[Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps({"version": 1, "files": files}), "utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only DIR still serves; it just rehashes on restart
        log.warning("could not write the asset hash cache %s: %s", path, exc)


def _entry(
    root: Path, name: str, cached: list[Any] | None, hash_file: HashFile
) -> AssetEntry | None:
    real = _inside(root, name)
    if real is None:
        return None
    st = real.stat()
    if cached is not None and cached[:2] == [st.st_size, st.st_mtime_ns]:
        digest = str(cached[2])
    else:
        digest = hash_file(real)
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return AssetEntry(name, real, st.st_size, st.st_mtime_ns, digest, kind)


def scan(root: Path, hash_file: HashFile = sha256_file) -> Manifest:
    """Index every listed file under ``root``, hashing only what the sidecar cache lacks."""
    root = Path(os.path.realpath(root))
    if not root.is_dir():
        raise ValueError(f"assets_dir {root} is not a directory")
    cache_path = root / CACHE_NAME
    cache = _load_cache(cache_path)
    entries: dict[str, AssetEntry] = {}
    for name in _walk(root):
        if _listed(name) and (found := _entry(root, name, cache.get(name), hash_file)):
            entries[name] = found
    fresh = {e.name: [e.size, e.mtime_ns, e.sha256] for e in entries.values()}
    if fresh != cache:
        _save_cache(cache_path, fresh)
    return build_manifest(entries)


def restat(entry: AssetEntry, root: Path, hash_file: HashFile = sha256_file) -> AssetEntry | None:
    """``entry`` as it is on disk now: the same, rehashed if changed, or None if gone/escaped."""
    cached = [entry.size, entry.mtime_ns, entry.sha256]
    try:
        return _entry(Path(os.path.realpath(root)), entry.name, cached, hash_file)
    except OSError:
        return None


def build_manifest(entries: Mapping[str, AssetEntry]) -> Manifest:
    """The manifest JSON; ``version`` is a hash over (name, size, sha256) of every entry."""
    ordered = [entries[name] for name in sorted(entries)]
    identity = json.dumps([[e.name, e.size, e.sha256] for e in ordered]).encode()
    version = hashlib.sha256(identity).hexdigest()[:32]
    doc = {"version": version, "assets": [e.to_json() for e in ordered]}
    body = json.dumps(doc, separators=(",", ":")).encode()
    return Manifest(version, {e.name: e for e in ordered}, body)
