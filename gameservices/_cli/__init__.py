"""The ``gameservices`` command.

Each subcommand lives in its own module exposing ``register(subparsers)``; the module's handler
returns an exit code. Modules are imported lazily so ``--help`` stays fast and a missing extra
(rich, the server's dependencies) only fails the command that needs it, with a clear message.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

__all__ = ["main"]

# One module per group of subcommands; each registers its own parsers.
COMMAND_MODULES: tuple[str, ...] = ("serve", "download", "demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gameservices",
        description="Online services for games: reference server, client tools and demo.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code
