"""UPBGE, component version: add ``leaderboard_component.Leaderboard`` to an object.

The component ticks the game's TickRunner itself (don't also add GameServicesComponent), shows
the top 10 in the text object named by ``text_object`` and posts a score when the player presses
SPACE (or when game code calls ``submit_score``). Its args appear in the component panel.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any, ClassVar

import bge

from gameservices import Client
from gameservices.engines.bge import runner


class Leaderboard(bge.types.KX_PythonComponent):  # type: ignore[misc]  # bge is untyped
    # UPBGE shows these in the component panel (it reads the class attribute).
    args: ClassVar[OrderedDict[str, str]] = OrderedDict(
        [
            ("url", "http://127.0.0.1:7350"),
            ("board", "weekly"),
            ("text_object", "Top10"),
            ("data_dir", ""),
            ("device_id", ""),  # empty: a new one on the first start (the session is saved)
        ]
    )

    def start(self, args: dict[str, Any]) -> None:
        self.board, self.text_object = args["board"], args["text_object"]
        self.device_id = args["device_id"] or f"upbge-{uuid.uuid4()}"
        expand = getattr(bge.logic, "expandPath", lambda path: path.replace("//", "./", 1))
        data_dir = args["data_dir"] or expand("//gamesave")
        self.client = Client(args["url"], data_dir=data_dir)
        self.runner = runner()
        self.score = 0
        self._submit(self._login_and_read())

    def update(self) -> None:
        keyboard = getattr(bge.logic, "keyboard", None)  # absent in headless tests
        if keyboard is not None and keyboard.inputs[bge.events.SPACEKEY].activated:
            self.submit_score(self.score + 100)
        self.runner.tick()

    def submit_score(self, score: int) -> None:
        self.score = score
        self._submit(self._submit_and_read(score))

    def dispose(self) -> None:
        self.runner.cancel_owner(self.object)  # nothing more for this object

    def _submit(self, coro: Any) -> None:
        self.runner.submit(coro, on_done=self._show, on_error=self._offline, owner=self.object)

    async def _login_and_read(self) -> str:
        if await self.client.auth.restore() is None:
            await self.client.auth.device(self.device_id, create=True)
        return await self._top10()

    async def _submit_and_read(self, score: int) -> str:
        await self.client.leaderboards.submit(self.board, score)
        await self.client.outbox.flush(timeout=10)
        return await self._top10()

    async def _top10(self) -> str:
        page = await self.client.leaderboards.list(self.board, limit=10)
        lines = [f"{r.rank:>2}. {r.username[:12]:<12} {r.score:>7}" for r in page.records]
        return "\n".join(lines) or "(no scores yet)"

    def _offline(self, exc: BaseException) -> None:
        self._show(f"offline: {exc}")

    def _show(self, text: str) -> None:
        scene = bge.logic.getCurrentScene()
        label = next((o for o in scene.objects if o.name == self.text_object), None)
        if label is not None:
            label.text = text
