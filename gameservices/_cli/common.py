"""Flags and output helpers shared by the client-side commands.

Invariants: the server key is read from ``--server-key`` or ``GAMESERVICES_SERVER_KEY`` and never
printed; every failure becomes one line on stderr and a non-zero exit code (``fail``), never a
traceback; ``--json`` output is one JSON document on stdout. People get rich tables with the
``cli`` extra and plain text without it (``Screen``): no command needs rich.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .tables import TextTable, plain, to_rich

__all__ = [
    "DEFAULT_SERVER_KEY",
    "DEFAULT_URL",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "Screen",
    "add_connection_flags",
    "add_json_flag",
    "connection",
    "emit_json",
    "fail",
]

DEFAULT_URL = "http://127.0.0.1:7350"
DEFAULT_SERVER_KEY = "defaultkey"
URL_ENV = "GAMESERVICES_URL"
KEY_ENV = "GAMESERVICES_SERVER_KEY"
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """``--url``, ``--server-key`` (falling back to the environment, then to the defaults) and
    ``--allow-insecure``."""
    parser.add_argument(
        "--url", help=f"server base URL (env {URL_ENV}, default {DEFAULT_URL})", default=None
    )
    parser.add_argument(
        "--server-key",
        metavar="KEY",
        default=None,
        help=f"server key for authentication (env {KEY_ENV}, default {DEFAULT_SERVER_KEY!r})",
    )
    parser.add_argument(
        "--allow-insecure",
        action="store_true",
        help="allow plain http:// to a host that is not this machine (tokens travel unencrypted)",
    )


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")


def connection(args: argparse.Namespace) -> tuple[str, str]:
    """(url, server_key) from flags, else environment, else defaults."""
    url = args.url or os.environ.get(URL_ENV) or DEFAULT_URL
    key = args.server_key or os.environ.get(KEY_ENV) or DEFAULT_SERVER_KEY
    return url, key


def emit_json(doc: Any) -> None:
    print(json.dumps(doc, indent=2, sort_keys=True))


def fail(message: object, code: int = EXIT_FAILED) -> int:
    """Print ``gameservices: error: <one line>`` on stderr and return the exit code."""
    line = " ".join(str(message).split()) or type(message).__name__
    print(f"gameservices: error: {line}", file=sys.stderr)
    return code


class Screen:
    """Where a command shows its result to people: rich if installed, plain text otherwise."""

    def __init__(self) -> None:
        try:
            from rich.console import Console
        except ImportError:  # the cli extra is optional: plain text does the job
            self._console: Any = None
        else:
            self._console = Console()

    def say(self, text: str) -> None:
        if self._console is None:
            print(text)
        else:  # no markup: usernames and errors are printed as they are
            self._console.print(text, markup=False, highlight=False)

    def table(self, table: TextTable) -> None:
        if self._console is None:
            print(plain(table))
        else:
            self._console.print(to_rich(table))
