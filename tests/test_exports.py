"""The public surface is exactly what __all__ says: no more, no less."""

from __future__ import annotations

import gameservices

EXPECTED = {
    "Session",
    "LeaderboardRecordList",
    "LeaderboardRecord",
    "Client",
    "GameCenterCredentials",
    "DEFAULT",
    "APIError",
    "AuthError",
    "Conflict",
    "ConnectError",
    "GameServicesError",
    "Handle",
    "IntegrityError",
    "InvalidArgument",
    "Manifest",
    "ManifestEntry",
    "NotConfigured",
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
    "SessionExpired",
    "SlowTick",
    "StorageError",
    "Submission",
    "SyncResult",
    "TickRunner",
    "Timeouts",
    "TransportError",
    "UsageError",
    "__version__",
    "report_progress",
    # the transport seam (Client(transport=...)) and grouped session settings
    "AiohttpTransport",
    "BodyStream",
    "HttpRequest",
    "HttpResponse",
    "HttpTransport",
    "SessionOptions",
    "Disconnected",
    "Realtime",
    "RealtimeError",
    "RealtimeEvent",
    "RealtimeOptions",
    "Subscription",
    # social: friends and notifications
    "Friend",
    "FriendList",
    "FriendOfFriend",
    "FriendState",
    "FriendsOfFriends",
    "Notification",
    "NotificationList",
    "Group",
    "GroupList",
    "GroupRole",
    "GroupUser",
    "GroupUserList",
    "UserGroup",
    "UserGroupList",
    # tournaments (client.tournaments)
    "Tournament",
    "TournamentList",
    # match listing and the matchmaker's stats (client.matches), parties (client.parties)
    "Match",
    "MatchList",
    "MatchmakerCompletion",
    "MatchmakerStats",
    "Party",
    "PartyList",
    # accounts and users (issue 12)
    "Account",
    "User",
    # client.storage's records
    "StorageAck",
    "StorageId",
    "StorageObject",
    "StorageObjectList",
    "StorageWrite",
    # client.purchases's records
    "StoreEnvironment",
    "StoreProvider",
    "SubscriptionList",
    "ValidatePurchaseResponse",
    "ValidatedPurchase",
    "ValidatedSubscription",
}


def test_all_is_exact() -> None:
    assert set(gameservices.__all__) == EXPECTED
    assert len(gameservices.__all__) == len(EXPECTED), "duplicates in __all__"


def test_every_public_name_is_exported() -> None:
    public = {n for n in dir(gameservices) if not n.startswith("_")}
    # Submodules are reachable as attributes but are not part of the surface.
    public -= {"engines", "server", "testing", "realtime"}
    assert public <= set(gameservices.__all__), public - set(gameservices.__all__)


def test_engines_are_not_imported_by_the_package() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gameservices; "
        "print(any(m.startswith('gameservices.engines') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
