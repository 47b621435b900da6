"""Suite-wide fixtures: a blocking call on a running event loop fails the test (blockbuster)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from blockbuster import BlockBuster, blockbuster_ctx

pytest_plugins = ["gameservices.testing.pytest_plugin"]  # the reference_server fixture


@pytest.fixture(autouse=True)
def blockbuster(request: pytest.FixtureRequest) -> Iterator[BlockBuster | None]:
    """Active on async tests: a blocking call made on the loop thread raises BlockingError."""
    if not inspect.iscoroutinefunction(getattr(request, "function", None)):
        yield None
        return
    with blockbuster_ctx() as bb:
        yield bb
