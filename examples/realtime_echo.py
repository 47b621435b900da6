"""The tutorial's echo client over the realtime socket: one connection, messages echoed in tick().

    python examples/realtime_echo.py [--frames 120] [--mode inline|thread] [--via chat|rpc]
    python examples/realtime_echo.py --url http://127.0.0.1:7350 --via rpc --rpc-id gs_echo

The seed tutorial (``seed_echo.py``) opens a TCP connection per message to an echo server. Here
the game keeps one realtime socket open, and the echo comes one of two ways:

- ``--via chat`` (the default): the chat server echoes. A player who sends a message to a room
  receives it back, as every member does (Nakama sends you your own messages, and so does the
  reference server); the room is not persistent, so nothing is kept. ``echoed`` runs inside
  ``tick()`` as a ``channel_message`` event.
- ``--via rpc``: a server function answers with its payload (``rt.rpc``, a request and its
  reply over the socket). The embedded server runs ``echo_function`` below; on your own server name
  one with ``--rpc-id`` (the Lua modules in tests/nakama/modules register ``gs_echo``).
  ``echoed`` runs inside ``tick()`` as the call's ``on_done``.

Every ``SEND_EVERY`` frames the game submits a send; nothing in the frame waits for the network.
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


def echo_function(context: object, payload: str) -> str:
    """The embedded server's ``echo`` (an ``RpcContext`` and the payload's JSON text): the
    payload back, unchanged, as ``gs_echo`` in Lua."""
    return payload


class Echo:
    def __init__(self, rpc_id: str | None = None) -> None:
        self.rpc_id = rpc_id  # None: the chat room echoes
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

    async def send(self, n: int) -> dict[str, object] | None:
        assert self.rt is not None
        assert self.channel is not None
        content = {"n": n, "text": f"Hello World! #{n}"}
        if self.rpc_id is not None:
            answer: dict[str, object] = await self.rt.rpc(self.rpc_id, content)
            return answer
        await self.rt.send_chat_message(self.channel.id, content)
        return None  # the echo comes as a channel_message event

    def echoed(self, message: ChannelMessage) -> None:
        self.back(message.content)

    def back(self, content: dict[str, object] | None) -> None:
        if content is None:
            return
        n = int(str(content["n"]))
        self.trips.append(self.frame - self.sent[n])
        print(f"Received {content['text']!r} (message {n}) after {self.trips[-1]} frames")


def run(url: str, frames: int, mode: str, rpc_id: str | None) -> Echo:
    echo = Echo(rpc_id)
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
                runner.submit(echo.send(n), on_done=echo.back, on_error=print)

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
    parser.add_argument("--via", choices=("chat", "rpc"), default="chat", help="who echoes")
    parser.add_argument("--rpc-id", default="echo", help="the echo function (--via rpc)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = (
            args.url
            or stack.enter_context(
                ServerThread(db_path=":memory:", rpc={"echo": echo_function})
            ).url
        )
        rpc_id = args.rpc_id if args.via == "rpc" else None
        echo = run(url, args.frames, args.mode, rpc_id)
    return 0 if echo.sent and len(echo.trips) == len(echo.sent) else 1


if __name__ == "__main__":
    raise SystemExit(main())
