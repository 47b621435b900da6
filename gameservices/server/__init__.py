"""The reference server: a Nakama-compatible subset plus an asset host (aiohttp.web + SQLite).

Needs the ``server`` extra (sortedcontainers, pyjwt): ``pip install 'gameservices[server]'``.
"""

from .._protocol.wire import Operator, SortOrder
from .app import create_app
from .config import DEMO_BOARDS, Board, ServerConfig, load_config_file, parse_board

__all__ = [
    "DEMO_BOARDS",
    "Board",
    "Operator",
    "ServerConfig",
    "SortOrder",
    "create_app",
    "load_config_file",
    "parse_board",
]
