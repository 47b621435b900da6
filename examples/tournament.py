"""Two headless players play a tournament: list it, join, post scores (one through the durable
outbox), and print the standings.

    python examples/tournament.py                     # starts a reference server with a cup
    python examples/tournament.py --url http://127.0.0.1:7350 --tournament my_cup

With ``--url`` the tournament must exist there (on Nakama: ``nk.tournament_create`` in a runtime
module; on ``gameservices serve``: the ``tournaments`` of its config file).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import uuid

from gameservices import Client
from gameservices.testing.threaded import ServerThread

CUP = "example_cup"


async def play(url: str, tournament: str, save_dir: str) -> list[str]:
    async with Client(url) as ada, Client(url, data_dir=save_dir) as bob:
        for client, name in ((ada, "ada"), (bob, "bob")):
            tag = uuid.uuid4().hex[:6]
            await client.auth.device(f"device-{uuid.uuid4()}", username=f"{name}-{tag}")
        found = [t async for t in ada.tournaments.iterate() if t.id == tournament]
        if not found:
            return [f"no tournament {tournament!r} is open on {url}"]
        cup = found[0]
        lines = [f"{cup.title or cup.id}: {cup.max_num_score} tries, open: {cup.can_enter}"]
        for client in (ada, bob):
            await client.tournaments.join(tournament)  # needed when join_required; else a no-op
        await ada.tournaments.write(tournament, 1200, metadata={"car": "red"})
        await ada.tournaments.write(tournament, 900)  # a worse try: counted, the best kept
        await bob.tournaments.submit(tournament, 1500)  # durable: on disk, sent in order
        await bob.outbox.flush()
        owners = [s.user_id for s in (ada.session, bob.session) if s is not None]
        page = await ada.tournaments.records(tournament, owner_ids=owners)
        for r in sorted(page.owner_records, key=lambda r: -r.score):
            lines.append(f"{r.rank:>3}  {r.username:<12} {r.score:>6}  ({r.num_score} tries)")
        return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--tournament", default=CUP, help="the tournament's id")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.url:
            url = args.url
        else:
            from gameservices.server import Tournament

            cup = Tournament(CUP, 7 * 24 * 3600, title="Example cup", max_num_score=3,
                             join_required=True)  # fmt: skip
            url = stack.enter_context(ServerThread(tournaments=(cup,))).url
        save_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="tournament-"))
        lines = asyncio.run(play(url, args.tournament, save_dir))
    print("\n".join(lines))
    return 0 if len(lines) > 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
