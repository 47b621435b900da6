"""What a group's membership changes post into its chat channel (``3.{group}..``), and the hook
that takes those messages to the realtime socket (``group_posts`` stores them).

Rule 1 (Nakama 3.40's ``core_group.go``, checked against the real server): a change posts one
        message per player it changes: code 3 joined (an open group), 4 added (or a join request
        accepted), 5 left (a withdrawn join request too), 6 kicked, 7 promoted, 8 banned, 9
        demoted; the sender is that player, the content ``{}``, persistent. Nothing is posted for
        a change that changes nothing, for a join request made, kicked or banned, for a ban of a
        stranger, nor when the group goes (deleted, or its last member left).
Rule 2: the messages are stored in the change's own write job (history has them whoever was
        listening), with Nakama's stored times (whole seconds); the pushed copy carries the full
        time, as Nakama's does.
Rule 3: after the commit the listeners (``state.group_chat.listen``) get a ``GroupPosted``: the
        messages, then who loses the channel (left, kicked or banned: their presences leave it,
        with leave events to the others) or, for a group gone, every presence dropped without an
        event. A listener runs on the loop and must not block; one that raises is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from .._protocol import realtime as rt
from .._protocol.realtime import MessageCode

__all__ = ["LOSES_CHANNEL", "GroupChatHub", "GroupPosted", "Posted", "group_channel_id"]

log = logging.getLogger("gameservices.server")
LOSES_CHANNEL = frozenset({MessageCode.GROUP_LEAVE, MessageCode.GROUP_KICK, MessageCode.GROUP_BAN})


def group_channel_id(group_id: str) -> str:
    return f"3.{group_id}.."


@dataclass
class Posted:
    """What one group job changed, for its channel (Rule 1): ``(code, user_id)`` per player
    changed, or ``gone`` when the group went."""

    changes: list[tuple[MessageCode, str]] = field(default_factory=list)
    gone: bool = False


@dataclass(frozen=True)
class GroupPosted:
    """Rule 3: what the realtime socket does with one committed change."""

    channel_id: str
    messages: tuple[rt.ChannelMessage, ...] = ()
    removed: frozenset[str] = frozenset()  # user ids whose presences leave the channel
    gone: bool = False


Listener = Callable[[GroupPosted], None]


@dataclass
class GroupChatHub:
    """The listener hook on ``ServerState.group_chat`` (Rule 3)."""

    _listeners: list[Listener] = field(default_factory=list)

    def listen(self, fn: Listener) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def posted(self, event: GroupPosted) -> None:
        if not event.messages and not event.gone:
            return
        for fn in list(self._listeners):
            try:
                fn(event)
            except Exception:  # one broken listener must not stop the others
                log.exception("group chat listener %r failed", fn)
