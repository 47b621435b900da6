"""Game code submits through a TickRunner: the Submission arrives in tick(), and runner.close()
stops the delivery task and closes the outbox file cleanly (warnings are errors here)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gameservices import Client, RetryPolicy, Submission, TickRunner
from gameservices._outbox.db import OutboxDB
from gameservices.engines.headless import run_headless


async def _never(delay: float) -> None:
    await asyncio.Event().wait()  # a backoff that only cancellation ends


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_submit_through_a_runner_then_close_it(mode: str, tmp_path: Path) -> None:
    runner = TickRunner(mode=mode)  # type: ignore[arg-type]  # parametrized literal
    # Nothing listens on port 9 of loopback: delivery fails and waits in its backoff.
    client = Client("http://127.0.0.1:9", data_dir=tmp_path, retry=RetryPolicy(sleep=_never))
    results: list[Any] = []

    async def play() -> Submission:
        return await client.leaderboards.submit("kills", 3, operator="incr")

    handle = runner.submit(play(), on_done=results.append, on_error=results.append)
    run_headless(runner, fps=1000, until=handle.done, sleep=lambda s: None)
    run_headless(runner, fps=1000, frames=1, sleep=lambda s: None)  # deliver
    assert isinstance(results[0], Submission)
    runner.close()
    assert client.state.value == "closed"

    db = OutboxDB(tmp_path, max_entries=10, max_dead=10)
    db.open()  # the lock was released by the close
    (entry,) = db.entries(dead=False)
    assert (entry.seq, entry.score, entry.idempotency_key) == (1, 3, results[0].idempotency_key)
    db.close()
