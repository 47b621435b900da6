"""Examples run against a reference server on its own thread; ``examples/`` is importable."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gameservices.testing.threaded import ServerThread

from ..nakama.support import NAKAMA_SKIP_REASON, nakama_server_key, nakama_url

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FRAME_LIMIT_SECONDS = 20.0  # a generous bound on frames spent waiting for the local server


@pytest.fixture(scope="package")
def server() -> Iterator[ServerThread]:
    with ServerThread(db_path=":memory:") as running:
        yield running


@pytest.fixture(params=["reference", "nakama"])
def url_args(request: pytest.FixtureRequest) -> list[str]:
    """An example's arguments to run against the reference server it starts for itself (none),
    and against the real Nakama named by GAMESERVICES_NAKAMA_URL (``--url``), when there is one."""
    if request.param == "reference":
        return []
    url = nakama_url()
    if url is None:
        pytest.skip(NAKAMA_SKIP_REASON)
    if nakama_server_key() != "defaultkey":
        pytest.skip("the examples log in with the default server key")
    return ["--url", url]


def run_frames(step: Callable[[], object], until: Callable[[], bool]) -> int:
    """Run frames (1 ms apart, like a fast game) until ``until()``; fail after the bound."""
    deadline = time.monotonic() + FRAME_LIMIT_SECONDS
    frames = 0
    while not until():
        assert time.monotonic() < deadline, f"condition not met after {frames} frames"
        step()
        frames += 1
        time.sleep(0.001)  # the frame's pacing, not a wait for a result
    return frames


def load_example(name: str) -> Any:
    """Import ``examples/<name>.py`` as a module (examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
