"""The reference server: a Nakama-compatible subset plus an asset host (aiohttp.web + SQLite).

Needs the ``server`` extra (sortedcontainers, pyjwt, croniter):
``pip install 'gameservices[server]'``. Without it, importing this package (or starting a
``gameservices.testing.ReferenceServer``) raises ``ModuleNotFoundError`` whose one-line message
names the extra to install.
"""

from .._protocol.wire import Operator, SortOrder

# The distributions of the server extra, by the top-level module each one installs.
EXTRA_MODULES = {"sortedcontainers": "sortedcontainers", "jwt": "pyjwt", "croniter": "croniter"}
MISSING_EXTRA = (
    "the gameservices reference server needs the server extra: "
    "pip install 'gameservices[server]' (no module named {module!r}, from {dist})"
)

try:
    from .app import create_app
    from .config import DEMO_BOARDS, Board, ServerConfig, load_config_file, parse_board
    from .tournaments import Tournament
except ModuleNotFoundError as exc:
    top = (exc.name or "").split(".")[0]
    if top not in EXTRA_MODULES:
        raise
    message = MISSING_EXTRA.format(module=top, dist=EXTRA_MODULES[top])
    raise ModuleNotFoundError(message, name=exc.name) from None

__all__ = [
    "DEMO_BOARDS",
    "Board",
    "Operator",
    "ServerConfig",
    "SortOrder",
    "Tournament",
    "create_app",
    "load_config_file",
    "parse_board",
]
