"""The demo's asset packs: generated once, deterministically, and cached on disk.

Invariants: the bytes of a pack depend only on its name and size (SHAKE-128 of a counter, so the
same sizes always give the same sha256 and a second run finds its downloads still current); a
pack is written to a hidden ``.<name>.tmp`` and renamed, so the server never lists a partial
file;
``ensure_packs`` does blocking file work and must run off the game thread.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PACK_SHARES", "PackSet", "ensure_packs", "plan_packs"]

MB = 1024 * 1024
BLOCK = 256 * 1024
# How the demo's total splits into packs (shares of the total, in order of download).
PACK_SHARES: tuple[tuple[str, float], ...] = (
    ("core.pak", 0.08),
    ("levels.pak", 0.24),
    ("audio.pak", 0.32),
    ("textures.pak", 0.36),
)


@dataclass(frozen=True)
class PackSet:
    """The packs in ``root``: name -> size; ``generated`` is False when the cache was reused."""

    root: Path
    sizes: dict[str, int]
    generated: bool

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def plan_packs(total_mb: float) -> dict[str, int]:
    """Pack sizes in bytes for a total of ``total_mb`` megabytes (each at least one block)."""
    if not total_mb > 0:
        raise ValueError(f"the packs' total size must be > 0 MB, got {total_mb!r}")
    return {name: max(BLOCK, int(total_mb * MB * share)) for name, share in PACK_SHARES}


def _block(name: str, index: int) -> bytes:
    return hashlib.shake_128(f"{name}:{index}".encode()).digest(BLOCK)


def _write_pack(path: Path, size: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")  # hidden: the server lists no dotfiles
    with tmp.open("wb") as out:
        for index, offset in enumerate(range(0, size, BLOCK)):
            out.write(_block(path.name, index)[: size - offset])
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _stamp(root: Path) -> Path:
    return root.with_name(root.name + ".json")  # beside the packs, so it is not served


def _cached(root: Path, sizes: dict[str, int]) -> bool:
    try:
        stamp = json.loads(_stamp(root).read_text())
    except (OSError, ValueError):
        return False
    return bool(
        stamp == sizes
        and all((root / n).is_file() and (root / n).stat().st_size == s for n, s in sizes.items())
    )


def ensure_packs(root: Path, total_mb: float) -> PackSet:
    """Make the packs for ``total_mb`` in ``root`` unless the cache there already has them."""
    sizes = plan_packs(total_mb)
    root.mkdir(parents=True, exist_ok=True)
    if _cached(root, sizes):
        return PackSet(root, sizes, generated=False)
    for stale in root.iterdir():
        if stale.is_file():
            stale.unlink()  # packs of another size: the server must not list them
    for name, size in sizes.items():
        _write_pack(root / name, size)
    _stamp(root).write_text(json.dumps(sizes))
    return PackSet(root, sizes, generated=True)
