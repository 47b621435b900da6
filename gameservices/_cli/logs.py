"""Keep the library's log records out of the terminal while a command or the demo runs.

The library logs on the ``gameservices`` logger and configures no handlers, so Python's
last-resort handler would print its warnings on stderr, mid-table or mid-frame. Commands say what
went wrong in their own one-line error instead; the demo counts the records and can print them.
Invariant: the logger's handlers and ``propagate`` are restored on exit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

__all__ = ["Collected", "collect_logs"]


class Collected(logging.Handler):
    """The records logged while ``collect_logs`` was active (WARNING and above)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def collect_logs(name: str = "gameservices") -> Iterator[Collected]:
    log = logging.getLogger(name)
    handler, propagate = Collected(), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.propagate = propagate
