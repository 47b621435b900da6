"""Through a TickRunner (both modes): progress is coalesced per tick; cancel never blocks and
the next download resumes the .part."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from gameservices import RetryPolicy, TickRunner
from gameservices._assets.service import Assets
from gameservices._client.transport import AiohttpTransport
from gameservices.server.assets import ASSET_STATS, AssetStats, setup_assets
from gameservices.testing import Faults, tick_until

from .conftest import MB, SERVER_CHUNK, blob

SIZE = 3 * MB
DATA = blob(SIZE, seed=9)
MAX_TICKS = 200_000


@pytest.fixture(params=["inline", "thread"])
def runner(request: pytest.FixtureRequest) -> Iterator[TickRunner]:
    with TickRunner(mode=request.param) as r:
        yield r


def run(runner: TickRunner, coro: object) -> object:
    box: list[object] = []
    errors: list[BaseException] = []
    runner.submit(coro, on_done=box.append, on_error=errors.append)  # type: ignore[arg-type]  # any awaitable
    tick_until(runner, lambda: bool(box or errors), MAX_TICKS)
    if errors:
        raise errors[0]
    return box[0]


class Host:
    """The asset host and a client, both living on the runner's loop."""

    def __init__(self, runner: TickRunner, root: Path, faults: Faults | None) -> None:
        self.gate: asyncio.Event | None = None
        self.stats: AssetStats | None = None
        self.assets: Assets | None = None
        self.root, self.faults = root, faults
        run(runner, self._start(runner))

    async def _start(self, runner: TickRunner) -> None:
        self.gate = asyncio.Event()
        gate = self.gate

        async def hold(_seconds: float) -> None:
            await gate.wait()  # a dripping body waits here until the test opens the gate

        app = web.Application()
        setup_assets(app, self.root, self.faults, sleep=hold)
        app_runner = web.AppRunner(app)
        await app_runner.setup()
        site = web.TCPSite(app_runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # started
        transport = AiohttpTransport()
        self.stats = app[ASSET_STATS]
        self.assets = Assets(
            transport, f"http://127.0.0.1:{port}/assets/", retry=RetryPolicy(max_attempts=1)
        )

        async def stop() -> None:
            gate.set()
            await transport.close()
            await app_runner.cleanup()

        runner.on_close(stop)


@pytest.fixture
def served(tmp_path: Path) -> Path:
    root = tmp_path / "served"
    root.mkdir()
    (root / "big.pak").write_bytes(DATA)
    return root


def test_progress_arrives_at_most_once_per_tick(
    runner: TickRunner, served: Path, tmp_path: Path
) -> None:
    host = Host(runner, served, None)
    assert host.assets is not None
    ticks = [0]
    seen: list[tuple[int, int, int | None]] = []
    done: list[object] = []
    runner.submit(
        host.assets.download("big.pak", tmp_path / "dest"),
        on_progress=lambda d, t: seen.append((ticks[0], d, t)),
        on_done=done.append,
    )

    def step() -> bool:
        ticks[0] += 1
        return bool(done)

    tick_until(runner, step, MAX_TICKS)
    per_tick = [t for t, _, _ in seen]
    assert len(per_tick) == len(set(per_tick))  # never two deliveries in one tick
    assert seen[-1][1:] == (SIZE, SIZE)
    assert (tmp_path / "dest" / "big.pak").read_bytes() == DATA


def test_cancel_returns_at_once_and_the_next_download_resumes(
    runner: TickRunner, served: Path, tmp_path: Path
) -> None:
    host = Host(runner, served, Faults(drip_bytes_per_s=SERVER_CHUNK * 10, times=1))
    assert host.assets is not None
    assert host.stats is not None
    dest = tmp_path / "dest"
    got: list[int] = []
    handle = runner.submit(
        host.assets.download("big.pak", dest), on_progress=lambda d, t: got.append(d)
    )
    tick_until(
        runner, lambda: bool(got and got[-1] > 0), MAX_TICKS
    )  # one chunk arrived, then the host holds
    handle.cancel()
    assert handle.cancelled()
    part = dest / "big.pak.part"
    path = run(runner, host.assets.download("big.pak", dest))
    assert isinstance(path, Path)
    assert path.read_bytes() == DATA
    assert not part.exists()
    assert host.stats.bodies["big.pak"] == 2
    assert host.stats.bytes_sent["big.pak"] <= SIZE + SERVER_CHUNK


def test_tick_until_counts_ticks_and_says_why_it_gave_up(runner: TickRunner) -> None:
    async def answer() -> int:
        return 42

    got: list[int] = []
    runner.submit(answer(), on_done=got.append)
    assert tick_until(runner, lambda: got == [42]) >= 1
    with pytest.raises(AssertionError, match=r"after 3 ticks|within 0\.01 s"):
        tick_until(runner, lambda: False, 3, wait=0.01)
    with pytest.raises(ValueError, match="max_ticks"):
        tick_until(runner, lambda: True, 0)
