"""Delivery semantics shared by both runner modes (the ``runner`` fixture is parametrized)."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import weakref
from typing import Any

import pytest

from gameservices import Handle, TickRunner, UsageError
from gameservices._runner.ambient import current_runner, report_progress

from .conftest import WAIT, Gate, frozen_clock, started, tick_until


async def value(x: Any) -> Any:
    return x


async def gated(gate: Gate, x: Any) -> Any:
    await gate.wait()
    return x


async def fail(message: str) -> None:
    raise ValueError(message)


def test_on_done_runs_only_inside_tick(runner: TickRunner) -> None:
    got: list[int] = []
    handle = runner.submit(value(7), on_done=got.append)
    if runner.mode == "thread":
        assert runner.wait(WAIT)
    assert got == []  # finished or not, nothing is delivered outside tick()
    assert not handle.done()
    tick_until(runner, handle.done)
    assert got == [7]
    assert handle.result() == 7
    assert handle.exception() is None
    assert runner.stats.delivered == 1


def test_callbacks_run_on_the_ticking_thread(runner: TickRunner) -> None:
    threads: list[threading.Thread] = []
    handle = runner.submit(value(1), on_done=lambda _: threads.append(threading.current_thread()))
    tick_until(runner, handle.done)
    assert threads == [threading.current_thread()]


def test_deliveries_follow_completion_order(runner: TickRunner) -> None:
    gates = {name: Gate(runner) for name in "abc"}
    got: list[str] = []
    handles = [runner.submit(gated(g, n), on_done=got.append) for n, g in gates.items()]
    for gate in gates.values():
        gate.waiters(1)
    for name in "cab":
        gates[name].open()
    tick_until(runner, lambda: all(h.done() for h in handles))
    assert got == ["c", "a", "b"]


def test_error_goes_to_on_error(runner: TickRunner) -> None:
    errors: list[BaseException] = []
    handle: Handle[None] = runner.submit(fail("boom"), on_error=errors.append)
    tick_until(runner, handle.done)
    assert len(errors) == 1
    assert isinstance(errors[0], ValueError)
    assert handle.exception() is errors[0]
    with pytest.raises(ValueError, match="boom"):
        handle.result()
    assert runner.stats.failed == 1


def test_error_without_on_error_is_one_line_with_the_traceback_at_debug(
    runner: TickRunner, caplog: pytest.LogCaptureFixture
) -> None:
    handle = runner.submit(fail("unheard"))
    with caplog.at_level(logging.DEBUG, logger="gameservices"):
        tick_until(runner, handle.done)
    mine = [r for r in caplog.records if r.name == "gameservices" and "fail" in r.getMessage()]
    [error] = [r for r in mine if r.levelno == logging.ERROR]
    assert error.exc_info is None  # no 30-line traceback of library internals at ERROR
    text = error.getMessage()
    assert "\n" not in text
    assert "ValueError: unheard" in text
    assert "on_error" in text
    [debug] = [r for r in mine if r.levelno == logging.DEBUG]
    assert debug.exc_info is not None
    assert "unheard" in str(debug.exc_info[1])


@pytest.mark.parametrize("mode", ["inline", "thread"])
def test_submit_of_a_coroutine_function_is_a_type_error_at_once(mode: str) -> None:
    async def load_level() -> int:
        return 1

    with TickRunner(mode=mode) as runner:  # type: ignore[arg-type]  # a str, one of the two modes
        with pytest.raises(TypeError, match=r"call it, runner\.submit\(.*load_level\(\.\.\.\)\)"):
            runner.submit(load_level)  # type: ignore[arg-type]  # the slip under test
        with pytest.raises(TypeError, match="coroutine or awaitable, not int"):
            runner.submit(3)  # type: ignore[arg-type]  # not awaitable at all
        assert runner.stats.submitted == 0  # nothing was queued: no handle left pending
        handle = runner.submit(load_level())  # the fix the message names
        tick_until(runner, handle.done)
        assert handle.result() == 1


def test_callback_error_is_contained_and_later_deliveries_run(
    runner: TickRunner, caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(runner)
    got: list[int] = []

    def explode(_: object) -> None:
        raise RuntimeError("callback bug")

    first = runner.submit(gated(gate, 1), on_done=explode)
    second = runner.submit(gated(gate, 2), on_done=got.append)
    runner.tick()
    gate.open()
    with caplog.at_level(logging.ERROR, logger="gameservices"):
        tick_until(runner, lambda: first.done() and second.done())
    assert got == [2]
    assert runner.stats.callback_errors == 1
    assert any("callback bug" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_raise_callback_errors_raises_after_delivering_the_rest() -> None:
    # A frozen clock: the one tick runs until idle however slowly a loaded machine runs it.
    with TickRunner(mode="inline", raise_callback_errors=True, clock=frozen_clock) as runner:
        got: list[int] = []

        def explode(_: object) -> None:
            raise RuntimeError("callback bug")

        runner.submit(value(1), on_done=explode)
        runner.submit(value(2), on_done=got.append)
        with pytest.raises(RuntimeError, match="callback bug"):
            runner.tick()
        assert got == [2]


def test_cancel_delivers_nothing_and_cancels_the_task(runner: TickRunner) -> None:
    gate = Gate(runner)
    seen: list[str] = []
    begun = threading.Event()

    async def work() -> None:
        begun.set()
        try:
            await gate.wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    got: list[object] = []
    handle = runner.submit(work(), on_done=got.append, on_error=got.append)
    started(runner, begun)
    assert handle.cancel() is True
    assert handle.cancelled()
    assert handle.done()
    tick_until(runner, lambda: seen == ["cancelled"])
    gate.open()
    for _ in range(3):
        runner.tick()
    assert got == []
    with pytest.raises(asyncio.CancelledError):
        handle.result()


def test_cancel_before_start_never_runs_the_coroutine(runner: TickRunner) -> None:
    ran: list[bool] = []
    inside, release = threading.Event(), threading.Event()

    async def hog() -> None:
        inside.set()
        release.wait(WAIT)  # thread mode: hold the loop so the cancel lands before the start

    async def work() -> None:
        ran.append(True)

    if runner.mode == "thread":
        runner.submit(hog())
        assert inside.wait(WAIT)
    handle = runner.submit(work())
    handle.cancel()
    release.set()
    tick_until(runner, lambda: runner.stats.cancelled == 1)
    assert ran == []


def test_progress_is_coalesced_to_one_call_per_tick_with_the_latest_value(
    runner: TickRunner,
) -> None:
    reported = threading.Event()

    async def work() -> str:
        for i in range(1, 101):
            report_progress(i, 100)
        reported.set()
        await asyncio.sleep(0)
        return "ok"

    calls: list[tuple[int, int | None]] = []
    handle = runner.submit(work(), on_progress=lambda d, t: calls.append((d, t)))
    per_tick = []
    while not handle.done():
        before = len(calls)
        runner.tick()
        per_tick.append(len(calls) - before)
        if runner.mode == "thread" and not handle.done():
            runner.wait(WAIT)
        assert len(per_tick) < 10_000
    assert max(per_tick) <= 1
    assert calls[-1] == (100, 100)
    if runner.mode == "inline":
        assert calls == [(100, 100)]  # all 100 reports happened within one tick


def test_task_sees_its_runner(runner: TickRunner) -> None:
    async def who() -> object:
        return current_runner()

    handle = runner.submit(who())
    tick_until(runner, handle.done)
    assert handle.result() is runner


class Owner:
    pass


class SlotOwner:
    """Like KX_GameObject: no weakref support, reports its end through ``invalid``."""

    __slots__ = ("invalid",)

    def __init__(self) -> None:
        self.invalid = False


def test_owner_garbage_collected_drops_delivery_and_cancels(runner: TickRunner) -> None:
    gate = Gate(runner)
    owner = Owner()
    got: list[int] = []
    handle = runner.submit(gated(gate, 1), on_done=got.append, owner=owner)
    runner.tick()
    del owner
    gc.collect()
    tick_until(runner, lambda: runner.stats.cancelled == 1)
    gate.open()
    runner.tick()
    assert handle.cancelled()
    assert got == []
    assert runner.stats.dropped == 1


def test_owner_invalid_drops_delivery_and_cancels(runner: TickRunner) -> None:
    owner = SlotOwner()
    got: list[int] = []
    handle = runner.submit(value(1), on_done=got.append, owner=owner)
    owner.invalid = True
    tick_until(runner, lambda: runner.stats.cancelled == 1)
    assert handle.cancelled()
    assert got == []


def test_live_unweakrefable_owner_still_gets_its_result(runner: TickRunner) -> None:
    owner = SlotOwner()
    got: list[int] = []
    handle = runner.submit(value(5), on_done=got.append, owner=owner)
    tick_until(runner, handle.done)
    assert got == [5]


def test_cancel_owner_cancels_only_that_owners_work(runner: TickRunner) -> None:
    gate = Gate(runner)
    mine, other = Owner(), Owner()
    got: list[str] = []
    a = runner.submit(gated(gate, "a"), on_done=got.append, owner=mine)
    b = runner.submit(gated(gate, "b"), on_done=got.append, owner=mine)
    c = runner.submit(gated(gate, "c"), on_done=got.append, owner=other)
    runner.tick()
    assert runner.cancel_owner(mine) == 2
    gate.open()
    tick_until(runner, c.done)
    assert a.cancelled()
    assert b.cancelled()
    assert got == ["c"]


def test_close_cancels_pending_work_lets_it_clean_up_then_runs_closers(
    runner: TickRunner,
) -> None:
    gate = Gate(runner)
    events: list[str] = []

    async def work() -> None:
        try:
            await gate.wait()
        finally:
            events.append("cleanup")

    async def closer() -> None:
        assert asyncio.get_running_loop() is runner.loop
        events.append("closer")

    runner.on_close(closer)
    handle = runner.submit(work(), on_done=lambda _: events.append("delivered"))
    gate.waiters(1)
    runner.close()
    assert events == ["cleanup", "closer"]
    assert handle.cancelled()
    assert runner.loop.is_closed()
    runner.close()  # idempotent
    runner.tick()  # a no-op after close


def test_submit_after_close_is_a_usage_error(runner: TickRunner) -> None:
    runner.close()
    coro = value(1)
    with pytest.raises(UsageError, match="closed"):
        runner.submit(coro)
    assert coro.cr_frame is None  # closed for us: no "never awaited" warning


def test_close_from_inside_a_callback_is_safe(runner: TickRunner) -> None:
    got: list[int] = []
    runner.submit(value(1), on_done=lambda _: runner.close())
    runner.submit(value(2), on_done=got.append)
    tick_until(runner, lambda: runner.closed)
    assert runner.closed
    assert got == []  # undelivered results are dropped at close


def test_tick_from_a_second_thread_is_a_usage_error(runner: TickRunner) -> None:
    runner.tick()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            runner.tick()
        except UsageError as exc:
            errors.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert "thread" in str(errors[0])


def test_default_mode_is_thread() -> None:
    with TickRunner() as runner:  # chosen from benchmarks/frame_hitch.py; see docs/runner.md
        assert runner.mode == "thread"


def test_bad_arguments_are_value_errors() -> None:
    with pytest.raises(ValueError, match="mode"):
        TickRunner(mode="fibers")  # type: ignore[arg-type]  # deliberately wrong
    with pytest.raises(ValueError, match="budget"):
        TickRunner(budget=0)


def test_handle_result_before_delivery_is_a_usage_error(runner: TickRunner) -> None:
    gate = Gate(runner)
    handle = runner.submit(gated(gate, 1))
    with pytest.raises(UsageError, match="not done"):
        handle.result()
    gate.open()
    tick_until(runner, handle.done)
    assert handle.result() == 1


def test_closers_registered_from_inside_a_task_close_an_aiohttp_session(
    runner: TickRunner, caplog: pytest.LogCaptureFixture
) -> None:
    import aiohttp

    async def open_session() -> aiohttp.ClientSession:
        session = aiohttp.ClientSession()
        hooks = current_runner()
        assert hooks is not None
        hooks.on_close(session.close)  # what the client does with its session
        return session

    handle = runner.submit(open_session())
    tick_until(runner, handle.done)
    session = handle.result()
    assert not session.closed
    with caplog.at_level(logging.ERROR):
        runner.close()
        gc.collect()  # an unclosed session or a pending task would complain here
    assert session.closed
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_close_leaves_no_pending_task_behind(
    runner: TickRunner, caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(runner)
    handles = [runner.submit(gated(gate, i)) for i in range(5)]
    gate.waiters(5)
    with caplog.at_level(logging.ERROR):
        runner.close()
        gc.collect()
    assert all(h.cancelled() for h in handles)
    assert not any("destroyed but it is pending" in r.getMessage() for r in caplog.records)


def test_on_close_after_close_is_a_usage_error(runner: TickRunner) -> None:
    async def closer() -> None:
        pass

    runner.close()
    with pytest.raises(UsageError, match="closed"):
        runner.on_close(closer)


class Screen:
    """An owner whose bound method is the callback (``on_done=self.show, owner=self``)."""

    def __init__(self) -> None:
        self.shown: list[int] = []

    def show(self, value: int) -> None:
        self.shown.append(value)


def test_a_bound_method_callback_does_not_keep_its_owner_alive(runner: TickRunner) -> None:
    gate = Gate(runner)
    screen = Screen()
    alive = weakref.ref(screen)
    handle = runner.submit(gated(gate, 1), on_done=screen.show, owner=screen)
    gate.waiters(1)
    del screen
    gc.collect()
    assert alive() is None  # the handle held only a weak reference
    tick_until(runner, lambda: runner.stats.cancelled == 1)
    assert handle.cancelled()
    assert runner.stats.dropped == 1


def test_a_bound_method_callback_is_delivered_while_its_owner_lives(runner: TickRunner) -> None:
    screen = Screen()
    handle = runner.submit(value(3), on_done=screen.show, owner=screen)
    tick_until(runner, handle.done)
    assert screen.shown == [3]
