"""The game's online life after the login: who the player is, the buddy, the clan, the socket.

One chain of steps, each a coroutine the runner runs; each step's callback (inside ``tick()``)
records its row and starts the next step, as a game goes from one request to the next:
account (who am I; find the buddy) -> realtime (open the socket, set a status, follow the
buddy) -> rpc (claim the login reward; its notification is pushed over the socket) -> friends
(befriend the buddy, read the list) -> groups (join the clan, read its members) -> chat (say
hello in the clan's channel, hear the buddy answer) -> match (the matchmaker pairs the player
with the buddy; join their relayed match). A failed step is recorded and the chain goes on; a
step whose prerequisite failed says so (``StepFailed``).

Once in the match, ``frame(n)`` sends a position every ``SEND_EVERY`` frames, ``MATCH_SENDS``
in all; the buddy echoes each one, and when all are back the player leaves the match.

Invariants: the callbacks (``_stepped``, ``_heard``, ``_echoed``, ``_notified``) only count and
store; socket events arrive inside ``tick()`` because the socket is opened by a coroutine the
runner runs; every wait for another player has a deadline (``WAIT``), so the chain always ends.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from .._client.client import Client
from .._client.realtime import Realtime
from .._client.realtime_events import Event
from .._protocol.friends import FriendState
from .._protocol.notifications import FRIEND_ACCEPT, NotificationList
from .._protocol.realtime import ChannelMessage, ChannelType, MatchData, StatusPresenceEvent
from .._runner.runner import TickRunner
from .buddy import CLAN, ECHO, MATCH_MODE, MATCH_QUERY, POSITION
from .frames import percentile
from .services import ServiceLog, StepFailed, timed, within
from .world import REWARD_CODE, REWARD_RPC

__all__ = ["MATCH_SENDS", "SEND_EVERY", "Done", "Online"]

WAIT = 5.0  # seconds another player (the buddy, the server's push) may take to answer
SETTLE = 3.0  # after the round ends, how long the match's last echoes may take
MATCH_SENDS = 20
SEND_EVERY = 6  # frames: 10 positions a second
PACKET = struct.Struct(">Iff")  # sequence number, x, y
GREETING = "hi clan!"
PLAYING = "playing the demo"


@dataclass(frozen=True)
class Done:
    """A step's outcome: what to show, the latency it measured, its figures, a value."""

    detail: str
    latency: float | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    value: Any = None


async def first(events: AsyncIterator[Event], match: Callable[[Any], bool]) -> Any:
    """The first event whose record ``match``es; the iterator is closed either way."""
    try:
        async for event in events:
            if match(event.data):
                return event.data
    finally:  # rt.events() is an async generator: closing it stops its buffering
        await cast(AsyncGenerator[Event, None], events).aclose()
    raise StepFailed("the socket closed")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


class Online:
    """The chain of online steps and the match's play; ``log`` gets a row per service."""

    def __init__(self, client: Client, runner: TickRunner, log: ServiceLog, buddy: str) -> None:
        self.client, self.runner, self.log, self.buddy_name = client, runner, log, buddy
        self.rt: Realtime | None = None
        self.me = self.buddy_id = self.clan_id = ""  # written by the steps, on the loop
        self.chain_started = self.chain_done = False
        self.match_id = ""
        self.heard = self.pushed = self.statuses = 0  # events received, counted in tick()
        self._sent: dict[int, float] = {}
        self._trips: list[float] = []
        self._stopped_at: float | None = None
        self._steps: list[tuple[str, Callable[[], Awaitable[Done]]]] = [
            ("account", self._account),
            ("realtime", self._connect),
            ("rpc", self._reward),
            ("friends", self._befriend),
            ("groups", self._clan),
            ("chat", self._chat),
            ("match", self._matchmake),
        ]

    # -- the chain (callbacks run inside tick()) --------------------------------------------

    def start(self) -> None:
        self.chain_started = True
        self._next(0)

    def _next(self, i: int) -> None:
        if i == len(self._steps):
            self.chain_done = True
            return
        step = self._steps[i][1]
        self.runner.submit(step(), on_done=lambda done: self._stepped(i, done),
                           on_error=lambda exc: self._broke(i, exc))  # fmt: skip

    def _stepped(self, i: int, done: Done) -> None:
        name = self._steps[i][0]
        self.log.ok(name, done.detail, done.latency, **done.counts)
        if name == "match":
            self.match_id = done.value  # frame() starts sending
        self._next(i + 1)

    def _broke(self, i: int, exc: BaseException) -> None:
        self.log.failed(self._steps[i][0], exc)
        self._next(i + 1)

    # -- the match, from the frame loop ------------------------------------------------------

    def frame(self, n: int) -> None:
        """Send the next position on its frame (one submit, no waiting)."""
        if not self.match_id or self._stopped_at is not None or n % SEND_EVERY:
            return
        seq = len(self._sent)
        if seq >= MATCH_SENDS:
            return
        self._sent[seq] = time.perf_counter()
        self.runner.submit(self._send(self.match_id, seq), on_error=self.log.on_error("match"))

    def stop(self) -> None:
        """The round is over: send nothing more; what is in flight may still come back."""
        if self._stopped_at is None:
            self._stopped_at = time.perf_counter()

    def settled(self) -> bool:
        """Every step started ended and every echo is back (or had ``SETTLE`` seconds)."""
        if self.chain_started and not self.chain_done:
            return False
        if len(self._trips) >= len(self._sent):
            return True
        stopped = self._stopped_at
        return stopped is not None and time.perf_counter() - stopped > SETTLE

    def finish(self) -> None:
        """Put what the events counted into the rows (after the loop, or at its end)."""
        rows = self.log.rows
        rows["realtime"].counts.update(pushed=self.pushed, statuses=self.statuses)
        rows["chat"].counts["received"] = self.heard
        if rows["chat"].state == "ok":
            rows["chat"].detail += f"; {self.heard} messages received in all"
        if not self.match_id:
            return
        sent, back = len(self._sent), len(self._trips)
        line = f"{sent} positions sent, {back} echoed"
        if back:
            line += f" (back in the game after {_ms(percentile(self._trips, 0.5))}, p50)"
        self.log.ok("match", f"{rows['match'].detail}; {line}", sent=sent, echoed=back)
        if back < sent:
            self.log.failed("match", StepFailed(f"{sent - back} of {sent} echoes never came"))

    def _heard(self, message: ChannelMessage) -> None:
        self.heard += 1

    def _notified(self, notes: NotificationList) -> None:
        self.pushed += len(notes.notifications)

    def _status(self, event: StatusPresenceEvent) -> None:
        self.statuses += 1

    def _echoed(self, data: MatchData) -> None:
        if data.op_code != ECHO or len(data.data) != PACKET.size:
            return
        sent = self._sent.get(PACKET.unpack(data.data)[0])
        if sent is None:
            return
        self._trips.append(time.perf_counter() - sent)
        if len(self._trips) == MATCH_SENDS:
            self.runner.submit(self._leave(self.match_id), on_error=self.log.on_error("match"))

    # -- the steps (coroutines, on the runner's loop) -----------------------------------------

    def _socket(self) -> Realtime:
        if self.rt is None:
            raise StepFailed("no realtime socket (the realtime step failed)")
        return self.rt

    async def _account(self) -> Done:
        names = [self.buddy_name] if self.buddy_name else []  # none: answered without a call
        both = asyncio.gather(self.client.account.get(), self.client.users.get(usernames=names))
        (account, found), secs = await timed(both)
        self.me = account.user.id
        if not self.buddy_name:
            raise StepFailed(f"{account.user.username}; the buddy is offline (it did not start)")
        if not found:
            raise StepFailed(f"no player named {self.buddy_name!r}")
        self.buddy_id = found[0].id
        detail = f"{account.user.username} ({len(account.devices)} device); found {self.buddy_name}"
        return Done(detail, secs, {"devices": len(account.devices), "buddy_found": True})

    async def _connect(self) -> Done:
        rt, secs = await timed(self.client.realtime().connect())
        self.rt = rt
        rt.on("channel_message", self._heard, owner=self)
        rt.on("match_data", self._echoed, owner=self)
        rt.on("notifications", self._notified, owner=self)
        rt.on("status_presence_event", self._status, owner=self)
        await rt.update_status(PLAYING)
        online = await rt.follow_users(ids=[self.buddy_id]) if self.buddy_id else ()
        seen = ", ".join(f"{p.username} online ({p.status})" for p in online) or "buddy offline"
        detail = f"connected in {_ms(secs)}; status {PLAYING!r}; {seen}"
        return Done(detail, secs, {"connected": True, "buddy_online": bool(online)})

    async def _reward(self) -> Done:
        pushed = self.rt.events("notifications") if self.rt is not None else None
        answer, secs = await timed(self.client.rpc(REWARD_RPC))
        coins = int(answer["coins"])
        detail = f"{REWARD_RPC}: {coins} coins in {_ms(secs)}"
        if pushed is None:  # the call works without a socket; only the push needs one
            return Done(f"{detail}; no socket to push its notification", secs, {"coins": coins})

        def reward(d: NotificationList) -> bool:
            return any(n.code == REWARD_CODE for n in d.notifications)

        await within(first(pushed, reward), WAIT, "reward notification")
        return Done(f"{detail}; its notification was pushed", secs, {"coins": coins, "pushed": 1})

    async def _is_friend(self) -> tuple[bool, list[str]]:
        page = await self.client.friends.list(FriendState.FRIEND)
        return (any(f.user.id == self.buddy_id for f in page.friends),
                [f.user.username for f in page.friends])  # fmt: skip

    async def _befriend(self) -> Done:
        if not self.buddy_id:
            raise StepFailed("the buddy was not found (the account step)")
        start = time.perf_counter()
        friend, _ = await self._is_friend()
        how = f"{self.buddy_name}: friends already"
        if not friend:
            accepted = self._socket().events("notifications")
            await self.client.friends.add(ids=[self.buddy_id])

            def accepts(d: NotificationList) -> bool:
                return any(n.code == FRIEND_ACCEPT for n in d.notifications)

            await within(first(accepted, accepts), WAIT, "acceptance from the buddy")
            how = f"invited {self.buddy_name}, who accepted"
        friend, names = await self._is_friend()
        if not friend:
            raise StepFailed(f"{self.buddy_name} is not in the friends list")
        detail = f"{how}; friends: {', '.join(names)}"
        return Done(detail, time.perf_counter() - start, {"friends": len(names), "buddy": True})

    async def _clan(self) -> Done:
        found, secs = await timed(self.client.groups.list(CLAN, limit=1))
        if not found.groups:
            raise StepFailed(f"no clan named {CLAN!r}")
        clan = found.groups[0]
        await self.client.groups.join(clan.id)  # open: a member at once; a member: no change
        members = (await self.client.groups.members(clan.id)).group_users
        if not any(m.user.id == self.me for m in members):
            raise StepFailed(f"joined {CLAN}, but not among its members")
        self.clan_id = clan.id
        return Done(f"{clan.name}: a member, {len(members)} members", secs,
                    {"member": True, "members": len(members)})  # fmt: skip

    async def _chat(self) -> Done:
        rt = self._socket()
        if not self.clan_id or not self.buddy_id:
            raise StepFailed("not in the clan, or no buddy to answer (an earlier step failed)")
        replies = rt.events("channel_message")
        channel = await rt.join_chat(self.clan_id, type=ChannelType.GROUP)
        start = time.perf_counter()
        await rt.send_chat_message(channel.id, {"text": GREETING})

        def answer(m: ChannelMessage) -> bool:
            return m.sender_id == self.buddy_id and m.code in (None, 0)

        reply = await within(first(replies, answer), WAIT, "answer from the buddy")
        trip = time.perf_counter() - start
        said = reply.content.get("text", "")
        detail = f"said {GREETING!r}; {reply.username} answered {said!r} in {_ms(trip)}"
        return Done(detail, trip, {"sent": 1, "answered": True})

    async def _matchmake(self) -> Done:
        rt = self._socket()
        if not self.buddy_id:
            raise StepFailed("no buddy to play with (the account step failed)")
        found = rt.events("matchmaker_matched")
        start = time.perf_counter()
        await rt.add_matchmaker(MATCH_QUERY, 2, 2, string_properties={"mode": MATCH_MODE})
        matched = await within(first(found, lambda d: True), WAIT, "match from the matchmaker")
        secs = time.perf_counter() - start
        joins = rt.events("match_presence_event")  # before joining: the buddy may come after
        match = await rt.join_match(token=matched.token)
        if any(p.user_id == self.buddy_id for p in match.presences):
            await cast(AsyncGenerator[Event, None], joins).aclose()
        else:
            await within(first(joins, lambda e: any(p.user_id == self.buddy_id
                                                    for p in e.joins)),
                         WAIT, "the buddy in the match")  # fmt: skip
        detail = f"matched with {self.buddy_name} in {_ms(secs)}; a relayed match"
        return Done(detail, secs, {"matched": True}, value=match.match_id)

    async def _send(self, match_id: str, seq: int) -> None:
        rt = self._socket()
        await rt.send_match_data(match_id, POSITION, PACKET.pack(seq, 1.5 * seq, 0.5 * seq))

    async def _leave(self, match_id: str) -> None:
        await self._socket().leave_match(match_id)
