"""A headless game whose progress is a cloud save: saved after every level, a level played while
the server is down, synced when it returns, and two devices' progress merged.

    python examples/cloud_save.py            # its own reference server, stopped and restarted
    python examples/cloud_save.py --pygame   # the same story in a pygame-ce window

After each level the game calls ``client.saves.save``: the slot is on this device's disk when
the call returns, online or not, and a background task sends it, checked against the version
it replaces. The server is embedded (``ServerThread`` on a file database) because the story
stops it and starts it again on the same port; a game needs none of that, only these calls.
Each chapter of ``STORY`` runs in a ``TickRunner`` ticked by the frame loop (headless, or a
pygame window); between chapters the network changes. Every line is what the game saw.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameservices import Client, StorageId, TickRunner
from gameservices.engines.headless import run_headless
from gameservices.testing.threaded import ServerThread

SLOT = "progress"
COLLECTION = "saves"  # where client.saves keeps its slots (docs/storage.md)
Progress = dict[str, Any]  # {"level": the furthest level done, "stars": {"1": 3, ...}}
# (runner, done, the lines so far): ticks frames until done() or its frame limit
FrameLoop = Callable[[TickRunner, Callable[[], bool], list[str]], None]


def merge(local: Progress, remote: Progress) -> Progress:
    """Two devices played apart: keep the furthest level and each level's best stars. It is a
    join (the max of every part), so merging again, or the other way round, changes nothing."""
    stars = dict(remote["stars"])
    for level, count in local["stars"].items():
        stars[level] = max(count, stars.get(level, 0))
    return {"level": max(local["level"], remote["level"]), "stars": stars}


def covers(final: Progress, saved: Progress) -> bool:
    """``final`` keeps everything ``saved`` had (so that save is not lost)."""
    stars = final["stars"]
    return final["level"] >= saved["level"] and all(
        stars.get(level, 0) >= count for level, count in saved["stars"].items()
    )


def show(progress: Progress | None) -> str:
    if progress is None:
        return "nothing"
    stars = sorted(progress["stars"].items(), key=lambda item: int(item[0]))
    return f"level {progress['level']}, stars " + " ".join(f"{k}:{v}" for k, v in stars)


@dataclass
class Game:
    """One player with two devices; each device is a ``Client`` with its own ``data_dir``."""

    url: str
    work: Path
    player: str = field(default_factory=lambda: f"player-{uuid.uuid4()}")
    devices: dict[str, Client] = field(default_factory=dict)
    acknowledged: list[Progress] = field(default_factory=list)  # each value save() returned for
    lines: list[str] = field(default_factory=list)

    async def open(self, name: str, *, online: bool = True) -> Client:
        """Start the game on device ``name``: log in, or (offline) restore the saved session."""

        def merged(local: Progress, remote: Progress) -> Progress:
            kept = merge(local, remote)
            self.lines.append(f"{name}: the cloud changed meanwhile, so merge() decides:")
            self.lines.append(f"    mine:  {show(local)}")
            self.lines.append(f"    cloud: {show(remote)}")
            self.lines.append(f"    kept:  {show(kept)}")
            return kept

        client = Client(self.url, data_dir=self.work / name, merge=merged)
        self.devices[name] = client
        if online:
            await client.auth.custom(self.player)  # the same account on every device
        else:
            await client.auth.restore()  # works offline: the session saved in data_dir
        return client

    async def finish_level(self, name: str, level: int, stars: int) -> None:
        """The level is done: update the progress and save it (durable on this device now)."""
        saves = self.devices[name].saves
        progress = await saves.load(SLOT) or {"level": 0, "stars": {}}
        best = max(stars, progress["stars"].get(str(level), 0))
        progress = {"level": max(progress["level"], level),
                    "stars": {**progress["stars"], str(level): best}}  # fmt: skip
        await saves.save(SLOT, progress)
        self.acknowledged.append(progress)

    def say(self, line: str) -> None:
        self.lines.append(line)


async def online(game: Game) -> None:
    laptop = await game.open("laptop")
    for level, stars in ((1, 3), (2, 2)):
        await game.finish_level("laptop", level, stars)
        await laptop.saves.flush(timeout=10)  # only to print "synced": it goes in the background
        game.say(f"laptop: level {level} done, {stars} stars; saved and synced")


async def offline(game: Game) -> None:
    laptop = game.devices["laptop"]
    await game.finish_level("laptop", 3, 2)
    pending = await laptop.saves.pending()
    game.say(f"laptop: level 3 done offline, 2 stars; saved, pending {pending}")
    await laptop.close()  # the player quits, still offline; the slot waits on disk
    laptop = await game.open("laptop", online=False)
    game.say(f"laptop restarted offline: load() gives {show(await laptop.saves.load(SLOT))}")


async def back_online(game: Game) -> None:
    laptop = game.devices["laptop"]
    await laptop.saves.flush(timeout=10)  # the sender was backing off; flush cuts it short
    game.say(f"laptop: the server is back; synced, pending {await laptop.saves.pending()}")


async def two_devices(game: Game) -> None:
    phone, laptop = await game.open("phone"), game.devices["laptop"]
    game.say(f"phone: a new device; load() fetches {show(await phone.saves.load(SLOT))}")
    await game.finish_level("phone", 4, 2)
    await phone.saves.flush(timeout=10)
    game.say("phone: level 4 done, 2 stars; saved and synced")
    await game.finish_level("laptop", 2, 3)  # the laptop has not seen level 4
    game.say("laptop: level 2 replayed, 3 stars; saved")
    await laptop.saves.flush(timeout=10)  # its write is refused (a newer version): merge decides
    game.say(f"laptop: the merged progress is synced, pending {await laptop.saves.pending()}")


async def check(game: Game) -> None:
    (cloud,) = await game.devices["phone"].storage.read([StorageId(COLLECTION, SLOT)])
    game.say(f"the cloud: {show(cloud.value)}")
    lost = [saved for saved in game.acknowledged if not covers(cloud.value, saved)]
    game.say(f"saves acknowledged: {len(game.acknowledged)}, lost: {len(lost)}")


Chapter = Callable[[Game], Awaitable[None]]
# (chapter, what happens to the server before it): None keeps it as it is.
STORY: list[tuple[Chapter, str | None]] = [
    (online, None),
    (offline, "stop"),
    (back_online, "start"),
    (two_devices, None),
    (check, None),
]


class Server:
    """The embedded server on a file database, stopped and started again on its first port."""

    def __init__(self, db: Path) -> None:
        self.db, self.port = str(db), 0
        self.thread: ServerThread | None = None

    def start(self) -> str:
        self.thread = ServerThread(db_path=self.db, port=self.port).start()
        self.port = int(self.thread.url.rsplit(":", 1)[1])
        return self.thread.url

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.close()
            self.thread = None


def headless(max_frames: int) -> FrameLoop:
    def frames(runner: TickRunner, done: Callable[[], bool], lines: list[str]) -> None:
        run_headless(runner, fps=60, frames=max_frames, until=done)

    return frames


def run_chapter(runner: TickRunner, frames: FrameLoop, chapter: Chapter, game: Game) -> bool:
    """Tick the frame loop until ``chapter`` ends; False (and a line saying why) if it failed."""
    outcome: list[BaseException | None] = []
    runner.submit(chapter(game), on_done=lambda _: outcome.append(None), on_error=outcome.append)
    frames(runner, lambda: bool(outcome), game.lines)
    if not outcome:
        game.say(f"{chapter.__name__} did not finish within the frame limit")
    elif outcome[0] is not None:
        game.say(f"{chapter.__name__} failed: {outcome[0]!r}")
    return outcome == [None]


def play(work: Path, frames: FrameLoop) -> list[str]:
    """Run the story; the lines the game saw (cut short where a chapter failed)."""
    server = Server(work / "server.db")
    game = Game(server.start(), work)
    try:
        with TickRunner() as runner:  # closing it closes the clients opened inside it
            for chapter, change in STORY:
                if change == "stop":
                    server.stop()
                    game.say("-- the server goes down --")
                elif change == "start":
                    server.start()
                    game.say("-- the server is back --")
                if not run_chapter(runner, frames, chapter, game):
                    break
    finally:
        server.stop()
    return game.lines


SIZE = (760, 420)
TEXT_TOP, LINE_HEIGHT = 16, 22  # tests look for text in the first line's band
BACKGROUND = (14, 20, 30)


@contextlib.contextmanager
def window(max_frames: int, screenshot: Path | None) -> Iterator[FrameLoop]:
    """A pygame-ce window showing the story so far; ``screenshot`` gets the last frame."""
    import pygame  # the pygame-ce extra is needed only with --pygame

    from gameservices.engines.pygame import tick_pygame

    pygame.init()
    surface = pygame.display.set_mode(SIZE)
    pygame.display.set_caption("gameservices: cloud save")
    font, clock = pygame.font.Font(None, 24), pygame.time.Clock()  # bundled font: no system ones
    lines: list[str] = []  # the story's, once the first chapter runs

    def draw() -> None:
        surface.fill(BACKGROUND)
        for i, line in enumerate(lines[-(SIZE[1] // LINE_HEIGHT - 1) :]):
            colour = (250, 210, 90) if line.startswith("--") else (225, 230, 240)
            surface.blit(font.render(line, True, colour), (16, TEXT_TOP + i * LINE_HEIGHT))
        pygame.display.flip()

    def frames(runner: TickRunner, done: Callable[[], bool], story: list[str]) -> None:
        nonlocal lines
        lines = story
        for _ in range(max_frames):
            if done() or any(e.type == pygame.QUIT for e in pygame.event.get()):
                break
            draw()
            tick_pygame(runner, clock, 60)  # runner.tick(), then wait for the next frame

    try:
        yield frames
    finally:
        draw()
        if screenshot is not None:
            pygame.image.save(surface, str(screenshot))
        pygame.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1200, help="frames allowed per chapter")
    parser.add_argument("--pygame", action="store_true", help="show it in a pygame-ce window")
    parser.add_argument("--screenshot", type=Path, help="with --pygame: save the last frame")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cloud-save-") as work:
        if args.pygame:
            with window(args.frames, args.screenshot) as frames:
                lines = play(Path(work), frames)
        else:
            lines = play(Path(work), headless(args.frames))
    print("\n".join(lines))
    return 0 if lines and lines[-1].endswith("lost: 0") else 1


if __name__ == "__main__":
    raise SystemExit(main())
