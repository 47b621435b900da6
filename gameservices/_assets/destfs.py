"""The destination directory's file system side (blocking: call these in worker threads).

Invariants:
- ``place`` proves a name lands inside the destination root: the name passes ``check_name``
  (so, lexically, it cannot leave the root), and every symlink met on the way (a directory,
  the final file, the ``.part``) must resolve inside the resolved root, so a symlink leading
  out is refused before anything is created or written. Plain paths are never resolved: a
  no-op sync of many files costs two ``lstat`` calls per file.
- ``install`` renames a verified, fsynced ``.part`` over the final name atomically: the final
  name never shows a partial or unverified file, even after a crash.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import NamedTuple

from .._exceptions import GameServicesError, ProtocolError, StorageError, UsageError
from .._protocol.manifest import PART_SUFFIX, check_name

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


def place(root: Path, name: str, safe_dirs: set[Path] | None = None) -> Place:
    """Resolve where ``name`` goes; refuse any route out of ``root`` (symlinks included).

    Cheap for the common case: one ``lstat`` per new directory and two per file; only a
    symlink met on the way is resolved. ``safe_dirs`` remembers checked directories across
    the names of one sync.
    """
    try:
        check_name(name)
    except ValueError as exc:
        raise ProtocolError(f"unsafe asset name {name!r}: {exc}") from None
    final = root.joinpath(*name.split("/"))
    part = final.with_name(final.name + PART_SUFFIX)
    checked = safe_dirs if safe_dirs is not None else set()
    if final.parent not in checked:
        _check_dirs(root, final.parent, name)
        checked.add(final.parent)
    _check_file(root, part)
    return Place(final, part, _check_file(root, final))


def _check_dirs(root: Path, parent: Path, name: str) -> None:
    path = root
    for segment in parent.relative_to(root).parts:
        path = path / segment
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            break  # the rest does not exist yet: mkdir creates real directories
        if stat.S_ISLNK(st.st_mode) and not _inside(path.resolve(), root):
            raise UsageError(f"refusing to write {name!r}: a symlink in {root} leads outside it")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create {parent}: {exc.strerror}") from exc


def _check_file(root: Path, path: Path) -> tuple[int, int] | None:
    """(size, mtime_ns) of ``path`` if it exists; UsageError if it is a symlink leading out."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        if not _inside(path.resolve(), root):
            raise UsageError(f"refusing to write {path}: it is a symlink leading outside {root}")
        st = path.stat()
    return st.st_size, st.st_mtime_ns


def place_many(root: Path, names: list[str]) -> list[Place | GameServicesError]:
    out: list[Place | GameServicesError] = []
    safe_dirs: set[Path] = set()
    for name in names:
        try:
            out.append(place(root, name, safe_dirs))
        except GameServicesError as exc:
            out.append(exc)
    return out


def hash_file(path: Path) -> str:
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                hasher.update(block)
    except OSError as exc:
        raise StorageError(f"cannot read {path} to check it: {exc.strerror or exc}") from exc
    return hasher.hexdigest()


def unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot remove {path}: {exc.strerror or exc}") from exc


def install(part: Path, final: Path) -> tuple[int, int]:
    """Rename the verified (and fsynced) ``.part`` over ``final``; return its (size, mtime_ns).

    The directory is not fsynced: if a crash loses the rename, the complete ``.part`` is still
    there, and the next call verifies and installs it without a transfer.
    """
    try:
        os.replace(part, final)
        st = final.stat()
    except OSError as exc:
        raise StorageError(f"cannot move {part} into place: {exc.strerror or exc}") from exc
    return st.st_size, st.st_mtime_ns
