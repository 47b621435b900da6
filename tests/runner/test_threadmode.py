"""Thread mode: the loop runs on its own thread; cancel never waits for it."""

from __future__ import annotations

import threading

from gameservices import TickRunner

from .conftest import WAIT, tick_until


def test_cancel_does_not_block_while_the_loop_thread_is_busy() -> None:
    with TickRunner(mode="thread") as runner:
        inside, release = threading.Event(), threading.Event()

        async def hog() -> None:
            inside.set()
            release.wait(WAIT)  # deliberately blocks the loop thread

        hogging = runner.submit(hog())
        assert inside.wait(WAIT)
        assert hogging.cancel() is True  # returns although the loop cannot run anything now
        assert hogging.cancelled()
        release.set()
        tick_until(runner, lambda: runner.stats.cancelled == 1)


def test_loop_runs_on_a_daemon_thread_that_close_joins() -> None:
    runner = TickRunner(mode="thread")
    seen: list[threading.Thread] = []

    async def where() -> None:
        seen.append(threading.current_thread())

    handle = runner.submit(where())
    tick_until(runner, handle.done)
    [thread] = seen
    assert thread is not threading.current_thread()
    assert thread.daemon
    runner.close()
    assert not thread.is_alive()
