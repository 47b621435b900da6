"""gameservices: online services for games, driven from the frame loop without hitches.

Engine glue lives in ``gameservices.engines.*`` and is imported lazily, never from here.
"""

from ._client import Client
from ._config import DEFAULT, RetryPolicy, Timeouts
from ._context import report_progress
from ._delivery import Handle
from ._downloads import SyncResult
from ._exceptions import (
    APIError,
    AuthError,
    Conflict,
    ConnectError,
    GameServicesError,
    IntegrityError,
    InvalidArgument,
    NotFound,
    OutboxFull,
    OutcomeUnknown,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    ServerError,
    SessionExpired,
    StorageError,
    TransportError,
    UsageError,
)
from ._outbox import Submission
from ._outbox_db import OutboxEntry
from ._protocol.manifest import Manifest, ManifestEntry
from ._protocol.models import LeaderboardRecord, LeaderboardRecordList
from ._protocol.wire import Operator
from ._runner import TickRunner
from ._session import Session
from ._stats import RunnerStats

__version__ = "0.1.0"

__all__ = [
    "DEFAULT",
    "APIError",
    "AuthError",
    "Client",
    "Conflict",
    "ConnectError",
    "GameServicesError",
    "Handle",
    "IntegrityError",
    "InvalidArgument",
    "LeaderboardRecord",
    "LeaderboardRecordList",
    "Manifest",
    "ManifestEntry",
    "NotFound",
    "Operator",
    "OutboxEntry",
    "OutboxFull",
    "OutcomeUnknown",
    "ProtocolError",
    "RateLimited",
    "RequestTimeout",
    "RetryPolicy",
    "RunnerStats",
    "ServerError",
    "Session",
    "SessionExpired",
    "StorageError",
    "Submission",
    "SyncResult",
    "TickRunner",
    "Timeouts",
    "TransportError",
    "UsageError",
    "__version__",
    "report_progress",
]
