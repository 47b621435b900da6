"""A pytest plugin: ``pytest_plugins = ["gameservices.testing.pytest_plugin"]``.

Fixture ``reference_server``: a running ``ReferenceServer`` (in-memory database, demo boards),
closed after the test. Needs an async test runner (pytest-asyncio or pytest-aiohttp).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ._server import ReferenceServer

__all__ = ["reference_server"]


@pytest.fixture
async def reference_server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer() as server:
        yield server
