"""``client.realtime()``: Nakama's realtime socket (chat, status, matchmaker, matches, parties,
rpc; the party calls are in ``realtime_parties``).

Rule 1: lifecycle NEW -> OPEN (``connect()`` or ``async with``) -> CLOSED; a closed socket
        object raises ``UsageError``. Opened inside a TickRunner, events go through it and
        ``close`` is registered with ``runner.on_close``.
Rule 2: calls are request/reply by ``cid`` over the current ``Link``; while disconnected
        they fail at once with ``Disconnected`` (a pending one fails with it too).
Rule 3: what the socket holds (channels joined, users followed, the status set, matchmaker
        tickets, matches, parties) is remembered as the requests that made it, so a reconnect
        can make it again (``realtime_held``); ``Reconnected`` says what was restored. A match
        is joined again by its id (with the metadata first given); one that refuses (gone: its
        last member left, or its server restarted) is reported in ``matches_left``. A party
        is joined again by its id too: back in an open one, left when it is gone, full or
        closed (a join request then waits for its leader; ``realtime_parties`` Rule 2).
Rule 4: reconnecting asks ``retry.decide`` (full jitter, the client's ``RetryPolicy``) after
        each failed attempt, refreshes the session before each (and once more on a refused
        token), and never gives up on a server that is down; only a lasting refusal (an
        expired login, a 4xx) ends it, with a ``disconnected`` event that is not reconnecting.
Rule 5: the URL carries the session token: it is never logged, shown in a repr or an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from yarl import URL

from .._config import RealtimeOptions, RetryPolicy
from .._exceptions import (
    AuthError,
    Disconnected,
    GameServicesError,
    SessionExpired,
    UsageError,
)
from .._lifecycle import Lifecycle
from .._protocol import realtime as rt
from .._protocol import routes
from .._protocol.notifications import parse_notification_list
from .._protocol.realtime_wire import dump
from .._protocol.retry import GiveUp, Operation, decide
from .._protocol.rpc import payload_text, read_answer
from .._protocol.wire import dumps
from .._runner.ambient import current_runner
from .._runner.handles import Subscription
from .calls import Caller
from .realtime_events import (
    ConnectionLost,
    Event,
    Fanout,
    iterate,
)
from .realtime_held import Held
from .realtime_link import Link, reply_of
from .realtime_parties import PartyCalls
from .websocket import WebSocket

__all__ = ["OpenSocket", "Realtime", "socket_url"]

log = logging.getLogger("gameservices")
OpenSocket = Callable[[URL], Awaitable[WebSocket]]
_CONNECT = Operation(label="realtime connect")
_RECONNECT = Operation(label="realtime reconnect", persistent=True, patience=None)


def socket_url(base: URL, token: str) -> URL:
    """``ws[s]://host[/prefix]/ws?lang=en&status=true&token=...``"""
    scheme = "wss" if base.scheme == "https" else "ws"
    query = f"lang=en&status=true&token={quote(token, safe='')}"
    return URL(f"{base.with_scheme(scheme)}{routes.SOCKET}?{query}", encoded=True)


class Realtime(PartyCalls):
    """One player's realtime socket. ``async with client.realtime() as rt:`` or
    ``await rt.connect()`` ... ``await rt.close()``."""

    def __init__(
        self,
        *,
        base_url: URL,
        caller: Caller,
        open_socket: OpenSocket,
        retry: RetryPolicy,
        options: RealtimeOptions,
        opened: Callable[[], None],
    ) -> None:
        self._base, self._caller, self._open_socket = base_url, caller, open_socket
        self._retry, self.options, self._opened = retry, options, opened
        self.state = Lifecycle.NEW
        self._fanout = Fanout(options.max_match_data)
        self._poll = self._fanout.buffer(None) if options.poll else None
        self._link: Link | None = None
        self._held = Held()
        self._supervisor: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        linked = "connected" if self.connected else "disconnected"
        return f"Realtime({str(self._base)!r}, {self.state.value}, {linked})"

    @property
    def connected(self) -> bool:
        return self._link is not None and self._link.open

    @property
    def match_data_dropped(self) -> int:
        """``match_data`` events dropped because a consumer fell behind (Fanout Rule 3)."""
        return self._fanout.dropped

    # -- lifecycle (Rule 1) --------------------------------------------------------------------

    async def connect(self) -> Realtime:
        """Open the socket (retrying as a call would); idempotent while open."""
        if self.state is Lifecycle.CLOSED:
            raise UsageError("this realtime socket is closed; make a new one")
        self._opened()
        if self.state is Lifecycle.OPEN:
            return self
        runner = current_runner()
        self._fanout.runner = runner
        self._link, _ = await self._dial(_CONNECT)
        self.state = Lifecycle.OPEN
        if runner is not None:
            runner.on_close(self.close)
        self._supervisor = asyncio.ensure_future(self._supervise())
        return self

    def _closed(self) -> bool:
        return self.state is Lifecycle.CLOSED

    async def close(self) -> None:
        """Close the socket and end every ``events()`` iterator; idempotent."""
        if self.state is Lifecycle.CLOSED:
            return
        self.state = Lifecycle.CLOSED
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.wait([self._supervisor])
        if self._link is not None:
            await self._link.close()
        self._fanout.close()

    async def __aenter__(self) -> Realtime:
        return await self.connect()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- events --------------------------------------------------------------------------------

    def on(self, kind: str, callback: Callable[[Any], object], *, owner: object = None
           ) -> Subscription:  # fmt: skip
        """Call ``callback(record)`` for each ``kind`` event (Nakama's names: ``match_data``,
        ``channel_message``...; and ``disconnected``, ``reconnected``). Inside a TickRunner it
        runs in ``tick()``, and only while ``owner`` lives. ``.cancel()`` the result to stop."""
        return self._fanout.subscribe(kind, callback, owner)

    def events(self, *kinds: str) -> AsyncIterator[Event]:
        """``async for event in rt.events("match_data"): ...`` (all kinds when none given);
        ends when the socket closes for good."""
        buffer = self._fanout.buffer(kinds or None)
        return iterate(buffer, self._fanout.release)

    def poll(self) -> list[Event]:
        """The events that arrived since the last ``poll()`` (needs ``RealtimeOptions(poll=
        True)``); any thread, never blocks."""
        if self._poll is None:
            raise UsageError("poll() needs client.realtime(RealtimeOptions(poll=True))")
        return self._poll.take_all()

    def _push(self, envelope: rt.Envelope) -> None:
        name, message = envelope.name, envelope.message
        if message is None:
            return  # a message this client does not know (streams)
        self._party_push(name, message)
        if name == "matchmaker_matched":
            self._held.tickets.pop(message.ticket, None)  # a matched ticket is spent
        elif name == "notifications":  # the same records as client.notifications.list()
            message = parse_notification_list(dump(message))
        self._fanout.publish(name, message)

    # -- connecting and reconnecting (Rule 4) --------------------------------------------------

    async def _dial(self, op: Operation) -> tuple[Link, int]:
        """Connect, retrying as ``retry.decide`` says; the link and the attempts it took."""
        attempt = 0
        while True:
            try:
                return await self._dial_once(), attempt + 1
            except GameServicesError as exc:
                decision = decide(exc, attempt, self._retry, op)
                if isinstance(decision, GiveUp):
                    raise decision.error from None
                log.debug("realtime: connect attempt %d failed (%s)", attempt + 1, exc)
            attempt += 1
            await self._retry.sleep(decision.wait)

    async def _dial_once(self) -> Link:
        keeper = self._caller.sessions
        session = keeper.session_for_call() or await keeper.refresh(keeper.require())
        try:
            ws = await self._open_socket(socket_url(self._base, session.token))
        except AuthError as exc:
            if isinstance(exc, SessionExpired):
                raise
            session = await keeper.after_refusal(exc, session)
            ws = await self._open_socket(socket_url(self._base, session.token))
        return Link(ws, self.options, self._push)

    async def _supervise(self) -> None:
        while self.state is Lifecycle.OPEN:
            link = self._link
            assert link is not None
            reason = await asyncio.shield(link.ended)
            if self._closed():
                return
            reconnecting = self.options.reconnect
            self._fanout.publish("disconnected", ConnectionLost(reason, reconnecting))
            if not reconnecting:
                return
            try:
                self._link, attempts = await self._dial(_RECONNECT)
            except GameServicesError as exc:
                self._fanout.publish("disconnected", ConnectionLost(str(exc), False))
                return
            try:
                restored = await self._held.restore(self._link, attempts, self._party_wait())
            except GameServicesError as exc:  # dropped again, or no reply: dial again
                self._link.end(f"restoring what the socket held failed ({exc})")
                continue  # (realtime_held Rule 3)
            self._fanout.publish("reconnected", restored)

    def _party_wait(self) -> float:
        """How long a rejoined open party's ``party`` may take: as a reply, but bounded even
        when replies are not (``realtime_held`` Rule 3: a reconnect never waits for good)."""
        return self.options.reply_timeout or self.options.dead_after

    # -- calls (Rule 2) ------------------------------------------------------------------------

    def _current(self) -> Link:
        if self.state is not Lifecycle.OPEN:
            raise UsageError(
                "the realtime socket is not open: await rt.connect() first"
                if self.state is Lifecycle.NEW
                else "this realtime socket is closed"
            )
        link = self._link
        if link is None or not link.open:
            raise Disconnected("the realtime socket is reconnecting; try again after it is back")
        return link

    async def _call(self, message: object) -> rt.Envelope:
        return await self._current().call(message)

    async def rpc(self, id: str, payload: Any = None) -> Any:
        """Call the server function ``id`` over the socket, as ``client.rpc`` does over REST:
        ``payload`` any JSON value (None: none), the answer's JSON value (None for none). A
        function's failure is a ``RealtimeError`` with code 7 and its message."""
        if not isinstance(id, str) or not id:
            raise ValueError("id must be a non-empty string")
        reply = await self._call(rt.Rpc(id, payload_text(payload)))
        return read_answer(reply_of(reply, rt.Rpc).payload)

    async def join_chat(self, target: str, *, type: int = rt.ChannelType.ROOM,
                        persistence: bool = True, hidden: bool = False) -> rt.Channel:  # fmt: skip
        """Join a room (``target`` its name), a direct chat (the other user's id) or a group
        chat (the group id); ``persistence``: keep messages for history."""
        return await self._join(rt.ChannelJoin(target, int(type), persistence, hidden))

    async def _join(self, join: rt.ChannelJoin) -> rt.Channel:
        channel: rt.Channel = reply_of(await self._call(join), rt.Channel)
        self._held.channels[channel.id] = join
        return channel

    async def leave_chat(self, channel_id: str) -> None:
        await self._call(rt.ChannelLeave(channel_id))
        self._held.channels.pop(channel_id, None)

    async def send_chat_message(
        self, channel_id: str, content: Mapping[str, Any]
    ) -> rt.ChannelMessageAck:
        """Send ``content`` (a JSON object) to a joined channel."""
        reply = await self._call(rt.ChannelMessageSend(channel_id, dumps(dict(content))))
        return reply_of(reply, rt.ChannelMessageAck)  # type: ignore[no-any-return]

    async def update_chat_message(
        self, channel_id: str, message_id: str, content: Mapping[str, Any]
    ) -> rt.ChannelMessageAck:
        reply = await self._call(
            rt.ChannelMessageUpdate(channel_id, message_id, dumps(dict(content)))
        )
        return reply_of(reply, rt.ChannelMessageAck)  # type: ignore[no-any-return]

    async def remove_chat_message(self, channel_id: str, message_id: str) -> rt.ChannelMessageAck:
        reply = await self._call(rt.ChannelMessageRemove(channel_id, message_id))
        return reply_of(reply, rt.ChannelMessageAck)  # type: ignore[no-any-return]

    async def follow_users(
        self, ids: Sequence[str] = (), usernames: Sequence[str] = ()
    ) -> tuple[rt.Presence, ...]:
        """Follow users' status; returns the presences of those online now."""
        _check_texts("ids", ids)
        _check_texts("usernames", usernames)
        reply = await self._call(rt.StatusFollow(tuple(ids), tuple(usernames)))
        self._held.follow_ids.update(ids)
        self._held.follow_names.update(usernames)
        return reply_of(reply, rt.Status).presences  # type: ignore[no-any-return]

    async def unfollow_users(self, ids: Sequence[str]) -> None:
        _check_texts("ids", ids)
        await self._call(rt.StatusUnfollow(tuple(ids)))
        self._held.follow_ids.difference_update(ids)

    async def update_status(self, status: str | None) -> None:
        """Set the status followers see; None appears offline."""
        update = rt.StatusUpdate(status)
        await self._call(update)
        self._held.status = update

    async def add_matchmaker(
        self,
        query: str = "*",
        min_count: int = 2,
        max_count: int = 8,
        *,
        string_properties: Mapping[str, str] | None = None,
        numeric_properties: Mapping[str, float] | None = None,
        count_multiple: int | None = None,
    ) -> str:
        """Add a matchmaker ticket; returns it. ``matchmaker_matched`` events follow."""
        add = rt.MatchmakerAdd(
            min_count, max_count, query, dict(string_properties or {}),
            dict(numeric_properties or {}), count_multiple,
        )  # fmt: skip
        ticket = str(reply_of(await self._call(add), rt.MatchmakerTicket).ticket)
        self._held.tickets[ticket] = add
        return ticket

    async def remove_matchmaker(self, ticket: str) -> None:
        await self._call(rt.MatchmakerRemove(ticket))
        self._held.tickets.pop(ticket, None)

    async def create_match(self, name: str | None = None) -> rt.Match:
        """Create a relayed match (``name``: the same name gives the same match)."""
        match: rt.Match = reply_of(await self._call(rt.MatchCreate(name or "")), rt.Match)
        self._held.matches[match.match_id] = {}
        return match

    async def join_match(self, match_id: str | None = None, token: str | None = None,
                         metadata: Mapping[str, str] | None = None) -> rt.Match:  # fmt: skip
        """Join by ``match_id``, or by a matchmaker ``token`` (one of the two)."""
        if (match_id is None) == (token is None):
            raise ValueError("join_match needs exactly one of match_id or token")
        join = rt.MatchJoin(match_id or "", token or "", dict(metadata or {}))
        return await self._join_match(join)

    async def _join_match(self, join: rt.MatchJoin) -> rt.Match:
        match: rt.Match = reply_of(await self._call(join), rt.Match)
        self._held.matches[match.match_id] = dict(join.metadata)
        return match

    async def leave_match(self, match_id: str) -> None:
        await self._call(rt.MatchLeave(match_id))
        self._held.matches.pop(match_id, None)

    async def send_match_data(self, match_id: str, op_code: int, data: bytes | str,
                              presences: Iterable[rt.Presence] | None = None,
                              reliable: bool = True) -> None:  # fmt: skip
        """Send ``data`` to the match (to ``presences`` only, if given). No reply comes:
        Nakama answers none; a refusal arrives as an ``error`` event."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        send = rt.MatchDataSend(match_id, op_code, raw, tuple(presences or ()), reliable)
        await self._current().send(send)


def _check_texts(name: str, values: Sequence[str]) -> None:
    if isinstance(values, str) or any(not isinstance(v, str) for v in values):
        raise TypeError(f"{name} must be a sequence of strings")
