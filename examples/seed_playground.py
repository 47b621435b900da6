"""The tutorial's coroutine playground, then the same coroutine driven by a TickRunner.

Part 1 steps the coroutine by hand with ``send()``, exactly as the tutorial does. Part 2 hands
it to the runner: each bare ``yield`` inside the awaitable gives the event loop one iteration,
and a 60 Hz headless game loop ticks the runner, so you can see which frame each step ran in.

    python examples/seed_playground.py [--frames 30] [--count 5] [--mode inline|thread]
"""

from __future__ import annotations

import argparse
from collections.abc import Generator
from typing import Any

from gameservices import TickRunner
from gameservices.engines.headless import run_headless

frame = 0  # the game's current frame, for the printout


class AwaitableObject:
    """Breaks a coroutine's execution twice; whoever steps the coroutine decides what it gets."""

    def __init__(self, step: int) -> None:
        self.step = step

    def __await__(self) -> Generator[Any, Any, Any]:
        print(f"[frame {frame}] awaiting inside the object...")
        sent = yield f"break {self.step} !"
        print(f"[frame {frame}] received: {sent}")
        return (yield f"break {self.step} ! (wow)")


class LoopAwaitable(AwaitableObject):
    """The same object for asyncio: a bare ``yield`` (None) means "run me again next iteration"."""

    def __await__(self) -> Generator[Any, Any, Any]:
        print(f"[frame {frame}] awaiting inside the object...")
        sent = yield
        print(f"[frame {frame}] received: {sent}")
        return (yield)


async def async_function(count: int, awaitable: type[AwaitableObject]) -> str:
    print(f"[frame {frame}] started!")
    for i in range(count):
        print(f"[frame {frame}] iteration: {i}")
        result = await awaitable(i)
        print(f"[frame {frame}] await done: {result}")
    return "finished"


def by_hand(count: int) -> None:
    print("== part 1: stepping the coroutine by hand, as in the tutorial ==")
    coroutine = async_function(count, AwaitableObject)
    out = coroutine.send(None)  # the first send must be None
    n = 0
    try:
        while True:
            print(f"  yielded to us: {out!r}")
            n += 1
            out = coroutine.send(f"value {n}")
    except StopIteration as stop:
        print(f"  returned: {stop.value!r}")


def by_runner(count: int, frames: int, mode: str) -> None:
    print(f"== part 2: the same coroutine on a TickRunner ({mode}), ticked at 60 Hz ==")
    global frame
    done: list[str] = []

    def on_frame(n: int) -> None:
        global frame
        frame = n  # the game's own work would go here

    with TickRunner(mode=mode) as runner:  # type: ignore[arg-type]  # checked by argparse
        runner.submit(async_function(count, LoopAwaitable), on_done=done.append)
        result = run_headless(
            runner, 60, frames=frames, until=lambda: bool(done), on_frame=on_frame
        )
    print(f"returned {done[0]!r} to on_done in frame {result.frames - 1}, on the game thread")
    print("(inline mode runs as many loop iterations per tick as fit in its budget)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--mode", choices=("inline", "thread"), default="inline")
    args = parser.parse_args(argv)
    by_hand(args.count)
    by_runner(args.count, args.frames, args.mode)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
