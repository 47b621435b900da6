"""Panda3D: a task ticks the runner while asset packs sync in the background.

    python examples/panda3d_assets.py                  # starts a server with sample assets
    python examples/panda3d_assets.py --url http://127.0.0.1:7350 --window none

``gameservices.engines.panda3d.attach`` adds one task that calls ``runner.tick()`` every frame
(and closes the runner when ShowBase exits). Progress arrives inside that tick, on Panda3D's
thread, where updating the scene graph (here an OnscreenText, when there is a window) is safe.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import tempfile
from pathlib import Path
from typing import Any

from direct.showbase.ShowBase import ShowBase
from panda3d.core import ClockObject

from gameservices import Client, TickRunner
from gameservices.engines.panda3d import attach
from gameservices.testing.threaded import ServerThread


class AssetsApp:
    """Syncs ``dest`` from the server; ``lines`` records what the player was shown."""

    def __init__(self, base: Any, url: str, dest: Path, max_frames: int | None) -> None:
        self.base, self.max_frames = base, max_frames
        self.lines: list[str] = []
        self.result: Any = None
        self.frames = 0
        self.text = self._label(base)
        self.runner = TickRunner()
        attach(self.runner, base.taskMgr, base=base)
        client = Client(url)
        self.runner.submit(client.assets.sync(dest), on_progress=self.progress,
                           on_done=self.done, on_error=self.failed)  # fmt: skip
        base.taskMgr.add(self.watch, "assets-watch")

    @staticmethod
    def _label(base: Any) -> Any:
        if base.win is None:  # windowType="none": nothing to draw on
            return None
        from direct.gui.OnscreenText import OnscreenText

        return OnscreenText(text="syncing assets...", pos=(0, 0), scale=0.07)

    def show(self, line: str) -> None:
        self.lines.append(line)
        if self.text is not None:
            self.text.setText(line)

    def progress(self, done: int, total: int | None) -> None:
        self.show(f"assets: {done / 2**20:.1f} of {(total or 0) / 2**20:.1f} MB")

    def done(self, result: Any) -> None:
        self.result = result
        self.show(f"assets ready: {len(result.downloaded)} downloaded, "
                  f"{len(result.up_to_date)} already current")  # fmt: skip

    def failed(self, exc: BaseException) -> None:
        self.show(f"asset sync failed: {exc}")
        self.result = exc

    def watch(self, task: Any) -> Any:
        """Stops short runs (tests) once the sync ended; a game would just keep going."""
        self.frames += 1
        limit_hit = self.max_frames is not None and self.frames >= self.max_frames
        if limit_hit or (self.max_frames is not None and self.result is not None):
            self.base.taskMgr.stop()
        return task.cont


def sample_assets(root: Path, count: int = 3, size: int = 1 << 20) -> Path:
    """A few deterministic files for the embedded server to host."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (root / f"level{i}.bin").write_bytes(hashlib.shake_128(str(i).encode()).digest(size))
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one with sample assets)")
    parser.add_argument("--window", default="onscreen", choices=("onscreen", "offscreen", "none"))
    parser.add_argument("--frames", type=int, help="stop once synced, or after this many frames")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="panda-demo-")))
        url = (
            args.url
            or stack.enter_context(
                ServerThread(db_path=":memory:", assets_dir=sample_assets(work / "hosted"))
            ).url
        )
        base = ShowBase(windowType=args.window)
        clock = ClockObject.getGlobalClock()
        clock.setMode(ClockObject.MLimited)  # 60 frames a second, even without a window
        clock.setFrameRate(60)
        try:
            app = AssetsApp(base, url, work / "assets", args.frames)
            base.run()  # returns when the task manager stops
        finally:
            base.destroy()  # closes the runner (attach registered it), and the client with it
    print(app.lines[-1] if app.lines else "nothing happened")
    ok = app.result is not None and not isinstance(app.result, BaseException)
    return 0 if ok and not app.result.failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
