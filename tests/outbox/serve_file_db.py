"""Kill-test server: a ReferenceServer on a FILE database that outlives the killed client.

Usage: ``python serve_file_db.py DB_PATH``. Prints the URL as its first line, serves until its
stdin closes, then stops cleanly (every acknowledged write is committed).
"""

from __future__ import annotations

import asyncio
import sys

from gameservices._protocol.wire import Operator
from gameservices.server import Board
from gameservices.testing import ReferenceServer

BOARD = "clicks"


async def main(db_path: str) -> None:
    boards = (Board(BOARD, operator=Operator.INCREMENT),)
    async with ReferenceServer(db_path=db_path, boards=boards) as server:
        print(server.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
