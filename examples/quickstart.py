"""The README's first program: log in, submit a score, show the top 10, from a game loop.

    python examples/quickstart.py                 # starts a reference server for itself
    python examples/quickstart.py --url http://127.0.0.1:7350

Everything between the two ``# ---`` lines is the README snippet; the rest picks the server.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
import uuid

from gameservices import Client, TickRunner
from gameservices.testing.threaded import ServerThread


def play(url: str, save_dir: str, max_frames: int) -> list[str]:
    lines: list[str] = []
    # ---
    runner = TickRunner()  # asyncio, stepped by your game loop
    client = Client(url, server_key="defaultkey", data_dir=save_dir)

    async def start():
        device = f"device-{uuid.uuid4()}"  # a real game makes one per install and keeps it
        await client.auth.device(device, create=True, username=f"player-{device[-6:]}")
        await client.leaderboards.submit("weekly", 1200)  # durable: on disk, sent in order
        await client.outbox.flush()  # wait for delivery, so the table below includes it
        return await client.leaderboards.list("weekly", limit=10)

    def show(page):  # runs inside runner.tick(), on this thread
        lines.extend(f"{r.rank:>3}  {r.username:<12} {r.score:>8}" for r in page.records)

    runner.submit(start(), on_done=show, on_error=print)
    for _frame in range(max_frames):  # your game loop
        time.sleep(1 / 60)  # stands in for your frame's work
        runner.tick()  # microseconds when idle; never blocks
        if lines:
            break
    runner.close()  # also closes the client
    # ---
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--frames", type=int, default=600, help="give up after this many frames")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(ServerThread()).url
        save_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="quickstart-"))
        lines = play(url, save_dir, args.frames)
    print("\n".join(lines) if lines else "no leaderboard within the frame limit")
    return 0 if lines else 1


if __name__ == "__main__":
    raise SystemExit(main())
