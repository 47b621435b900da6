"""Before the first frame: the packs, the embedded server on its own thread, other players.

The server is configured as the demo's game needs it (``world``: the cup, the login reward).

Invariants: everything here runs before the game loop starts and is timed as "setup" (including
the client's one-off TLS context, so the game's first request does not pay for it); pack
generation runs on a worker thread while the server starts; the server's database, its secret
and the packs live in ``data_dir`` so a second run reuses them (and the saved session stays
valid); bots are seeded only into a new database; the buddy (``buddy``, the first bot, online
while the game runs) is ready before the first frame.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .._client.client import Client
from ..testing.threaded import ServerThread
from .buddy import Buddy, start_buddy
from .game import BOARD
from .packs import PackSet, ensure_packs
from .world import REWARD_RPC, claim_reward, demo_cup

__all__ = ["BOT_NAMES", "SERVER_KEY", "Setup", "bot_device", "bot_name", "prepare", "seed_bots"]

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
    buddy: Buddy | None  # None: it could not start (``buddy_error`` says why); the game goes on
    buddy_error: str = ""

    def close(self) -> None:
        """The buddy first (its client lives on the server's loop), then the server."""
        try:
            if self.buddy is not None:
                self.server.call(self.buddy.close())
        finally:
            self.server.close()


def bot_name(index: int) -> str:
    """Bot ``index``'s username: ada, grace, ..., then ada1, grace1, ..."""
    return f"{BOT_NAMES[index % len(BOT_NAMES)]}{index // len(BOT_NAMES) or ''}"


def bot_device(index: int) -> str:
    return f"demo-bot-{index:04d}"


async def _seed_one(url: str, index: int, gate: asyncio.Semaphore) -> None:
    async with gate, Client(url, server_key=SERVER_KEY) as client:
        await client.auth.device(bot_device(index), create=True, username=bot_name(index))
        await client.leaderboards.write(BOARD, 900 + (index * 2741) % 4600)


async def seed_bots(url: str, count: int) -> None:
    """``count`` other players with a score each on the demo board."""
    gate = asyncio.Semaphore(SEED_CONCURRENCY)
    await asyncio.gather(*(_seed_one(url, i, gate) for i in range(count)))


def prepare(data_dir: Path, pack_mb: float, bots: int) -> Setup:
    """Make or reuse the packs, start the server, seed it, start the buddy; the caller calls
    ``close()``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    packs_root = data_dir / "packs"
    packs_root.mkdir(exist_ok=True)
    db = data_dir / "server.db"
    new_database = not db.exists()
    with ThreadPoolExecutor(1, thread_name_prefix="demo-packs") as pool:
        packs_job = pool.submit(ensure_packs, packs_root, pack_mb)
        server = ServerThread(
            db_path=str(db),
            assets_dir=packs_root,
            tournaments=(demo_cup(),),
            rpc={REWARD_RPC: claim_reward},
        ).start()
        buddy: Buddy | None = None
        try:
            if new_database and bots:
                server.call(seed_bots(server.url, bots))
            buddy, buddy_error = _buddy(server)
            packs = packs_job.result()
        except BaseException:
            if buddy is not None:
                server.call(buddy.close())
            server.close()
            raise
    return Setup(server, packs, new_database, bots if new_database else 0, buddy, buddy_error)


def _buddy(server: ServerThread) -> tuple[Buddy | None, str]:
    """The buddy, ready; or None and why not (the game then reports what needed it)."""
    try:
        return server.call(start_buddy(server.url, SERVER_KEY, bot_device(0), bot_name(0))), ""
    except Exception as exc:  # reported, and the game runs without it
        return None, f"{type(exc).__name__}: {exc}"
