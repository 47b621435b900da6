"""Two headless players meet, become friends, found a clan and play its cup, from a game loop.

    python examples/clans.py                  # starts a reference server (with the cup) for itself
    python examples/clans.py --url http://127.0.0.1:7350 --tournament my_cup

Each player is a ``Client`` of its own (as two installs of a game would be); a ``TickRunner``
driven by ``run_headless`` runs the story and prints what each player sees, inside ``tick()``.
``STEPS`` is the story, one coroutine per chapter, so later chapters append.

Tournaments are made by the server, never by a client: here ``ServerThread(tournaments=...)``
(``gameservices serve``: the ``tournaments`` of its config file; Nakama: ``nk.tournament_create``
in a runtime module). With ``--url``, name one that exists there (a join-required one is fine).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gameservices import Client, FriendState, GroupRole, TickRunner
from gameservices.engines.headless import run_headless
from gameservices.testing.threaded import ServerThread

if TYPE_CHECKING:  # the server extra is needed only when this example starts its own server
    from gameservices.server import Tournament

CUP = "clan_cup"
WEEK = 7 * 24 * 3600


@dataclass
class Story:
    ada: Client
    bo: Client
    lines: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # username -> the name shown
    clan_id: str = ""
    cup: str = CUP

    def say(self, line: str) -> None:
        for username, name in self.names.items():
            line = line.replace(username, name)
        self.lines.append(line)


async def meet(story: Story) -> None:
    tag = uuid.uuid4().hex[:6]  # fresh names: the server may be a shared one
    ada = await story.ada.auth.device(f"ada-{uuid.uuid4()}", username=f"ada_{tag}")
    bo = await story.bo.auth.device(f"bo-{uuid.uuid4()}", username=f"bo_{tag}")
    story.names = {ada.username: "ada", bo.username: "bo", f"clan_{ada.username}": "clan_ada"}
    await story.ada.friends.add(usernames=[bo.username])
    for note in (await story.bo.notifications.list()).notifications:
        story.say(f"bo sees: {note.subject}")
    await story.bo.friends.add(ids=[ada.user_id])  # adding back accepts
    friends = await story.ada.friends.list(FriendState.FRIEND)
    story.say(f"ada's friends: {', '.join(f.user.username for f in friends.friends)}")


async def found_a_clan(story: Story) -> None:
    me = story.ada.session
    assert me is not None
    clan = await story.ada.groups.create(f"clan_{me.username}", open=False, max_count=10)
    story.clan_id = clan.id
    await story.bo.groups.join(clan.id)  # a closed clan: a join request
    for note in (await story.ada.notifications.list()).notifications:
        story.say(f"ada sees: {note.subject}")  # the accept, then the join request
    bo = story.bo.session
    assert bo is not None
    await story.ada.groups.add(clan.id, [bo.user_id])  # accepts the request
    await story.ada.groups.promote(clan.id, [bo.user_id])
    members = await story.bo.groups.members(clan.id)
    for member in members.group_users:
        story.say(f"clan member: {member.user.username} ({GroupRole(member.state).name})")


async def play_the_cup(story: Story) -> None:
    for client in (story.ada, story.bo):
        await client.tournaments.join(story.cup)  # needed when join_required; else a no-op
    await story.ada.tournaments.write(story.cup, 1200)
    await story.ada.tournaments.write(story.cup, 900)  # a worse try: counted, the best kept
    await story.bo.tournaments.submit(story.cup, 1500)  # durable: on disk, sent in order
    await story.bo.outbox.flush(timeout=10)
    owners = [s.user_id for s in (story.ada.session, story.bo.session) if s is not None]
    page = await story.bo.tournaments.records(story.cup, owner_ids=owners)
    for r in sorted(page.owner_records, key=lambda r: r.rank):
        story.say(f"cup standing: {r.rank}. {r.username} {r.score} ({r.num_score} tries)")


STEPS: list[Callable[[Story], Awaitable[None]]] = [meet, found_a_clan, play_the_cup]


def play(url: str, max_frames: int, cup: str, data_dir: str) -> list[str]:
    runner = TickRunner()
    story = Story(Client(url), Client(url, data_dir=data_dir), cup=cup)  # bo's outbox: data_dir
    done: list[bool] = []

    async def tell() -> list[str]:
        async with story.ada, story.bo:
            for step in STEPS:
                await step(story)
        return story.lines

    runner.submit(tell(), on_done=lambda lines: done.append(True), on_error=print)
    run_headless(runner, fps=60, frames=max_frames, until=lambda: bool(done))
    runner.close()
    return story.lines if done else []


def clan_cup() -> Tournament:
    """A week-long cup that players join first, as a clan's would be (the server makes it)."""
    from gameservices.server import Tournament

    return Tournament(CUP, WEEK, title="Clan cup", join_required=True, max_num_score=3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--frames", type=int, default=1200, help="give up after this many frames")
    parser.add_argument("--tournament", default=CUP, help="the clan cup's tournament id")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(ServerThread(tournaments=(clan_cup(),))).url
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="clans-"))
        lines = play(url, args.frames, args.tournament, data_dir)
    print("\n".join(lines) if lines else "the story did not end within the frame limit")
    return 0 if lines else 1


if __name__ == "__main__":
    raise SystemExit(main())
