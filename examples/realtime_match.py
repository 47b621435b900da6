"""Two headless players meet through the matchmaker and swap positions at 20 Hz in a relayed match.

    python examples/realtime_match.py                 # starts a reference server for itself
    python examples/realtime_match.py --url http://127.0.0.1:7350 --seconds 5

One ``TickRunner`` runs both players (two ``Client``s, as two installs of a game would be) in a
60 Hz loop. ``meet`` logs them in, opens their sockets, adds a matchmaker ticket each and joins
the match the matchmaker made; then every third frame each player sends its position
(``send_match_data``, no reply to wait for), and ``Player.heard`` receives the other's inside
``tick()``, on the game thread, through ``rt.on("match_data", ...)``. The summary it prints is
the same on every run; the time a position took to arrive, in frames, goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import struct
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from gameservices import Client, Realtime, RealtimeEvent, TickRunner
from gameservices.engines.headless import run_headless
from gameservices.realtime import MatchData
from gameservices.testing.threaded import ServerThread

FPS = 60
SEND_EVERY = 3  # frames: 20 Hz
POSITION = 1  # op code
PACKET = struct.Struct(">Iff")  # sequence number, x, y: 12 bytes
WAIT_FRAMES = 60 * FPS  # a real Nakama's matchmaker forms groups every 15 s


@dataclass
class Player:
    name: str
    client: Client
    step: tuple[float, float]  # how far it walks each send
    rt: Realtime | None = None
    match_id: str = ""
    sent: int = 0
    got: list[tuple[int, float, float]] = field(default_factory=list)
    latency: list[int] = field(default_factory=list)  # frames from send to arrival
    frame: int = 0  # the frame being played

    def position(self, seq: int) -> tuple[float, float]:
        return (self.step[0] * seq, self.step[1] * seq)

    def heard(self, data: MatchData) -> None:
        """The other player's position (runs in tick(), on the game thread)."""
        if data.op_code == POSITION:
            seq, x, y = PACKET.unpack(data.data)
            self.got.append((seq, x, y))
            self.latency.append(self.frame - seq * SEND_EVERY)  # both send on the same frames


async def first(events: AsyncIterator[RealtimeEvent], kind: str) -> Any:
    async for event in events:
        if event.kind == kind:
            return event.data
    raise RuntimeError(f"the socket closed before {kind}")


async def meet(players: list[Player]) -> None:
    """Log in, open the sockets, matchmake, join the match (inside the runner: events in tick)."""
    tag = uuid.uuid4().hex[:8]  # this run's own matchmaker pool, on a shared server too
    for p in players:
        await p.client.auth.device(f"{p.name}-{uuid.uuid4()}", username=f"{p.name}_{tag}")
        p.rt = await p.client.realtime().connect()
    found = [p.rt.events("matchmaker_matched") for p in players if p.rt is not None]
    for p in players:
        assert p.rt is not None
        await p.rt.add_matchmaker(f"+properties.mode:race{tag}", 2, 2,
                                  string_properties={"mode": f"race{tag}"})  # fmt: skip
    for p, events in zip(players, found, strict=True):
        matched = await first(events, "matchmaker_matched")
        await events.aclose()
        assert p.rt is not None
        p.match_id = (await p.rt.join_match(token=matched.token)).match_id
        p.rt.on("match_data", p.heard, owner=p)


async def send(p: Player, seq: int) -> None:
    assert p.rt is not None
    await p.rt.send_match_data(p.match_id, POSITION, PACKET.pack(seq, *p.position(seq)))


def play(url: str, seconds: float) -> list[Player] | None:
    sends = int(seconds * FPS / SEND_EVERY)
    players = [Player("ada", Client(url), (1.0, 0.0)), Player("bo", Client(url), (0.0, 0.5))]
    with TickRunner() as runner:
        met = runner.submit(meet(players))
        run_headless(runner, fps=FPS, frames=WAIT_FRAMES, until=met.done)
        if not met.done() or met.exception() is not None:
            print(f"no match: {met.exception() if met.done() else 'timed out'}", file=sys.stderr)
            return None

        def on_frame(n: int) -> None:
            for p in players:
                p.frame = n
                if n % SEND_EVERY == 0 and n // SEND_EVERY < sends:
                    p.sent += 1
                    runner.submit(send(p, n // SEND_EVERY))

        def everything_arrived() -> bool:
            return all(len(p.got) >= sends for p in players)

        run_headless(runner, fps=FPS, frames=sends * SEND_EVERY + WAIT_FRAMES,
                     until=everything_arrived, on_frame=on_frame)  # fmt: skip
    return players


def summary(players: list[Player]) -> list[str]:
    lines = ["matched by the matchmaker: ada and bo, in one relayed match"]
    for me, other in ((players[1], players[0]), (players[0], players[1])):
        seqs = [seq for seq, _, _ in me.got]
        order = "in order" if seqs == sorted(seqs) else "out of order"
        last = f"({me.got[-1][1]:g}, {me.got[-1][2]:g})" if me.got else "nothing"
        lines.append(f"{other.name} sent {other.sent} positions at 20 Hz; {me.name} received "
                     f"{len(me.got)}, {order}, the last at {last}")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long they play")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(ServerThread(db_path=":memory:")).url
        players = play(url, args.seconds)
    if players is None:
        return 1
    print("\n".join(summary(players)))
    for p in players:
        if p.latency:
            print(f"{p.name}: a position took {statistics.median(p.latency):g} frames (median), "
                  f"{max(p.latency)} at most, to arrive", file=sys.stderr)  # fmt: skip
    return 0 if all(len(p.got) == p.sent for p in players) else 1


if __name__ == "__main__":
    raise SystemExit(main())
