"""The asset index: which files under DIR are served, their hashes, and the manifest of them.

Invariants:
- Everything here is synchronous file work, meant to run in a thread; nothing touches the loop.
- A name is served only if it is in the index, and it enters the index only if the client's
  name rule (``_protocol.manifest.check_name``) accepts it and its real path (symlinks
  resolved) lies inside DIR. Hidden files (any part starting with ".") and a top-level
  ``manifest.json`` are never listed. Any other file the rule refuses (``a:b.pak``, ``x.part``,
  a backslash or a control character) is left out with one warning per scan naming it: clients
  refuse a whole manifest that lists one, so it must never reach the manifest.
- The manifest body is written by ``_protocol.manifest.dump_manifest`` from the same entries
  the index serves.
- Hashes are cached by (size, mtime_ns) in a sidecar JSON file inside DIR (hidden, so never
  served); a file whose size and mtime are unchanged is not read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._protocol.manifest import Manifest, ManifestEntry, check_name, dump_manifest, relative_url

__all__ = [
    "CACHE_NAME",
    "AssetIndex",
    "ServedFile",
    "build_index",
    "restat",
    "scan",
    "sha256_file",
]

log = logging.getLogger("gameservices.server")

CACHE_NAME = ".gameservices-hashes.json"
_READ_SIZE = 1 << 20

HashFile = Callable[[Path], str]


@dataclass(frozen=True)
class ServedFile:
    """One file of DIR that is served: where it is on disk and what its validators are."""

    name: str
    path: Path
    size: int
    mtime_ns: int
    sha256: str
    content_type: str = "application/octet-stream"

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    def manifest_entry(self) -> ManifestEntry:
        return ManifestEntry(self.name, self.size, self.sha256, relative_url(self.name), self.etag)


@dataclass(frozen=True)
class AssetIndex:
    """The served files by name and the manifest body listing them, built together so they
    always agree; ``etag`` is the manifest's."""

    version: str
    entries: Mapping[str, ServedFile]
    body: bytes

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def _listed(name: str) -> bool:
    """Whether ``name`` belongs in the manifest; warns about a file clients would refuse."""
    if name == "manifest.json" or any(part.startswith(".") for part in name.split("/")):
        return False
    try:
        check_name(name)
        name.encode("utf-8")  # a file name that is not UTF-8 cannot be sent as JSON text
    except ValueError as exc:  # UnicodeEncodeError is a ValueError too
        reason = "it is not valid UTF-8" if isinstance(exc, UnicodeError) else str(exc)
        log.warning("asset %r is left out of the manifest: %s", name, reason)
        return False
    return True


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
) -> ServedFile | None:
    real = _inside(root, name)
    if real is None:
        return None
    st = real.stat()
    if cached is not None and cached[:2] == [st.st_size, st.st_mtime_ns]:
        digest = str(cached[2])
    else:
        digest = hash_file(real)
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return ServedFile(name, real, st.st_size, st.st_mtime_ns, digest, kind)


def scan(root: Path, hash_file: HashFile = sha256_file) -> AssetIndex:
    """Index every listed file under ``root``, hashing only what the sidecar cache lacks."""
    root = Path(os.path.realpath(root))
    if not root.is_dir():
        raise ValueError(f"assets_dir {root} is not a directory")
    cache_path = root / CACHE_NAME
    cache = _load_cache(cache_path)
    entries: dict[str, ServedFile] = {}
    for name in _walk(root):
        if _listed(name) and (found := _entry(root, name, cache.get(name), hash_file)):
            entries[name] = found
    fresh = {e.name: [e.size, e.mtime_ns, e.sha256] for e in entries.values()}
    if fresh != cache:
        _save_cache(cache_path, fresh)
    return build_index(entries)


def restat(entry: ServedFile, root: Path, hash_file: HashFile = sha256_file) -> ServedFile | None:
    """``entry`` as it is on disk now: the same, rehashed if changed, or None if gone/escaped."""
    cached = [entry.size, entry.mtime_ns, entry.sha256]
    try:
        return _entry(Path(os.path.realpath(root)), entry.name, cached, hash_file)
    except OSError:
        return None


def build_index(entries: Mapping[str, ServedFile]) -> AssetIndex:
    """The index and its manifest; ``version`` is a hash over (name, size, sha256) of every
    entry (the publishing script in docs/assets-hosting.md computes the same)."""
    ordered = [entries[name] for name in sorted(entries)]
    identity = json.dumps([[e.name, e.size, e.sha256] for e in ordered]).encode()
    version = hashlib.sha256(identity).hexdigest()[:32]
    manifest = Manifest(version, tuple(e.manifest_entry() for e in ordered))
    return AssetIndex(version, {e.name: e for e in ordered}, dump_manifest(manifest))
