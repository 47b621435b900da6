"""The tutorial's TCP echo client, done right: asyncio through a TickRunner, next to the blocking
version whose frame hitch it measures.

A local echo server stands in for the tutorial's remote host (``daring.cwi.nl``); it answers
after ``--rtt-ms`` to behave like a distant one. It runs on its own runner thread, so the
blocking client can reach it while it blocks the game.

    python examples/seed_echo.py [--frames 120] [--rtt-ms 50] [--mode inline|thread]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import time

from gameservices import TickRunner
from gameservices.engines.headless import run_headless

HOST = "127.0.0.1"
FPS = 60
SEND_EVERY = 15  # frames


def echo_server(rtt: float) -> tuple[TickRunner, int]:
    """Start the stand-in remote host; returns its runner and port."""

    async def handle_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read(100)
        await asyncio.sleep(rtt)  # the round trip to a distant server
        writer.write(data)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def start() -> int:
        server = await asyncio.start_server(handle_echo, HOST, 0)

        async def stop() -> None:
            server.close()
            await server.wait_closed()

        host.on_close(stop)
        port: int = server.sockets[0].getsockname()[1]
        return port

    host = TickRunner(mode="thread")
    handle = host.submit(start())
    while not handle.done():
        host.wait(5.0)
        host.tick()
    return host, handle.result()


async def tcp_echo_client(message: str, port: int) -> str:
    """The tutorial's asyncio client, unchanged but for the port."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(message.encode())
    data = await reader.read(100)
    writer.close()
    await writer.wait_closed()
    return data.decode()


def blocking_echo(message: str, port: int) -> str:
    """The tutorial's first version: the game waits in recv()."""
    with socket.create_connection((HOST, port)) as client_socket:
        client_socket.sendall(message.encode())
        return client_socket.recv(1024).decode()


def blocking_frame(port: int) -> float:
    start = time.perf_counter()
    data = blocking_echo("Hello, world", port)
    hitch = time.perf_counter() - start
    print(f"blocking: Received {data!r}; that frame stalled {hitch * 1000:.1f} ms "
          f"({int(hitch * FPS)} frames missed)")  # fmt: skip
    return hitch


def runner_echo(port: int, frames: int, mode: str) -> None:
    sent: dict[int, int] = {}
    trips: list[int] = []
    frame_times: list[float] = []
    state = {"frame": 0, "last": time.perf_counter()}

    def received(n: int, data: str) -> None:
        trips.append(state["frame"] - sent[n])
        print(f"runner:   Received {data!r} (message {n}) after {trips[-1]} frames")

    def on_frame(frame: int) -> None:
        now = time.perf_counter()
        frame_times.append(now - state["last"])
        state["frame"], state["last"] = frame, now
        if frame % SEND_EVERY == 0 and frame < frames:
            n = len(sent)
            sent[n] = frame
            runner.submit(tcp_echo_client(f"Hello World! #{n}", port),
                          on_done=lambda data: received(n, data))  # fmt: skip

    with TickRunner(mode=mode) as runner:  # type: ignore[arg-type]  # checked by argparse

        def all_back() -> bool:  # after the last frame, wait (ticking) for late replies
            return state["frame"] >= frames and len(trips) == len(sent)

        limit = frames + 10 * FPS
        result = run_headless(runner, FPS, frames=limit, until=all_back, on_frame=on_frame)
        stats = runner.stats
    worst = max(frame_times[1:], default=0.0)
    print(f"runner:   {len(trips)}/{len(sent)} echoes in {result.frames} frames; "
          f"replies after {statistics.median(trips) if trips else 0:.0f} frames (median); "
          f"tick p99 {stats.tick_p99 * 1e6:.0f} us; worst frame interval {worst * 1000:.1f} ms; "
          f"missed frames: {result.missed}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    parser.add_argument("--mode", choices=("inline", "thread"), default="inline")
    args = parser.parse_args(argv)
    host, port = echo_server(args.rtt_ms / 1000)
    try:
        blocking_frame(port)
        runner_echo(port, args.frames, args.mode)
    finally:
        host.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
