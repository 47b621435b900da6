"""Two headless players meet, become friends and found a clan, from a game loop.

    python examples/clans.py                  # starts a reference server for itself
    python examples/clans.py --url http://127.0.0.1:7350

Each player is a ``Client`` of its own (as two installs of a game would be); a ``TickRunner``
driven by ``run_headless`` runs the story and prints what each player sees, inside ``tick()``.
``STEPS`` is the story, one coroutine per chapter, so later chapters (a clan tournament) append.
"""

from __future__ import annotations

import argparse
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gameservices import Client, FriendState, GroupRole, TickRunner
from gameservices.engines.headless import run_headless
from gameservices.testing.threaded import ServerThread


@dataclass
class Story:
    ada: Client
    bo: Client
    lines: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # username -> the name shown
    clan_id: str = ""

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


STEPS: list[Callable[[Story], Awaitable[None]]] = [meet, found_a_clan]


def play(url: str, max_frames: int) -> list[str]:
    runner = TickRunner()
    story = Story(Client(url), Client(url))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--frames", type=int, default=1200, help="give up after this many frames")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(ServerThread()).url
        lines = play(url, args.frames)
    print("\n".join(lines) if lines else "the story did not end within the frame limit")
    return 0 if lines else 1


if __name__ == "__main__":
    raise SystemExit(main())
