"""The hash sidecar: what we know about files in a destination directory, without reading them.

``dest_dir/.gameservices-downloads.json`` maps each downloaded name to the (size, mtime_ns) it had
when its sha256 was known, plus the ETag it was served with; and each ``.part`` to the strong
ETag of the bytes it holds (the ``If-Range`` validator of its resume).

Invariants:
- The sidecar is advisory: a missing, unreadable or malformed one reads as empty, and an entry
  counts only while the file's (size, mtime_ns) still match, so a stale entry can make us hash
  a file again but never trust a changed one.
- It is rewritten atomically (temp file, rename; no fsync, see ``_write_atomic``) off the loop
  thread; concurrent saves coalesce under one asyncio.Lock, and ``save()`` returns once the
  caller's change is written.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .._exceptions import StorageError
from .._protocol.manifest import HASH_SIDECAR

__all__ = ["FileRecord", "HashCache"]

_FORMAT = 1


@dataclass(frozen=True)
class FileRecord:
    size: int
    mtime_ns: int
    sha256: str | None
    etag: str | None = None


class HashCache:
    """In-memory view of one sidecar. Build with ``HashCache.load`` in a worker thread."""

    def __init__(self, dest_dir: Path, files: dict[str, FileRecord], parts: dict[str, str]) -> None:
        self.path = dest_dir / HASH_SIDECAR
        self._files = files
        self._parts = parts
        self._dirty = False
        self._lock = asyncio.Lock()

    @classmethod
    def load(cls, dest_dir: Path) -> HashCache:
        """Blocking: read the sidecar (run it in a thread)."""
        try:
            doc = json.loads((dest_dir / HASH_SIDECAR).read_bytes())
        except (OSError, ValueError):
            doc = {}
        return cls(dest_dir, _files_of(doc), _parts_of(doc))

    def lookup(self, name: str, size: int, mtime_ns: int) -> FileRecord | None:
        rec = self._files.get(name)
        if rec is None or rec.size != size or rec.mtime_ns != mtime_ns:
            return None
        return rec

    def record(self, name: str, rec: FileRecord) -> None:
        if self._files.get(name) != rec:
            self._files[name] = rec
            self._dirty = True

    def part_etag(self, name: str) -> str | None:
        return self._parts.get(name)

    def set_part(self, name: str, etag: str | None) -> None:
        if self._parts.get(name) == etag:
            return
        if etag is None:
            del self._parts[name]
        else:
            self._parts[name] = etag
        self._dirty = True

    async def save(self) -> None:
        """Persist pending changes; returns once they (or a later snapshot) are on disk."""
        async with self._lock:
            if not self._dirty:
                return
            data = json.dumps(
                {
                    "format": _FORMAT,
                    "files": {k: asdict(v) for k, v in sorted(self._files.items())},
                    "parts": dict(sorted(self._parts.items())),
                },
                indent=1,
            ).encode()
            self._dirty = False
            try:
                await asyncio.to_thread(_write_atomic, self.path, data)
            except OSError as exc:
                raise StorageError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


def _write_atomic(path: Path, data: bytes) -> None:
    # No fsync: the sidecar is advisory. Lost after a crash, it costs a re-hash or a restart
    # from zero; stale, it can only name an older ETag, which If-Range and the final sha256
    # check turn into a clean restart. The rename still makes every version whole.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _files_of(doc: Any) -> dict[str, FileRecord]:
    files = doc.get("files") if isinstance(doc, dict) else None
    out: dict[str, FileRecord] = {}
    for name, v in (files or {}).items():
        try:
            out[name] = FileRecord(
                size=int(v["size"]),
                mtime_ns=int(v["mtime_ns"]),
                sha256=str(v["sha256"]) if v.get("sha256") else None,
                etag=str(v["etag"]) if v.get("etag") else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # one bad entry costs one re-hash, not the whole cache
    return out


def _parts_of(doc: Any) -> dict[str, str]:
    parts = doc.get("parts") if isinstance(doc, dict) else None
    if not isinstance(parts, dict):
        return {}
    return {k: v for k, v in parts.items() if isinstance(k, str) and isinstance(v, str)}
