"""The one lifecycle enum of the package's long-lived objects (client, transport, outbox store,
runner).

Rule 1: a lifecycle only moves forward: NEW -> OPEN -> (CLOSING ->) CLOSED. Nothing reopens.
Rule 2: an object that opens on first use starts NEW; one that is usable at once starts OPEN.
        CLOSING is for objects whose close takes a while and refuses new work meanwhile.
"""

from __future__ import annotations

import enum

__all__ = ["Lifecycle"]


class Lifecycle(enum.Enum):
    NEW = "new"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"
