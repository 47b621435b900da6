"""pygame (pygame-ce): a window with the top 10 and an asset download progress bar.

    python examples/pygame_leaderboard.py                 # starts a server with sample assets
    python examples/pygame_leaderboard.py --url http://127.0.0.1:7350

The only gameservices call in the main loop is ``runner.tick()``; results and download progress
arrive inside it, on the main thread, where drawing them is safe.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from gameservices import Client, TickRunner
from gameservices.engines.pygame import tick_pygame
from gameservices.testing.threaded import ServerThread

SIZE = (640, 400)
TABLE_TOP = 60  # the table's rows start here (tests look for text in this region)
ROW_HEIGHT = 24
BAR = pygame.Rect(40, 340, 560, 24)


@dataclass
class Screen:
    """What the window shows; updated only by runner callbacks (inside ``tick()``)."""

    status: str = "logging in..."
    rows: list[tuple[int, str, int]] = field(default_factory=list)
    done: int = 0
    total: int | None = None
    synced: bool = False

    def show_top(self, page: Any) -> None:
        self.rows = [(r.rank, r.username, r.score) for r in page.records]
        self.status = "top 10 (weekly)"

    def progress(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total

    def sync_done(self, result: Any) -> None:
        self.synced = True
        self.done = self.total or self.done

    def failed(self, exc: BaseException) -> None:
        self.status = f"offline: {exc}"


def draw(surface: Any, font: Any, screen: Screen) -> None:
    surface.fill((16, 18, 28))
    surface.blit(font.render(screen.status, True, (250, 210, 90)), (40, 20))
    for i, (rank, name, score) in enumerate(screen.rows):
        y = TABLE_TOP + i * ROW_HEIGHT
        surface.blit(font.render(f"{rank:>2}", True, (180, 180, 200)), (40, y))
        surface.blit(font.render(name, True, (235, 235, 245)), (90, y))
        surface.blit(font.render(f"{score:>8,}", True, (120, 220, 140)), (440, y))
    pygame.draw.rect(surface, (70, 70, 90), BAR, 1)
    if screen.total:
        filled = BAR.inflate(-4, -4)
        filled.width = int(filled.width * min(1.0, screen.done / screen.total))
        pygame.draw.rect(surface, (90, 160, 250), filled)
    label = "assets up to date" if screen.synced else f"assets {screen.done / 2**20:.1f} MB"
    surface.blit(font.render(label, True, (200, 200, 210)), (BAR.x, BAR.y - 26))


async def login_submit_top(client: Client) -> Any:
    device = f"pygame-{uuid.uuid4()}"  # a real game makes one per install and keeps it
    await client.auth.device(device, create=True, username=f"player-{device[-6:]}")
    await client.leaderboards.submit("weekly", 3100)
    await client.outbox.flush(timeout=10)
    return await client.leaderboards.list("weekly", limit=10)


def run(url: str, work: Path, frames: int | None, screenshot: Path | None) -> Screen:
    pygame.init()
    try:
        surface = pygame.display.set_mode(SIZE)
        pygame.display.set_caption("gameservices + pygame")
        font = pygame.font.Font(None, 26)  # pygame's bundled font: no system fonts needed
        clock = pygame.time.Clock()
        screen = Screen()
        with TickRunner() as runner:
            client = Client(url, data_dir=work / "save")
            runner.submit(login_submit_top(client), on_done=screen.show_top, on_error=screen.failed)
            runner.submit(client.assets.sync(work / "assets"), on_progress=screen.progress,
                          on_done=screen.sync_done, on_error=screen.failed)  # fmt: skip
            frame = 0
            while frames is None or frame < frames:
                if any(e.type == pygame.QUIT for e in pygame.event.get()):
                    break
                draw(surface, font, screen)
                pygame.display.flip()
                tick_pygame(runner, clock, 60)  # runner.tick(), then wait for the next frame
                frame += 1
                if frames is not None and screen.rows and screen.synced:
                    break  # short runs (tests) stop once everything is on screen
            draw(surface, font, screen)
            if screenshot is not None:
                pygame.image.save(surface, str(screenshot))
        return screen
    finally:
        pygame.quit()


def sample_assets(root: Path, count: int = 3, size: int = 1 << 20) -> Path:
    """A few deterministic files for the embedded server to host."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (root / f"pack{i}.bin").write_bytes(hashlib.shake_128(str(i).encode()).digest(size))
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one with sample assets)")
    parser.add_argument("--frames", type=int, help="stop after this many frames (tests)")
    parser.add_argument("--screenshot", type=Path, help="save the last frame as a PNG")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pygame-demo-")))
        url = (
            args.url
            or stack.enter_context(
                ServerThread(db_path=":memory:", assets_dir=sample_assets(work / "hosted"))
            ).url
        )
        screen = run(url, work, args.frames, args.screenshot)
    synced = "synced" if screen.synced else "not synced"
    print(f"{screen.status}: {len(screen.rows)} rows; assets {synced}")
    return 0 if screen.rows and screen.synced else 1


if __name__ == "__main__":
    raise SystemExit(main())
