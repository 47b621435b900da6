"""The buddy: another player, online while the game runs, who answers what the player does.

It is the first seeded bot (ada), logged in with a client of its own on the server thread's loop
(where seeding runs too), so nothing of it touches the game thread. It founds the demo's clan if
there is none, sits in the clan's chat channel with a matchmaker ticket, and reacts over the
network, as another install of the game would: it accepts friend requests (pending ones at
start, new ones as they are notified), answers chat messages in the clan channel, joins the
match the matchmaker makes and echoes each position back to its sender.

The constants below are what the game and the buddy agree on (clan, match mode, op codes).

Invariants: ``start_buddy`` returns once the buddy is ready (clan made, channel joined, ticket
added), so the game never races it; a failed reaction is kept in ``errors``, never raised into
the server's loop; ``close()`` stops its task and closes its client (before the server stops).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .._client.client import Client
from .._client.realtime import Realtime
from .._client.realtime_events import Event
from .._protocol.friends import FriendState
from .._protocol.notifications import FRIEND_REQUEST
from .._protocol.realtime import ChannelType

__all__ = [
    "CLAN",
    "ECHO",
    "MATCH_MODE",
    "MATCH_QUERY",
    "POSITION",
    "REPLY",
    "STATUS",
    "Buddy",
    "start_buddy",
]

CLAN = "demo-clan"
STATUS = "in the clan channel"
REPLY = "gl hf!"
MATCH_MODE = "demo-duel"
MATCH_QUERY = f"+properties.mode:{MATCH_MODE}"
POSITION = 1  # the player's position (op code)
ECHO = 2  # the same bytes, sent back to the player
_HEARD = ("notifications", "channel_message", "matchmaker_matched", "match_data")


@dataclass
class Buddy:
    client: Client
    user_id: str = ""
    clan_id: str = ""
    rt: Realtime | None = None
    accepted: int = 0  # friend requests accepted
    answered: int = 0  # chat messages answered
    matches: int = 0
    echoed: int = 0
    errors: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.close()

    async def _listen(self, events: AsyncIterator[Event]) -> None:
        async for event in events:
            try:
                await self._react(event.kind, event.data)
            except Exception as exc:  # one failed reaction must not silence the buddy
                self.errors.append(f"{event.kind}: {type(exc).__name__}: {exc}")

    async def _react(self, kind: str, data: Any) -> None:
        rt = self.rt
        assert rt is not None  # set before listening starts
        if kind == "notifications":
            requests = [n.sender_id for n in data.notifications if n.code == FRIEND_REQUEST]
            if requests:
                await self.client.friends.add(ids=requests)  # adding back accepts
                self.accepted += len(requests)
        elif kind == "channel_message":
            said = data.code in (None, 0) and "text" in data.content
            if said and data.sender_id != self.user_id:  # its own replies come back too
                await rt.send_chat_message(data.channel_id, {"text": REPLY})
                self.answered += 1
        elif kind == "matchmaker_matched":
            await rt.join_match(token=data.token)
            self.matches += 1
            await _ticket(rt)  # ready for the next player
        elif kind == "match_data" and data.op_code == POSITION and data.presence is not None:
            await rt.send_match_data(data.match_id, ECHO, data.data, presences=[data.presence])
            self.echoed += 1


async def _ticket(rt: Realtime) -> None:
    await rt.add_matchmaker(MATCH_QUERY, 2, 2, string_properties={"mode": MATCH_MODE})


async def _clan(client: Client) -> str:
    """The demo clan's id; the buddy founds it (open: players join at once) if it is missing."""
    found = await client.groups.list(CLAN, limit=1)
    if found.groups:
        return found.groups[0].id
    return (await client.groups.create(CLAN, description="the demo's clan", open=True)).id


async def _accept_pending(client: Client) -> int:
    """Requests sent while the buddy was offline (a notification it never heard)."""
    page = await client.friends.list(FriendState.INVITE_RECEIVED)
    ids = [f.user.id for f in page.friends]
    if ids:
        await client.friends.add(ids=ids)
    return len(ids)


async def start_buddy(url: str, server_key: str, device: str, username: str) -> Buddy:
    """Log the buddy in and make it ready; run on the server thread's loop."""
    buddy = Buddy(Client(url, server_key=server_key))
    try:
        session = await buddy.client.auth.device(device, create=True, username=username)
        buddy.user_id = session.user_id
        buddy.clan_id = await _clan(buddy.client)
        buddy.accepted = await _accept_pending(buddy.client)
        rt = buddy.rt = await buddy.client.realtime().connect()
        events = rt.events(*_HEARD)  # from here on nothing is missed
        await rt.update_status(STATUS)
        await rt.join_chat(buddy.clan_id, type=ChannelType.GROUP)
        await _ticket(rt)
        buddy._task = asyncio.get_running_loop().create_task(buddy._listen(events))
    except BaseException:
        await buddy.client.close()
        raise
    return buddy
