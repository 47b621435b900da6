"""Before the first frame: the packs, the embedded server on its own thread, other players.

Invariants: everything here runs before the game loop starts and is timed as "setup" (including
the client's one-off TLS context, so the game's first request does not pay for it); pack
generation runs on a worker thread while the server starts; the server's database, its secret
and the packs live in ``data_dir`` so a second run reuses them (and the saved session stays
valid); bots are seeded only into a new database.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .._client.client import Client
from ..testing.threaded import ServerThread
from .game import BOARD
from .packs import PackSet, ensure_packs

__all__ = ["BOT_NAMES", "Setup", "prepare", "seed_bots"]

SERVER_KEY = "defaultkey"
BOT_NAMES = (
    "ada",
    "grace",
    "linus",
    "guido",
    "margaret",
    "dennis",
    "barbara",
    "ken",
    "radia",
    "alan",
    "edsger",
    "frances",
    "john",
    "katherine",
    "tim",
    "sophie",
)
SEED_CONCURRENCY = 8


@dataclass(frozen=True)
class Setup:
    server: ServerThread
    packs: PackSet
    new_database: bool
    bots: int


async def _seed_one(url: str, index: int, gate: asyncio.Semaphore) -> None:
    name = f"{BOT_NAMES[index % len(BOT_NAMES)]}{index // len(BOT_NAMES) or ''}"
    async with gate, Client(url, server_key=SERVER_KEY) as client:
        await client.auth.device(f"demo-bot-{index:04d}", create=True, username=name)
        await client.leaderboards.write(BOARD, 900 + (index * 2741) % 4600)


async def seed_bots(url: str, count: int) -> None:
    """``count`` other players with a score each on the demo board."""
    gate = asyncio.Semaphore(SEED_CONCURRENCY)
    await asyncio.gather(*(_seed_one(url, i, gate) for i in range(count)))


def prepare(data_dir: Path, pack_mb: float, bots: int) -> Setup:
    """Make or reuse the packs, start the server and seed it; the caller closes the server."""
    data_dir.mkdir(parents=True, exist_ok=True)
    packs_root = data_dir / "packs"
    packs_root.mkdir(exist_ok=True)
    db = data_dir / "server.db"
    new_database = not db.exists()
    with ThreadPoolExecutor(1, thread_name_prefix="demo-packs") as pool:
        packs_job = pool.submit(ensure_packs, packs_root, pack_mb)
        server = ServerThread(db_path=str(db), assets_dir=packs_root).start()
        try:
            if new_database and bots:
                server.call(seed_bots(server.url, bots))
            packs = packs_job.result()
        except BaseException:
            server.close()
            raise
    return Setup(server, packs, new_database, bots if new_database else 0)
