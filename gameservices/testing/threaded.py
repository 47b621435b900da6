"""A ReferenceServer on its own thread and event loop, for games, examples and demos.

A game's thread should only tick its runner; a server sharing that thread's loop would put its
request handling, SQLite commits and file reads into the game's frame budget. ``ServerThread``
runs the server on a daemon thread with a loop of its own::

    with ServerThread(db_path=":memory:") as server:
        client = Client(server.url)        # the game talks to it over loopback like any server

Invariants: ``start()`` returns once the server is listening (or raises its startup error);
``close()`` is idempotent, stops the server, closes its loop and joins the thread; ``call(coro)``
runs a coroutine on the server's loop and waits for its result (for seeding data in tests).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ._server import ReferenceServer
from .settings import ServerSettings

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+; annotations only

    from ..server.config import ServerConfig

__all__ = ["ServerThread"]

T = TypeVar("T")
START_TIMEOUT = 30.0  # a first start may hash a large asset directory


class ServerThread:
    """``with ServerThread(**settings) as server: server.url`` (settings as ReferenceServer's)."""

    def __init__(
        self, config: ServerConfig | None = None, **overrides: Unpack[ServerSettings]
    ) -> None:
        self._config, self._overrides = config, overrides
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._started: Future[ReferenceServer] = Future()
        self.server: ReferenceServer | None = None

    @property
    def url(self) -> str:
        if self.server is None:
            raise RuntimeError("ServerThread is not running; use it with 'with' or start()")
        return self.server.url

    def start(self) -> ServerThread:
        if self._thread is not None:
            raise RuntimeError("ServerThread can be started only once")
        self._thread = threading.Thread(target=self._main, name="gameservices-server", daemon=True)
        self._thread.start()
        self.server = self._started.result(timeout=START_TIMEOUT)
        return self

    def _main(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        try:
            server = ReferenceServer(self._config, **self._overrides)
            await server.start()
        except BaseException as exc:
            self._started.set_exception(exc)
            return
        try:
            self._started.set_result(server)
            await self._stop.wait()
        finally:
            await server.close()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the server's loop and return its result."""
        if self._loop is None or self.server is None:
            coro.close()
            raise RuntimeError("ServerThread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join()
        self.server = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
