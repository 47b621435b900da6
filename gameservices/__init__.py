"""gameservices: online services for games, driven from the frame loop without hitches.

Engine glue lives in ``gameservices.engines.*`` and is imported lazily, never from here.
"""

from ._assets.downloader import SyncResult
from ._client.client import Client
from ._client.realtime import Realtime
from ._client.realtime_events import Event as RealtimeEvent
from ._client.session import Session
from ._client.transport import (
    AiohttpTransport,
    BodyStream,
    HttpRequest,
    HttpResponse,
    HttpTransport,
)
from ._config import DEFAULT, RealtimeOptions, RetryPolicy, SessionOptions, Timeouts
from ._exceptions import (
    APIError,
    AuthError,
    Conflict,
    ConnectError,
    Disconnected,
    GameServicesError,
    IntegrityError,
    InvalidArgument,
    NotConfigured,
    NotFound,
    OutboxFull,
    OutcomeUnknown,
    ProtocolError,
    RateLimited,
    RealtimeError,
    RequestTimeout,
    ServerError,
    SessionExpired,
    StorageError,
    TransportError,
    UsageError,
)
from ._outbox.db import OutboxEntry
from ._outbox.store import Submission
from ._protocol.accounts import Account
from ._protocol.friends import Friend, FriendList, FriendOfFriend, FriendsOfFriends, FriendState
from ._protocol.groups import (
    Group,
    GroupList,
    GroupRole,
    GroupUser,
    GroupUserList,
    UserGroup,
    UserGroupList,
)
from ._protocol.manifest import Manifest, ManifestEntry
from ._protocol.matches import Match, MatchList
from ._protocol.matchmaker_stats import MatchmakerCompletion, MatchmakerStats
from ._protocol.models import LeaderboardRecord, LeaderboardRecordList
from ._protocol.notifications import Notification, NotificationList
from ._protocol.parties import Party, PartyList
from ._protocol.providers import GameCenterCredentials
from ._protocol.purchases import (
    StoreEnvironment,
    StoreProvider,
    SubscriptionList,
    ValidatedPurchase,
    ValidatedSubscription,
    ValidatePurchaseResponse,
)
from ._protocol.storage import (
    StorageAck,
    StorageId,
    StorageObject,
    StorageObjectList,
    StorageWrite,
)
from ._protocol.tournaments import Tournament, TournamentList
from ._protocol.users import User
from ._protocol.wire import Operator
from ._runner.ambient import report_progress
from ._runner.handles import Handle, Subscription
from ._runner.runner import TickRunner
from ._runner.slowticks import SlowTick
from ._runner.stats import RunnerStats

__version__ = "0.1.0"

__all__ = [
    "DEFAULT",
    "APIError",
    "Account",
    "AiohttpTransport",
    "AuthError",
    "BodyStream",
    "Client",
    "Conflict",
    "ConnectError",
    "Disconnected",
    "Friend",
    "FriendList",
    "FriendOfFriend",
    "FriendState",
    "FriendsOfFriends",
    "GameCenterCredentials",
    "GameServicesError",
    "Group",
    "GroupList",
    "GroupRole",
    "GroupUser",
    "GroupUserList",
    "Handle",
    "HttpRequest",
    "HttpResponse",
    "HttpTransport",
    "IntegrityError",
    "InvalidArgument",
    "LeaderboardRecord",
    "LeaderboardRecordList",
    "Manifest",
    "ManifestEntry",
    "Match",
    "MatchList",
    "MatchmakerCompletion",
    "MatchmakerStats",
    "NotConfigured",
    "NotFound",
    "Notification",
    "NotificationList",
    "Operator",
    "OutboxEntry",
    "OutboxFull",
    "OutcomeUnknown",
    "Party",
    "PartyList",
    "ProtocolError",
    "RateLimited",
    "Realtime",
    "RealtimeError",
    "RealtimeEvent",
    "RealtimeOptions",
    "RequestTimeout",
    "RetryPolicy",
    "RunnerStats",
    "ServerError",
    "Session",
    "SessionExpired",
    "SessionOptions",
    "SlowTick",
    "StorageAck",
    "StorageError",
    "StorageId",
    "StorageObject",
    "StorageObjectList",
    "StorageWrite",
    "StoreEnvironment",
    "StoreProvider",
    "Submission",
    "Subscription",
    "SubscriptionList",
    "SyncResult",
    "TickRunner",
    "Timeouts",
    "Tournament",
    "TournamentList",
    "TransportError",
    "UsageError",
    "User",
    "UserGroup",
    "UserGroupList",
    "ValidatePurchaseResponse",
    "ValidatedPurchase",
    "ValidatedSubscription",
    "__version__",
    "report_progress",
]
