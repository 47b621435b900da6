"""The background sender the score outbox and ``client.saves`` share (``_outbox/sender.py``)."""

from __future__ import annotations

import asyncio

from gameservices._lifecycle import Lifecycle
from gameservices._outbox.sender import Sender


async def test_work_queued_while_a_round_looks_still_wakes_the_sender() -> None:
    sender, queue, sent = Sender(), [1], []

    async def body() -> None:
        while True:
            sender.next_round()
            if not queue:
                await sender.idle()
                continue
            sent.append(queue.pop(0))
            if sent == [1]:  # work queued during this round: the next round must see it
                queue.append(2)
                sender.wake()

    assert sender.start(body)
    assert not sender.start(body)  # one task
    while sent != [1, 2]:
        await sender.changed()
    assert sender.state is Lifecycle.OPEN
    assert await sender.close()
    assert not await sender.close()
    assert not sender.start(body)  # closed for good
    assert sender.state is Lifecycle.CLOSED


async def test_a_kick_cuts_one_backoff_short_and_counts_once() -> None:
    sender, never = Sender(), asyncio.Event()
    slept: list[float] = []

    async def sleep(wait: float) -> None:
        slept.append(wait)
        await never.wait()  # only a kick can end this backoff

    sender.kick()
    await sender.backoff(30.0, sleep)  # the kick came before: it ends this one at once
    assert slept == [30.0]
    pending = asyncio.ensure_future(sender.backoff(30.0, sleep))
    await asyncio.sleep(0)
    assert not pending.done()  # the earlier kick was spent
    sender.kick()
    await pending
    assert slept == [30.0, 30.0]
