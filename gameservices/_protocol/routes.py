"""Every route of the HTTP API, spelt once: the client fills these, the server registers them and
its OpenAPI document lists them (tests/test_layout.py refuses a ``/v2`` path written anywhere else).

Rule 1: a route is a template in aiohttp's and the swagger's ``{name}`` syntax.
Rule 2: ``fill`` percent-encodes each value as exactly one segment (a board id holding ``/`` or
        ``?`` stays one segment) and refuses an empty or non-string value.
"""

from __future__ import annotations

import functools
import string
from urllib.parse import quote

__all__ = [
    "ACCOUNT",
    "ACCOUNT_LINK",
    "ACCOUNT_UNLINK",
    "API_PREFIX",
    "API_ROOT",
    "AUTHENTICATE",
    "CHANNEL",
    "EVENT",
    "FRIEND",
    "FRIEND_BLOCK",
    "FRIEND_FRIENDS",
    "FRIEND_IMPORT",
    "GROUP",
    "GROUP_ACTION",
    "GROUP_ID",
    "GROUP_USERS",
    "HEALTHCHECK",
    "IAP_PURCHASE",
    "IAP_SUBSCRIPTION",
    "IAP_SUBSCRIPTIONS",
    "IAP_SUBSCRIPTION_STORE",
    "LEADERBOARD",
    "LEADERBOARD_OWNER",
    "MATCHES",
    "MATCHMAKER_STATS",
    "NOTIFICATION",
    "OPENAPI",
    "PARTIES",
    "RPC",
    "SESSION_LOGOUT",
    "SESSION_REFRESH",
    "SOCKET",
    "STORAGE",
    "STORAGE_COLLECTION",
    "STORAGE_DELETE",
    "STORAGE_USER",
    "TOURNAMENT",
    "TOURNAMENTS",
    "TOURNAMENT_JOIN",
    "TOURNAMENT_OWNER",
    "USERS",
    "USER_GROUPS",
    "fill",
    "prefix",
]

API_ROOT = "/v2"
API_PREFIX = API_ROOT + "/"
HEALTHCHECK = "/healthcheck"
OPENAPI = "/v2/openapi.json"  # the reference server's own document (Nakama serves none)

AUTHENTICATE = "/v2/account/authenticate/{kind}"  # kind: device, custom, email, ...
SESSION_REFRESH = "/v2/account/session/refresh"
SESSION_LOGOUT = "/v2/session/logout"
ACCOUNT = "/v2/account"
ACCOUNT_LINK = "/v2/account/link/{kind}"  # kind: device, custom, email, or a provider
ACCOUNT_UNLINK = "/v2/account/unlink/{kind}"
USERS = "/v2/user"
RPC = "/v2/rpc/{id}"  # server functions; the reference server routes any id, "/" included

LEADERBOARD = "/v2/leaderboard/{leaderboard_id}"
LEADERBOARD_OWNER = "/v2/leaderboard/{leaderboard_id}/owner/{owner_id}"

CHANNEL = "/v2/channel/{channel_id}"  # chat history
SOCKET = "/ws"  # the realtime socket (not under /v2)
MATCHES = "/v2/match"
MATCHMAKER_STATS = "/v2/matchmaker/stats"
PARTIES = "/v2/party"  # GET lists parties (the realtime socket makes them)
# social: friends, groups, notifications
FRIEND = "/v2/friend"
FRIEND_BLOCK = "/v2/friend/block"
FRIEND_FRIENDS = "/v2/friend/friends"
FRIEND_IMPORT = "/v2/friend/{provider}"  # provider: facebook, steam
GROUP = "/v2/group"
GROUP_ID = "/v2/group/{group_id}"
GROUP_ACTION = "/v2/group/{group_id}/{action}"  # join, leave, add, kick, promote, demote, ban
GROUP_USERS = "/v2/group/{group_id}/user"
USER_GROUPS = "/v2/user/{user_id}/group"
NOTIFICATION = "/v2/notification"
TOURNAMENTS = "/v2/tournament"
TOURNAMENT = "/v2/tournament/{tournament_id}"
TOURNAMENT_JOIN = "/v2/tournament/{tournament_id}/join"
TOURNAMENT_OWNER = "/v2/tournament/{tournament_id}/owner/{owner_id}"
# storage objects: PUT writes, POST reads, GET lists a collection, PUT .../delete deletes
STORAGE = "/v2/storage"
STORAGE_COLLECTION = "/v2/storage/{collection}"
STORAGE_DELETE = "/v2/storage/delete"
STORAGE_USER = "/v2/storage/{collection}/{user_id}"  # a listing with the owner in the path
EVENT = "/v2/event"  # analytics events
# in-app purchases and subscriptions, validated by the store they came from
IAP_PURCHASE = "/v2/iap/purchase/{store}"  # store: apple, google, huawei, facebookinstant
IAP_SUBSCRIPTIONS = "/v2/iap/subscription"  # POST: a page of the player's subscriptions
IAP_SUBSCRIPTION_STORE = "/v2/iap/subscription/{store}"  # POST validates: apple, google
IAP_SUBSCRIPTION = "/v2/iap/subscription/{product_id}"  # GET: one subscription

_FORMATTER = string.Formatter()


def fill(template: str, **values: str) -> str:
    """``fill(LEADERBOARD, leaderboard_id="a/b")`` -> ``/v2/leaderboard/a%2Fb``."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if names != values.keys():
        raise TypeError(f"{template} takes {sorted(names)}, got {sorted(values)}")
    return template.format_map({name: _segment(value, name) for name, value in values.items()})


def prefix(template: str) -> str:
    """The fixed part before the first ``{name}``: ``prefix(AUTHENTICATE)`` ends in ``/``."""
    return template.partition("{")[0]


def _segment(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return _quote(value)


@functools.lru_cache(maxsize=256)  # board and owner ids repeat on every call
def _quote(value: str) -> str:
    return quote(value, safe="")
