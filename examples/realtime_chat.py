"""pygame (pygame-ce): a lobby chat room and your friends online, over the realtime socket.

    python examples/realtime_chat.py                 # starts a server, and two friends who chat
    python examples/realtime_chat.py --url http://127.0.0.1:7350

You log in, befriend two bot players (bo and cy, in this process, as other installs would be),
follow their status and join the lobby; they come online, set a status and talk; you say
``--say`` (then type: Enter sends). The only gameservices call in the main loop is
``runner.tick()``: chat messages and status changes arrive inside it, on the main thread, where
drawing them is safe (``rt.on(..., owner=screen)``).
"""

from __future__ import annotations

import argparse
import contextlib
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from gameservices import Client, FriendState, Realtime, TickRunner
from gameservices.engines.pygame import tick_pygame
from gameservices.realtime import ChannelMessage, Presence, StatusPresenceEvent
from gameservices.testing.threaded import ServerThread

SIZE = (640, 400)
CHAT = pygame.Rect(20, 50, 390, 300)  # the chat lines (tests look for text here)
FRIENDS = pygame.Rect(430, 50, 190, 300)  # who is online
BACKGROUND = (16, 18, 28)
LINE_HEIGHT = 22
BOTS = (("bo", "in the lobby", "anyone up for a duel?"), ("cy", "looking for a duel", "me!"))


@dataclass
class Screen:
    """What the window shows; changed only by runner callbacks (inside ``tick()``)."""

    me: str = ""  # my user id
    status: str = "logging in..."
    lines: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=12))
    online: dict[str, tuple[str, str]] = field(default_factory=dict)  # user id -> name, status
    typed: str = ""

    def name(self, user_id: str, username: str) -> str:
        return "you" if user_id == self.me else username.split("_")[0]

    def heard(self, message: ChannelMessage) -> None:  # yours come back too (Nakama's way)
        self.lines.append((self.name(message.sender_id, message.username),
                           str(message.content.get("text", ""))))  # fmt: skip

    def seen(self, presences: tuple[Presence, ...]) -> None:
        for p in presences:
            if p.user_id != self.me:
                self.online[p.user_id] = (self.name(p.user_id, p.username), p.status or "online")

    def changed(self, event: StatusPresenceEvent) -> None:
        for p in event.leaves:  # a status change is a leave of the old and a join of the new
            self.online.pop(p.user_id, None)
        self.seen(event.joins)

    def failed(self, exc: BaseException) -> None:
        self.status = f"offline: {exc}"


@dataclass
class Lobby:
    """The socket and the room, once ``enter`` made them."""

    rt: Realtime | None = None
    channel_id: str = ""

    async def say(self, text: str) -> None:
        if self.rt is not None and self.channel_id:
            await self.rt.send_chat_message(self.channel_id, {"text": text})


async def enter(me: Client, screen: Screen, lobby: Lobby, url: str, say: str) -> None:
    """Log in, befriend the bots, follow them, join the lobby; then the bots play their part."""
    tag = uuid.uuid4().hex[:6]  # fresh names and a fresh lobby: the server may be a shared one
    session = await me.auth.device(f"chat-{uuid.uuid4()}", username=f"you_{tag}")
    screen.me = session.user_id
    bots = [(Client(url), name, status, line) for name, status, line in BOTS]
    for bot, name, _, _ in bots:
        await bot.auth.device(f"{name}-{uuid.uuid4()}", username=f"{name}_{tag}")
        await bot.friends.add(ids=[session.user_id])  # an invite...
    friends = await me.friends.list(FriendState.INVITE_RECEIVED)
    await me.friends.add(ids=[f.user.id for f in friends.friends])  # ...accepted
    lobby.rt = rt = await me.realtime().connect()  # inside the runner: events come in tick()
    rt.on("channel_message", screen.heard, owner=screen)
    rt.on("status_presence_event", screen.changed, owner=screen)
    mine = await me.friends.list(FriendState.FRIEND)
    screen.seen(await rt.follow_users(ids=[f.user.id for f in mine.friends]))
    room = f"lobby-{tag}"
    lobby.channel_id = (await rt.join_chat(room)).id
    screen.status = f"lobby ({len(mine.friends)} friends)"
    for bot, _, status, line in bots:  # the other players come online, and talk
        their = await bot.realtime().connect()
        await their.update_status(status)
        channel = await their.join_chat(room)
        await their.send_chat_message(channel.id, {"text": line})
    await lobby.say(say)


def draw(surface: Any, font: Any, screen: Screen) -> None:
    surface.fill(BACKGROUND)
    surface.blit(font.render(screen.status, True, (250, 210, 90)), (20, 16))
    pygame.draw.rect(surface, (60, 60, 80), CHAT, 1)
    for i, (name, text) in enumerate(screen.lines):
        y = CHAT.y + 6 + i * LINE_HEIGHT
        surface.blit(font.render(f"{name}:", True, (120, 200, 250)), (CHAT.x + 6, y))
        surface.blit(font.render(text, True, (235, 235, 245)), (CHAT.x + 60, y))
    pygame.draw.rect(surface, (60, 60, 80), FRIENDS, 1)
    surface.blit(font.render("friends online", True, (200, 200, 210)), (FRIENDS.x + 6, 56))
    for i, (name, status) in enumerate(sorted(screen.online.values())):
        y = FRIENDS.y + 30 + i * 2 * LINE_HEIGHT
        surface.blit(font.render(name, True, (120, 220, 140)), (FRIENDS.x + 6, y))
        surface.blit(font.render(status, True, (170, 170, 190)), (FRIENDS.x + 16, y + 20))
    surface.blit(font.render(f"> {screen.typed}", True, (235, 235, 245)), (20, 362))


def handle_input(event: Any, screen: Screen, lobby: Lobby, runner: TickRunner) -> None:
    if event.type == pygame.TEXTINPUT:
        screen.typed += event.text
    elif event.type == pygame.KEYDOWN and event.key == pygame.K_BACKSPACE:
        screen.typed = screen.typed[:-1]
    elif event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN and screen.typed:
        runner.submit(lobby.say(screen.typed), on_error=screen.failed)
        screen.typed = ""


def everything_shown(screen: Screen) -> bool:
    statuses = {name: status for name, status in screen.online.values()}
    return len(screen.lines) == len(BOTS) + 1 and statuses == {n: s for n, s, _ in BOTS}


def run(url: str, say: str, frames: int | None, screenshot: Path | None) -> Screen:
    pygame.init()
    try:
        surface = pygame.display.set_mode(SIZE)
        pygame.display.set_caption("gameservices: lobby")
        font = pygame.font.Font(None, 24)  # pygame's bundled font: no system fonts needed
        clock = pygame.time.Clock()
        screen, lobby = Screen(), Lobby()
        with TickRunner() as runner:
            runner.submit(enter(Client(url), screen, lobby, url, say), on_error=screen.failed)
            frame = 0
            while frames is None or frame < frames:
                events = pygame.event.get()
                if any(e.type == pygame.QUIT for e in events):
                    break
                for event in events:
                    handle_input(event, screen, lobby, runner)
                draw(surface, font, screen)
                pygame.display.flip()
                tick_pygame(runner, clock, 60)  # runner.tick(), then wait for the next frame
                frame += 1
                if frames is not None and everything_shown(screen):
                    break  # short runs (tests) stop once everything is on screen
            draw(surface, font, screen)
            if screenshot is not None:
                pygame.image.save(surface, str(screenshot))
        return screen
    finally:
        pygame.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one for this run)")
    parser.add_argument("--say", default="hi all", help="what you say once in the lobby")
    parser.add_argument("--frames", type=int, help="stop after this many frames (tests)")
    parser.add_argument("--screenshot", type=Path, help="save the last frame as a PNG")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(ServerThread(db_path=":memory:")).url
        screen = run(url, args.say, args.frames, args.screenshot)
    print(" | ".join(f"{name}: {text}" for name, text in screen.lines))
    print("friends online: " + ", ".join(f"{n} ({s})" for n, s in sorted(screen.online.values())))
    return 0 if everything_shown(screen) else 1


if __name__ == "__main__":
    raise SystemExit(main())
