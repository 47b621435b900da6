"""``gameservices demo`` (interim): a headless 60 Hz game networking through the runner.

The game does ~4 ms of work per frame while it runs the tutorial's coroutine playground and a
TCP echo client against an asyncio echo server on 127.0.0.1 (which answers after a simulated
round trip). It plays once through a TickRunner and once with the tutorial's tick,
``loop.run_until_complete(asyncio.sleep(frame / 3))``, then prints a frame-time report.

Invariants: both games run the same workload on the same schedule; every figure printed is
measured in this run; everything started here is closed before the command returns.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from .._runner import DEFAULT_MODE, TickRunner

__all__ = ["register"]

FPS = 60
PERIOD = 1 / FPS
GAME_WORK = 0.004
ECHO_EVERY = 20  # frames
Submit = Callable[[Any, Callable[[Any], object]], None]


def register(sub: Any) -> None:
    parser = sub.add_parser("demo", help="a headless 60 Hz game networking without hitches")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the main game")
    parser.add_argument("--compare-seconds", type=float, default=2.0, help="tutorial-tick game")
    parser.add_argument("--mode", choices=("inline", "thread"), default=DEFAULT_MODE)
    parser.add_argument("--rtt-ms", type=float, default=40.0, help="echo server reply delay")
    parser.set_defaults(handler=run)


class Step:
    """The tutorial's AwaitableObject for asyncio: a bare yield is one loop iteration."""

    def __await__(self) -> Generator[None, None, None]:
        yield


async def playground(count: int, log: list[str]) -> int:
    for i in range(count):
        await Step()
        log.append(f"iteration {i}")
    return count


async def echo_server(rtt: float) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read(100)
        await asyncio.sleep(rtt)
        writer.write(data)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def echo(port: int, message: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(message)
    data = await reader.read(100)
    writer.close()
    await writer.wait_closed()
    return data


@dataclass
class Report:
    name: str
    frames: list[float] = field(default_factory=list)  # frame durations (work + networking)
    net: list[float] = field(default_factory=list)
    echoes: list[int] = field(default_factory=list)  # round trips, in frames
    sent: int = 0
    steps: int = 0


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def play(report: Report, frames: int, port: int, submit: Submit, tick: Callable[[], None]) -> None:
    log: list[str] = []
    now = {"frame": 0}
    submit(playground(50, log), lambda n: setattr(report, "steps", n))
    start = time.perf_counter()
    for n in range(frames):
        now["frame"] = n
        if (late := start + n * PERIOD - time.perf_counter()) > 0:
            time.sleep(late)
        t0 = time.perf_counter()
        spin(GAME_WORK)
        if n % ECHO_EVERY == 0:
            report.sent += 1
            submit(echo(port, b"hello"), _round_trip(report, now, n))
        t1 = time.perf_counter()
        tick()
        t2 = time.perf_counter()
        report.net.append(t2 - t1)
        report.frames.append(t2 - t0)
    for _ in range(2 * FPS):  # a few more (unmeasured) frames for replies still in flight
        if len(report.echoes) == report.sent and report.steps:
            break
        time.sleep(PERIOD)
        tick()


def _round_trip(report: Report, now: dict[str, int], sent: int) -> Callable[[Any], None]:
    def done(_: Any) -> None:
        report.echoes.append(now["frame"] - sent)

    return done


def with_runner(frames: int, mode: str, rtt: float) -> Report:
    report = Report(f"gameservices ({mode})")
    with TickRunner(mode=mode) as runner:  # type: ignore[arg-type]  # argparse checked it
        handle = runner.submit(echo_server(rtt))
        while not handle.done():
            runner.wait(5.0)
            runner.tick()
        server = handle.result()
        runner.on_close(_closer(server))
        port = server.sockets[0].getsockname()[1]

        def submit(coro: Any, done: Callable[[Any], object]) -> None:
            runner.submit(coro, on_done=done)

        play(report, frames, port, submit, runner.tick)
    return report


def with_tutorial_tick(frames: int, rtt: float) -> Report:
    report = Report("tutorial sleep(frame/3)")
    loop = asyncio.new_event_loop()
    try:
        server = loop.run_until_complete(echo_server(rtt))
        port = server.sockets[0].getsockname()[1]

        def submit(coro: Any, done: Callable[[Any], object]) -> None:
            loop.create_task(coro).add_done_callback(lambda task: done(task.result()))

        def tick() -> None:
            loop.run_until_complete(asyncio.sleep(PERIOD / 3))

        play(report, frames, port, submit, tick)
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(_closer(server)())
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
    return report


def _closer(server: asyncio.Server) -> Callable[[], Any]:
    async def close() -> None:
        server.close()
        await server.wait_closed()

    return close


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def render(reports: list[Report]) -> str:
    ms = 1000
    lines = [
        f"frame-time report: {FPS} Hz, {GAME_WORK * ms:.0f} ms of game work per frame",
        f"{'':26}{'frame p50':>10}{'p99':>8}{'max':>8}{'missed':>8}"
        f"{'net p50':>9}{'net p99':>9}{'echo':>7}{'steps':>7}",
        f"{'':26}{'ms':>10}{'ms':>8}{'ms':>8}{'frames':>8}{'us':>9}{'us':>9}{'frames':>7}{'':>7}",
    ]
    for r in reports:
        missed = sum(int(f // PERIOD) for f in r.frames)
        echo_p50 = _pct([float(e) for e in r.echoes], 0.5)
        lines.append(
            f"{r.name:26}{_pct(r.frames, 0.5) * ms:10.2f}{_pct(r.frames, 0.99) * ms:8.2f}"
            f"{max(r.frames) * ms:8.2f}{missed:8d}{_pct(r.net, 0.5) * 1e6:9.0f}"
            f"{_pct(r.net, 0.99) * 1e6:9.0f}{echo_p50:7.0f}{r.steps:7d}"
        )
    lines.append("net: time the frame spent ticking the network; echo: round trip in frames, p50")
    lines.append("steps: playground coroutine steps completed (50 expected)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    rtt = args.rtt_ms / 1000
    print(f"playing {args.seconds:g} s through a TickRunner ({args.mode}) ...", flush=True)
    ours = with_runner(round(args.seconds * FPS), args.mode, rtt)
    print(f"playing {args.compare_seconds:g} s with the tutorial's tick ...", flush=True)
    theirs = with_tutorial_tick(round(args.compare_seconds * FPS), rtt)
    print(render([ours, theirs]))
    print(f"echoes answered: {len(ours.echoes)}/{ours.sent} (runner), "
          f"{len(theirs.echoes)}/{theirs.sent} (tutorial tick)")  # fmt: skip
    return 0
