"""``ReferenceServer``: the reference server on 127.0.0.1, a free port, for tests (ours and users').

Invariants: ``url`` is valid only between ``__aenter__`` and ``__aexit__``; leaving the context
stops the site, closes the store (every acknowledged write is committed) and frees the port.
It binds ``host=``/``port=`` when passed as keywords, else 127.0.0.1 port 0; a ``config``'s own
host and port (7350 by default, Nakama's, which a test must not assume free) are ``serve``'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING

from aiohttp import web

from .settings import ServerSettings

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+; annotations only

    from ..server.assets import AssetStats
    from ..server.config import ServerConfig

__all__ = ["ReferenceServer", "serve_process", "start_serve_process"]

_LISTENING = "gameservices listening on "
LOOPBACK = "127.0.0.1"


class ReferenceServer:
    """``async with ReferenceServer(boards=..., clock=...) as server: server.url``."""

    def __init__(
        self, config: ServerConfig | None = None, **overrides: Unpack[ServerSettings]
    ) -> None:
        from ..server import ServerConfig, create_app
        from ..server.app import runner_settings

        base = config if config is not None else ServerConfig()
        self.config: ServerConfig = base.with_overrides(**overrides) if overrides else base
        self.app: web.Application = create_app(self.config)
        self._runner_settings = runner_settings(self.config)
        self._bind = (overrides.get("host", LOOPBACK), overrides.get("port", 0))
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (no trailing slash): 127.0.0.1 and the port picked, by default."""
        if self._url is None:
            raise RuntimeError("ReferenceServer is not running; use it with 'async with'")
        return self._url

    @property
    def asset_stats(self) -> AssetStats:
        """Bytes sent per asset (``.bytes_sent[name]``) and bodies started (``.bodies[name]``)."""
        from ..server.assets import ASSET_STATS

        return self.app[ASSET_STATS]

    async def start(self) -> None:
        runner = web.AppRunner(self.app, **self._runner_settings)
        await runner.setup()
        try:
            site = web.TCPSite(runner, *self._bind)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = self._bind[0], runner.addresses[0][1]  # the host asked for, as serve says
        self._url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    async def close(self) -> None:
        runner, self._runner, self._url = self._runner, None, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> ReferenceServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"ReferenceServer(url={self._url!r})"


async def start_serve_process(
    *args: str, stderr: int | None = asyncio.subprocess.DEVNULL
) -> tuple[asyncio.subprocess.Process, str]:
    """Run ``python -m gameservices serve ARGS`` in a subprocess; return it and its URL.

    Use it when the server must outlive or be killed apart from the test (``--port 0`` picks a
    free port). The caller stops it: SIGTERM or SIGINT for a clean stop, then ``await
    proc.wait()``. After a SIGKILL, only ``await proc.wait()``: a second signal polls the child
    and may reap it before asyncio's watcher does, which then reports returncode 255.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gameservices",
        "serve",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None  # stdout=PIPE
    line = (await proc.stdout.readline()).decode().strip()
    if not line.startswith(_LISTENING):
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        raise RuntimeError(f"gameservices serve did not start (first line: {line!r})")
    return proc, line[len(_LISTENING) :]


@contextlib.contextmanager
def serve_process(*args: str) -> Iterator[str]:
    """``with serve_process("--port", "0", "--db", ":memory:") as url:``: the same server as
    ``start_serve_process``, for code without an event loop (benchmarks, scripts). Leaving the
    block stops it with SIGTERM and waits for it (at most 30 s)."""
    cmd = [sys.executable, "-m", "gameservices", "serve", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None  # stdout=PIPE
    with proc.stdout:
        line = proc.stdout.readline().strip()
        try:
            if not line.startswith(_LISTENING):
                raise RuntimeError(f"gameservices serve did not start (first line: {line!r})")
            yield line[len(_LISTENING) :]
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.wait(30)
