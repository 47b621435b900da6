"""The small service calls on both servers: the health probe (no session), the matchmaker's
stats and the party listing (a server with no party lists none)."""

from __future__ import annotations

from .support import Target


async def test_healthcheck_needs_no_session(target: Target) -> None:
    async with target.client() as client:
        assert client.session is None
        await client.healthcheck()
        assert client.session is None
