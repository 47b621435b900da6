"""Kill-test client, run as a subprocess by test_kill.py.

``submit URL DATA_DIR N``: logs in and submits N INCREMENTs of 1, printing each index after its
submit returned (so every printed line is a score that was durable), then flushes.
``drain URL DATA_DIR``: logs in and flushes what a killed run left, printing each entry's seq
right after the server acknowledged it, before the outbox deletes it: a kill after reading a line
lands in the window where the server has applied a write that is still queued here.
``flush URL DATA_DIR``: logs in as the same device, flushes what a killed run left, and prints the
record and the outbox's state as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys

from gameservices import Client, OutboxEntry

DEVICE_ID = "outbox-kill-test-device-0001"
BOARD = "clicks"


async def submit(url: str, data_dir: str, count: int) -> None:
    async with Client(url, server_key="defaultkey", data_dir=data_dir) as client:
        await client.auth.device(DEVICE_ID, create=True)
        for index in range(count):
            await client.leaderboards.submit(BOARD, 1, operator="incr")
            print(index, flush=True)  # a tiny write to a pipe; this process is only a harness
        await client.outbox.flush()


async def drain(url: str, data_dir: str) -> None:
    client = Client(url, server_key="defaultkey", data_dir=data_dir)
    send = client.outbox._send  # the harness taps the delivery seam

    async def announce(entry: OutboxEntry) -> None:
        await send(entry)
        print(entry.seq, flush=True)

    client.outbox._send = announce
    async with client:
        await client.auth.device(DEVICE_ID, create=True)
        await client.outbox.flush()


async def flush(url: str, data_dir: str) -> None:
    async with Client(url, server_key="defaultkey", data_dir=data_dir) as client:
        session = await client.auth.device(DEVICE_ID, create=True)
        await client.outbox.flush(timeout=30)
        page = await client.leaderboards.list(BOARD, limit=1, owner_ids=[session.user_id])
        (record,) = page.owner_records
        state = {
            "score": record.score,
            "num_score": record.num_score,
            "pending": len(await client.outbox.pending()),
            "dead": len(await client.outbox.dead_letters()),
        }
        print(json.dumps(state), flush=True)


if __name__ == "__main__":
    mode, url, data_dir, *rest = sys.argv[1:]
    if mode == "submit":
        asyncio.run(submit(url, data_dir, int(rest[0])))
    elif mode == "drain":
        asyncio.run(drain(url, data_dir))
    else:
        asyncio.run(flush(url, data_dir))
