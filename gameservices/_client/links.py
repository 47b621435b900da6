"""The link and unlink calls of ``client.auth`` for a device, a custom id and an email.

Invariant: these calls change which ids log in to the current account and nothing about the
session (the token stays valid; ``client.account.get`` shows the ids). They see the client only
through ``Caller``; requests and rules are ``_protocol.links``'.
"""

from __future__ import annotations

from .._config import DEFAULT
from .._protocol import links
from .._protocol.api import Request
from .._protocol.models import parse_empty
from .._protocol.operations import covers
from .calls import Caller, Timeout

__all__ = ["LinkCalls"]


class LinkCalls:
    """Mixed into ``AuthService``; needs only its ``_caller``."""

    _caller: Caller

    async def _send_link(self, req: Request, timeout: Timeout) -> None:
        await self._caller.send(req, parse_empty, timeout)

    @covers("Nakama_LinkDevice")
    async def link_device(self, device_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Let ``device_id`` (10-128 bytes) log in to this account too; an account keeps any
        number of devices. Another account's device raises ``Conflict`` (409, code 6)."""
        await self._send_link(links.link_device(device_id), timeout)

    @covers("Nakama_LinkCustom")
    async def link_custom(self, custom_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Make ``custom_id`` (6-128 bytes) this account's custom id, replacing any other; one
        another account holds raises ``Conflict`` (409, code 6)."""
        await self._send_link(links.link_custom(custom_id), timeout)

    @covers("Nakama_LinkEmail")
    async def link_email(self, email: str, password: str, *, timeout: Timeout = DEFAULT) -> None:
        """Make ``email`` (stored in lower case) and ``password`` (8+ characters) this
        account's email login, replacing any other; one another account holds raises
        ``Conflict`` (409, code 6)."""
        await self._send_link(links.link_email(email, password), timeout)

    @covers("Nakama_UnlinkDevice")
    async def unlink_device(self, device_id: str, *, timeout: Timeout = DEFAULT) -> None:
        """Stop ``device_id`` logging in here. The account's last way to log in, or a device
        it does not hold, raises ``AuthError`` (403, code 7)."""
        await self._send_link(links.unlink_device(device_id), timeout)

    @covers("Nakama_UnlinkCustom")
    async def unlink_custom(self, custom_id: str = "", *, timeout: Timeout = DEFAULT) -> None:
        """Remove the custom id (``custom_id`` "" removes whichever one is linked); as
        ``unlink_device``, never the last way to log in."""
        await self._send_link(links.unlink_custom(custom_id), timeout)

    @covers("Nakama_UnlinkEmail")
    async def unlink_email(self, email: str = "", *, timeout: Timeout = DEFAULT) -> None:
        """Remove the email and its password (``email`` "" removes whichever one is linked);
        as ``unlink_device``, never the last way to log in."""
        await self._send_link(links.unlink_email(email), timeout)
