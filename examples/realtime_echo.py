"""The tutorial's echo client over the realtime socket: one connection, messages echoed in tick().

    python examples/realtime_echo.py [--frames 120] [--mode inline|thread] [--url URL]

The seed tutorial (``seed_echo.py``) opens a TCP connection per message to an echo server. Here
the game keeps one realtime socket open and the echo server is the chat server: a player who
sends a message to a room receives it back, as every member does (Nakama sends you your own
messages, and so does the reference server). The room is not persistent, so nothing is kept.
Every ``SEND_EVERY`` frames the game submits a send; ``echoed`` runs inside ``tick()``, on the
game thread, when the message comes back. Nothing in the frame waits for the network.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import uuid

from gameservices import Client, Realtime, TickRunner
from gameservices.engines.headless import run_headless
from gameservices.realtime import Channel, ChannelMessage
from gameservices.testing.threaded import ServerThread

FPS = 60
SEND_EVERY = 15  # frames, as in seed_echo.py


class Echo:
    def __init__(self) -> None:
        self.rt: Realtime | None = None
        self.channel: Channel | None = None
        self.frame = 0
        self.sent: dict[int, int] = {}  # message number -> frame it was sent
        self.trips: list[int] = []

    async def connect(self, client: Client) -> None:
        await client.auth.device(f"echo-{uuid.uuid4()}")
        self.rt = await client.realtime().connect()  # inside the runner: events come in tick()
        self.rt.on("channel_message", self.echoed, owner=self)
        room = f"echo-{uuid.uuid4().hex[:12]}"  # a room of one
        self.channel = await self.rt.join_chat(room, persistence=False)

    async def send(self, n: int) -> None:
        assert self.rt is not None
        assert self.channel is not None
        await self.rt.send_chat_message(self.channel.id, {"n": n, "text": f"Hello World! #{n}"})

    def echoed(self, message: ChannelMessage) -> None:
        n = message.content["n"]
        self.trips.append(self.frame - self.sent[n])
        print(f"Received {message.content['text']!r} (message {n}) after {self.trips[-1]} frames")


def run(url: str, frames: int, mode: str) -> Echo:
    echo = Echo()
    with TickRunner(mode=mode) as runner:  # type: ignore[arg-type]  # checked by argparse
        client = Client(url)
        connected = runner.submit(echo.connect(client))
        run_headless(runner, FPS, frames=10 * FPS, until=connected.done)
        connected.result()

        def on_frame(frame: int) -> None:
            echo.frame = frame
            if frame % SEND_EVERY == 0 and frame < frames:
                n = len(echo.sent)
                echo.sent[n] = frame
                runner.submit(echo.send(n))

        def all_back() -> bool:  # after the last frame, wait (ticking) for late echoes
            return echo.frame >= frames and len(echo.trips) == len(echo.sent)

        result = run_headless(runner, FPS, frames=frames + 10 * FPS, until=all_back,
                              on_frame=on_frame)  # fmt: skip
        stats = runner.stats
    median = statistics.median(echo.trips) if echo.trips else 0
    print(f"{len(echo.trips)}/{len(echo.sent)} echoes over one socket in {result.frames} "
          f"frames; back after {median:g} frames (median); tick p99 "
          f"{stats.tick_p99 * 1e6:.0f} us; missed frames: {result.missed}")  # fmt: skip
    return echo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--mode", choices=("inline", "thread"), default="inline")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(ServerThread(db_path=":memory:")).url
        echo = run(url, args.frames, args.mode)
    return 0 if echo.sent and len(echo.trips) == len(echo.sent) else 1


if __name__ == "__main__":
    raise SystemExit(main())
