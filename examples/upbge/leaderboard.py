"""UPBGE, Logic Bricks version: a top 10 on a text object, a score on a key press.

On an object that lives for the whole game (an Empty called "Scoreboard", say):
- an Always sensor with pulse mode on (UPBGE: "True level triggering"), and a Keyboard sensor
  named ``Keyboard`` for the key that posts a score, both wired to
- one Python controller in Module mode, running ``leaderboard.on_frame``.
Add a Text object named ``Top10``. Optional game properties on the Scoreboard: ``url`` (default
``http://127.0.0.1:7350``), ``board`` (``weekly``), ``data_dir`` (default ``//gamesave``).

Each frame the controller ticks the game's TickRunner (``gameservices.engines.bge.runner()``);
results arrive inside that tick, on the game thread, and are dropped if the Scoreboard ended.
"""

from __future__ import annotations

import uuid
from typing import Any

import bge

from gameservices import Client
from gameservices.engines.bge import runner

DEFAULT_URL = "http://127.0.0.1:7350"
TEXT_OBJECT = "Top10"


def on_frame(cont: Any) -> None:
    own = cont.owner
    game_runner = runner()
    if "gs_client" not in own:
        own["gs_client"] = _client(own)
        game_runner.submit(_login_and_read(own), on_done=lambda text: _show(text),
                           on_error=lambda exc: _show(f"offline: {exc}"), owner=own)  # fmt: skip
    keyboard = cont.sensors.get("Keyboard")
    pressed = bool(keyboard is not None and keyboard.positive)
    if pressed and not own.get("gs_held", False):  # one score per press, not per frame held
        own["gs_score"] = own.get("gs_score", 0) + 100
        game_runner.submit(_submit_and_read(own, own["gs_score"]), on_done=lambda t: _show(t),
                           on_error=lambda exc: _show(f"not sent: {exc}"), owner=own)  # fmt: skip
    own["gs_held"] = pressed
    game_runner.tick()


def _client(own: Any) -> Client:
    expand = getattr(bge.logic, "expandPath", lambda path: path.replace("//", "./", 1))
    data_dir = own.get("data_dir") or expand("//gamesave")
    return Client(own.get("url") or DEFAULT_URL, data_dir=data_dir)


async def _login_and_read(own: Any) -> str:
    client: Client = own["gs_client"]
    if await client.auth.restore() is None:
        # A new account on the first start (the session is saved in data_dir and restored);
        # the server picks its username. A real game keeps its device id per install.
        await client.auth.device(own.get("device_id") or f"upbge-{uuid.uuid4()}", create=True)
    return await _top10(client, own.get("board") or "weekly")


async def _submit_and_read(own: Any, score: int) -> str:
    client: Client = own["gs_client"]
    board = own.get("board") or "weekly"
    await client.leaderboards.submit(board, score)  # durable; delivered in the background
    await client.outbox.flush(timeout=10)
    return await _top10(client, board)


async def _top10(client: Client, board: str) -> str:
    page = await client.leaderboards.list(board, limit=10)
    lines = [f"{r.rank:>2}. {r.username[:12]:<12} {r.score:>7}" for r in page.records]
    return "\n".join(lines) or "(no scores yet)"


def _show(text: str) -> None:
    scene = bge.logic.getCurrentScene()
    label = next((o for o in scene.objects if o.name == TEXT_OBJECT), None)
    if label is not None:
        label.text = text
