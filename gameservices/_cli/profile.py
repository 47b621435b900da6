"""Where the CLI keeps a player's state: one directory per server, under a per-user data dir.

Invariants: the data dir comes from ``--data-dir``, else ``GAMESERVICES_DATA_DIR``, else the
platform's per-user data directory; each server (scheme, host, port) gets its own profile
directory inside it, holding the saved session (0600), the outbox and the device id. Nothing here
prints; paths are computed without touching the disk except ``device_id``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import uuid
from pathlib import Path

from yarl import URL

__all__ = ["DATA_ENV", "add_data_dir_flag", "default_data_dir", "device_id", "profile_dir"]

DATA_ENV = "GAMESERVICES_DATA_DIR"
APP = "gameservices"


def default_data_dir() -> Path:
    """The per-user data directory for this platform."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP


def add_data_dir_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where sessions and the outbox live (env {DATA_ENV}; default {default_data_dir()})",
    )


def profile_dir(args: argparse.Namespace, url: str) -> Path:
    """The directory for ``url``'s session and outbox."""
    base = args.data_dir or (Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None)
    parsed = URL(url)
    name = f"{parsed.scheme}_{parsed.host}_{parsed.explicit_port or parsed.port}"
    return (base or default_data_dir()) / re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def device_id(profile: Path, prefix: str = "cli") -> str:
    """This profile's device id, created on first use (blocking: call it off any game loop)."""
    path = profile / "device_id"
    if path.is_file():
        return path.read_text().strip()
    profile.mkdir(parents=True, exist_ok=True)
    made = f"{prefix}-{uuid.uuid4()}"
    path.write_text(made)
    return made
