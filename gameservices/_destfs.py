"""The destination directory's file system side (blocking: call these in worker threads).

Invariants:
- ``place`` proves a name lands inside the destination root: the name passes ``check_name``
  and every resolved path (parent directory, final file, ``.part``) stays under the resolved
  root, so a symlink leading out is refused before anything is created or written.
- ``install`` renames a verified ``.part`` over the final name atomically and makes the rename
  durable (directory fsync on POSIX).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

from ._exceptions import GameServicesError, ProtocolError, StorageError, UsageError
from ._protocol.manifest import PART_SUFFIX, check_name

__all__ = ["Place", "hash_file", "install", "make_root", "place", "place_many", "unlink"]


def make_root(dest_dir: Path) -> Path:
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create destination {dest_dir}: {exc.strerror}") from exc
    return dest_dir.resolve()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class Place(NamedTuple):
    final: Path
    part: Path
    stat: tuple[int, int] | None  # (size, mtime_ns) of ``final`` if it exists


def place(root: Path, name: str) -> Place:
    """Resolve where ``name`` goes; refuse any route out of ``root`` (symlinks included)."""
    try:
        check_name(name)
    except ValueError as exc:
        raise ProtocolError(f"unsafe asset name {name!r}: {exc}") from None
    final = root.joinpath(*name.split("/"))
    part = final.with_name(final.name + PART_SUFFIX)
    if not _inside(final.parent.resolve(), root):
        raise UsageError(f"refusing to write {name!r}: a symlink in {root} leads outside it")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create {final.parent}: {exc.strerror}") from exc
    for path in (final, part):
        if not _inside(path.resolve(), root) or not _inside(path.parent.resolve(), root):
            raise UsageError(f"refusing to write {path}: it is a symlink leading outside {root}")
    return Place(final, part, _stat(final))


def place_many(root: Path, names: list[str]) -> list[Place | GameServicesError]:
    out: list[Place | GameServicesError] = []
    for name in names:
        try:
            out.append(place(root, name))
        except GameServicesError as exc:
            out.append(exc)
    return out


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def hash_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()


def unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def install(part: Path, final: Path) -> tuple[int, int]:
    os.replace(part, final)
    if hasattr(os, "O_DIRECTORY"):  # make the rename durable (POSIX)
        fd = os.open(final.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    st = final.stat()
    return st.st_size, st.st_mtime_ns
