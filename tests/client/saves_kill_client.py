"""Kill-test client for client.saves, run as a subprocess by test_saves_kill.py.

``save URL DATA_DIR N``: logs in (URL must answer), then points at nothing (the server "goes
away": every delivery attempt fails), saves slot ``progress`` N times with ``{"level": i}``,
printing each i after ``save`` returned, and then waits to be killed.
``sync URL DATA_DIR``: restores the session, loads the slot (printing it: offline truth), flushes
to URL, and prints the server's copy as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys

from gameservices import Client, StorageId

DEVICE_ID = "saves-kill-test-device-0001"


def _dead_url() -> str:
    with socket.socket() as sock:  # a port nothing listens on once this returns
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def save(url: str, data_dir: str, count: int) -> None:
    async with Client(url, data_dir=data_dir) as client:
        await client.auth.device(DEVICE_ID, create=True)
    async with Client(_dead_url(), data_dir=data_dir) as client:
        await client.auth.restore()
        for level in range(count):
            await client.saves.save("progress", {"level": level})
            print(level, flush=True)  # a tiny write to a pipe; this process is only a harness
        await asyncio.Event().wait()  # killed here


async def sync(url: str, data_dir: str) -> None:
    async with Client(url, data_dir=data_dir) as client:
        await client.auth.restore()
        local = await client.saves.load("progress")
        await client.saves.flush(timeout=30)
        (obj,) = await client.storage.read([StorageId("saves", "progress")])
        print(json.dumps({"local": local, "server": dict(obj.value)}), flush=True)


if __name__ == "__main__":
    mode, url, data_dir, *rest = sys.argv[1:]
    if mode == "save":
        asyncio.run(save(url, data_dir, int(rest[0])))
    else:
        asyncio.run(sync(url, data_dir))
