"""A pytest plugin: ``pytest_plugins = ["gameservices.testing.pytest_plugin"]``.

Fixture ``reference_server``: a running ``ReferenceServer`` (in-memory database, demo boards),
closed after the test. Needs an async test runner (pytest-asyncio or pytest-aiohttp).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TypeVar, cast

import pytest

from ._server import ReferenceServer

__all__ = ["reference_server"]

F = TypeVar("F", bound=Callable[[], AsyncIterator[ReferenceServer]])


def _async_fixture(fn: F) -> F:
    """pytest-asyncio in strict mode only runs async fixtures it marked itself."""
    try:
        import pytest_asyncio
    except ImportError:  # other async plugins take plain fixtures
        return cast(F, pytest.fixture(fn))  # the fixture object wraps fn; pytest calls it
    return cast(F, pytest_asyncio.fixture(fn))


@_async_fixture
async def reference_server() -> AsyncIterator[ReferenceServer]:
    """A running reference server (in-memory database, demo boards) for one test."""
    async with ReferenceServer() as server:
        yield server
