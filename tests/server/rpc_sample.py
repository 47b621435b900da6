"""A server function named by ``module:function`` in tests/server/test_rpc.py (config files and
``serve --rpc``): a plain function, so the server runs it on a worker thread."""

from __future__ import annotations

import threading
from typing import Any

from gameservices.server.rpc import RpcContext

SEEN: list[Any] = []


def remember(context: RpcContext, payload: str) -> str:
    SEEN.append((threading.current_thread().name, context, payload))
    return '"ok"'
