"""The reference server's realtime state: who is connected, in which channels and matches, who
follows whom. In memory, on the event loop only (no locks); nothing here survives a restart
except chat history (``chat_store``).

Rule 1: a ``Peer`` is one socket; everything sent to it goes through its outgoing queue and one
        writer task, so frames leave in the order they were produced. A peer whose queue
        overflows (a client that stopped reading) is closed, as Nakama closes it.
Rule 2: presence events reach every member of the stream, the joiner or leaver included where
        Nakama includes it (joins: yes; leaves: the others), hidden members excepted.
Rule 3: a user's status presence is followed by the user's own sessions too (Nakama sends you
        your own status events).
Rule 4: a group's membership changes reach its channel after their commit (``group_posted``):
        the messages to every member, then the presences of who left, was kicked or banned
        leave it (a leave event to the others), as Nakama orders them.
Rule 5: a user is online (``OnlineUsers``) while one of its sessions has a status presence;
        the count changes before the status event is sent, so a follower that saw the event
        reads the new ``online`` over REST.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiohttp import web

from .._protocol import realtime as rt
from .._protocol.wire import dumps
from .group_chat import GroupPosted
from .notification_store import StoredNotification
from .online import OnlineUsers
from .tokens import Claims

__all__ = ["ChannelMember", "Hub", "Peer", "RelayedMatch"]

log = logging.getLogger("gameservices.server")
DISCONNECTED = "server-side session disconnect"  # Nakama's close reason
MAX_OUTGOING = 1024  # frames queued for one peer before it is dropped as not reading


class Peer:
    """One connected socket (Rule 1)."""

    def __init__(self, ws: web.WebSocketResponse, claims: Claims, status: bool):
        self.ws = ws
        self.user_id, self.username = claims.user_id, claims.username
        self.vars, self.expiry = dict(claims.vars), claims.expires_at  # for server functions
        self.session_id = str(uuid.uuid4())
        self.tracks_status = status
        self.status: str | None = "" if status else None
        self.channels: set[str] = set()
        self.matches: set[str] = set()
        self.following: set[str] = set()
        self.tickets: set[str] = set()
        self._queue: deque[str] = deque()
        self._wake = asyncio.Event()
        self._writer = asyncio.ensure_future(self._write())
        self._closing: asyncio.Future[bool] | None = None
        self.closed = False

    def presence(self, *, persistence: bool = False, status: bool = False) -> rt.Presence:
        return rt.Presence(
            self.user_id, self.session_id, self.username, persistence,
            self.status if status else None,
        )  # fmt: skip

    def send(self, message: object, cid: str = "") -> None:
        self.send_text(rt.encode(message, cid))

    def send_text(self, text: str) -> None:
        if self.closed:
            return
        if len(self._queue) >= MAX_OUTGOING:
            log.warning("realtime: session %s is not reading; closing it", self.session_id)
            self.close()
            return
        self._queue.append(text)
        self._wake.set()

    async def _write(self) -> None:
        while not self.closed:
            await self._wake.wait()
            self._wake.clear()
            while self._queue and not self.closed:
                try:
                    await self.ws.send_str(self._queue.popleft())
                except (ConnectionError, RuntimeError):
                    self.close()

    def close(self, message: str = "") -> None:
        self.closed = True
        self._wake.set()
        self._closing = asyncio.ensure_future(self.ws.close(message=message.encode()))

    async def finish(self) -> None:
        self.closed = True
        self._wake.set()
        with contextlib.suppress(Exception):
            await self._writer


@dataclass
class ChannelMember:
    peer: Peer
    persistence: bool
    hidden: bool


@dataclass
class Channel:
    id: str
    type: int
    room_name: str = ""
    group_id: str = ""
    user_id_one: str = ""
    user_id_two: str = ""
    members: dict[str, ChannelMember] = field(default_factory=dict)  # by session id


@dataclass
class RelayedMatch:
    id: str
    members: dict[str, Peer] = field(default_factory=dict)  # by session id


class Hub:
    def __init__(self, online: OnlineUsers | None = None) -> None:
        self.online = OnlineUsers() if online is None else online
        self.online.serve_disconnects(self.disconnect_user)
        self.peers: dict[str, Peer] = {}
        self.by_user: dict[str, set[Peer]] = {}
        self.channels: dict[str, Channel] = {}
        self.matches: dict[str, RelayedMatch] = {}
        self.followers: dict[str, set[Peer]] = {}  # followed user id -> peers following

    def add(self, peer: Peer) -> None:
        self.peers[peer.session_id] = peer
        self.by_user.setdefault(peer.user_id, set()).add(peer)
        if peer.tracks_status:
            self.online.arrive(peer.user_id)  # Rule 5
            self.follow(peer, [peer.user_id])  # Rule 3
            self.status_event(peer, joins=[peer.presence(status=True)])

    def remove(self, peer: Peer) -> None:
        self.peers.pop(peer.session_id, None)
        sessions = self.by_user.get(peer.user_id)
        if sessions is not None:
            sessions.discard(peer)
            if not sessions:
                del self.by_user[peer.user_id]
        for channel_id in list(peer.channels):
            self.leave_channel(peer, channel_id)
        for match_id in list(peer.matches):
            self.leave_match(peer, match_id)
        if peer.status is not None:
            self.online.depart(peer.user_id)  # Rule 5
            self.status_event(peer, leaves=[peer.presence(status=True)])
        for user_id in list(peer.following):
            self.unfollow(peer, [user_id])

    def disconnect_user(self, user_id: str) -> None:
        """Close the user's sockets as Nakama does when its account is deleted (code 1000,
        its reason); each socket's handler then leaves what it was in."""
        for peer in list(self.by_user.get(user_id, ())):
            peer.close(DISCONNECTED)

    def push_notification(self, note: StoredNotification) -> None:
        """A notification listener (``notification_store``): pushed to every socket of its
        user as it is created, persistent or not."""
        text = dumps({"notifications": {"notifications": [note.json()]}})
        for peer in self.by_user.get(note.user_id, ()):
            peer.send_text(text)

    # -- chat -----------------------------------------------------------------------------------

    def join_channel(self, peer: Peer, channel: Channel, persistence: bool, hidden: bool
                     ) -> rt.Channel:  # fmt: skip
        known = self.channels.setdefault(channel.id, channel)
        member = ChannelMember(peer, persistence, hidden)
        others = [m.peer.presence(persistence=m.persistence) for m in known.members.values()
                  if not m.hidden and m.peer is not peer]  # fmt: skip
        known.members[peer.session_id] = member
        peer.channels.add(known.id)
        me = peer.presence(persistence=persistence)
        if not hidden:  # after the reply (queued by the caller), as Nakama orders them
            asyncio.get_running_loop().call_soon(self.channel_event, known, [me])
        return rt.Channel(known.id, tuple(others), me, known.room_name, known.group_id,
                          known.user_id_one, known.user_id_two)  # fmt: skip

    def leave_channel(self, peer: Peer, channel_id: str) -> None:
        channel = self.channels.get(channel_id)
        peer.channels.discard(channel_id)
        if channel is None:
            return
        member = channel.members.pop(peer.session_id, None)
        if member is not None and not member.hidden:
            self.channel_event(channel, leaves=[peer.presence(persistence=member.persistence)])
        if not channel.members:
            del self.channels[channel_id]

    def group_posted(self, posted: GroupPosted) -> None:
        """A ``group_chat`` listener: a group's change reaches its channel (group_chat Rule 3)."""
        channel = self.channels.get(posted.channel_id)
        if channel is None:
            return  # nobody is in the channel: the history has the messages
        if posted.gone:  # the group went: its presences go, no event (as Nakama's)
            for member in channel.members.values():
                member.peer.channels.discard(channel.id)
            del self.channels[channel.id]
            return
        for message in posted.messages:
            self.to_channel(channel, message)
        for member in list(channel.members.values()):
            if member.peer.user_id in posted.removed:
                self.leave_channel(member.peer, channel.id)

    def channel_event(self, channel: Channel, joins: Iterable[rt.Presence] = (),
                      leaves: Iterable[rt.Presence] = ()) -> None:  # fmt: skip
        event = rt.ChannelPresenceEvent(
            channel.id, tuple(joins), tuple(leaves), channel.room_name, channel.group_id,
            channel.user_id_one, channel.user_id_two,
        )  # fmt: skip
        self.to_channel(channel, event)

    def to_channel(self, channel: Channel, message: object) -> None:
        text = rt.encode(message)
        for member in channel.members.values():
            member.peer.send_text(text)

    # -- status ---------------------------------------------------------------------------------

    def follow(self, peer: Peer, user_ids: Iterable[str]) -> list[rt.Presence]:
        online: list[rt.Presence] = []
        for user_id in user_ids:
            self.followers.setdefault(user_id, set()).add(peer)
            peer.following.add(user_id)
            online.extend(p.presence(status=True) for p in self.by_user.get(user_id, ())
                          if p.status is not None and user_id != peer.user_id)  # fmt: skip
        return online

    def unfollow(self, peer: Peer, user_ids: Iterable[str]) -> None:
        for user_id in user_ids:
            if user_id == peer.user_id and peer.tracks_status and not peer.closed:
                continue  # your own status stays followed (Rule 3)
            peer.following.discard(user_id)
            followers = self.followers.get(user_id)
            if followers is not None:
                followers.discard(peer)
                if not followers:
                    del self.followers[user_id]

    def status_event(self, peer: Peer, joins: Iterable[rt.Presence] = (),
                     leaves: Iterable[rt.Presence] = ()) -> None:  # fmt: skip
        text = rt.encode(rt.StatusPresenceEvent(tuple(joins), tuple(leaves)))
        for follower in self.followers.get(peer.user_id, ()):
            follower.send_text(text)

    def update_status(self, peer: Peer, status: str | None) -> None:
        old = peer.presence(status=True) if peer.status is not None else None
        peer.status = status
        new = peer.presence(status=True) if status is not None else None
        if old is None and new is not None:
            self.online.arrive(peer.user_id)  # Rule 5
        elif old is not None and new is None:
            self.online.depart(peer.user_id)
        self.status_event(peer, joins=[new] if new else [], leaves=[old] if old else [])

    # -- relayed matches ------------------------------------------------------------------------

    def join_match(self, peer: Peer, match_id: str, *, create: bool) -> rt.Match | None:
        match = self.matches.get(match_id)
        if match is None:
            if not create:
                return None
            match = self.matches[match_id] = RelayedMatch(match_id)
        others = tuple(p.presence() for p in match.members.values() if p is not peer)
        match.members[peer.session_id] = peer
        peer.matches.add(match_id)
        me = peer.presence()
        event = rt.MatchPresenceEvent(match_id, (me,))
        asyncio.get_running_loop().call_soon(self.to_match, match, event)  # after the reply
        return rt.Match(match_id, False, None, len(match.members), others, me)

    def leave_match(self, peer: Peer, match_id: str) -> None:
        peer.matches.discard(match_id)
        match = self.matches.get(match_id)
        if match is None or match.members.pop(peer.session_id, None) is None:
            return
        if not match.members:
            del self.matches[match_id]
            return
        self.to_match(match, rt.MatchPresenceEvent(match_id, leaves=(peer.presence(),)))

    def to_match(self, match: RelayedMatch, message: object,
                 skip: Peer | None = None, only: set[str] | None = None) -> None:  # fmt: skip
        text = rt.encode(message)
        for session_id, member in match.members.items():
            if member is not skip and (only is None or session_id in only):
                member.send_text(text)
