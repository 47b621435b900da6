"""The round trip (``test_roundtrip.py``) for the exchanges ``samples/record_social.py``
records: account and users, friends, groups, channel history, notifications, tournaments,
matches, events and server functions.

- ``answer_check(ex)``: the check that runs the client's parser over a recorded answer, and
  asserts what the answer must say about the request (None: not one of these exchanges).
- ``judge(request)``: the rules the server applies to one of these requests, from
  ``_protocol`` (ValueError if one refuses it; False: not one of these requests).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from gameservices._protocol.accounts import parse_account, parse_account_update, parse_system_id
from gameservices._protocol.chat_history import HISTORY_LIMIT_MAX, parse_message_list
from gameservices._protocol.events import parse_event
from gameservices._protocol.friends import (
    FriendState,
    check_targets,
    parse_friend_list,
    parse_friend_state,
)
from gameservices._protocol.groups import (
    GroupRole,
    parse_group,
    parse_group_create,
    parse_group_id,
    parse_group_list,
    parse_group_role,
    parse_group_user_list,
)
from gameservices._protocol.headers import check_idempotency_key
from gameservices._protocol.matches import parse_match_list, parse_match_query
from gameservices._protocol.models import parse_record, parse_record_list
from gameservices._protocol.notifications import parse_notification_list
from gameservices._protocol.query_rules import parse_expiry, parse_limit, parse_owner_ids
from gameservices._protocol.request_rules import check_write_values, parse_body, parse_record_write
from gameservices._protocol.rpc import parse_rpc, read_payload
from gameservices._protocol.social_rules import PAGES, parse_page_limit
from gameservices._protocol.tournaments import (
    TOURNAMENT_RECORDS_MAX,
    parse_list_limit,
    parse_tournament_list,
    parse_uint32,
)
from gameservices._protocol.users import parse_users
from gameservices._protocol.wire import Operator, dumps
from tests.samples.record import Exchange
from tests.samples.record_social import TOURNAMENT

__all__ = ["CHECKS", "REFUSED_BY_STATE", "answer_check", "judge"]

Check = Callable[[Exchange, Any], None]
# Refusals that come from what is stored, not from the request: the rules accept the request.
REFUSED_BY_STATE = {"Must join tournament before attempting to write value."}
_GROUP = r"/v2/group/(?P<group>[^/]+)"


def _query(ex: Exchange) -> dict[str, str]:
    return dict(ex.request["query"])


def _values(ex: Exchange, name: str) -> list[str]:
    return [v for k, v in ex.request["query"] if k == name]


def check_account(ex: Exchange, data: Any) -> None:
    account = parse_account(data)
    assert account.user.username == "ada"
    assert (account.user.display_name, account.user.location) == ("Ada L.", "Paris")
    assert account.devices


def check_users(ex: Exchange, data: Any) -> None:
    users = parse_users(data)
    asked = set(_values(ex, "ids")), set(_values(ex, "usernames"))
    assert all(u.id in asked[0] or u.username in asked[1] for u in users)
    assert len(users) == len(asked[0]) + len(asked[1])


def check_friends(ex: Exchange, data: Any) -> None:
    page = parse_friend_list(data)
    assert page.friends
    assert all(isinstance(f.state, FriendState) and f.user.id for f in page.friends)


def check_group(ex: Exchange, data: Any) -> None:
    group = parse_group(data)
    assert group.name == ex.request["body"]["name"]
    assert (group.edge_count, group.open) == (1, True)


def check_groups(ex: Exchange, data: Any) -> None:
    found = parse_group_list(data).groups
    assert found
    assert all(g.name.startswith(_query(ex)["name"].rstrip("%")) for g in found)


def check_members(ex: Exchange, data: Any) -> None:
    members = parse_group_user_list(data).group_users
    assert [m.state for m in members] == [GroupRole.SUPERADMIN, GroupRole.MEMBER]


def check_messages(ex: Exchange, data: Any) -> None:
    page = parse_message_list(data)
    channel = ex.request["path"].rsplit("/", 1)[1]
    assert page.messages
    assert all(m.channel_id == channel and m.persistent for m in page.messages)


def check_notifications(ex: Exchange, data: Any) -> None:
    page = parse_notification_list(data)
    assert page.notifications
    assert page.cacheable_cursor


def check_tournaments(ex: Exchange, data: Any) -> None:
    (found,) = parse_tournament_list(data).tournaments
    assert (found.id, found.title, found.category) == (TOURNAMENT.id, TOURNAMENT.title, 2)
    assert found.duration == TOURNAMENT.duration


def check_tournament_record(ex: Exchange, data: Any) -> None:
    record = parse_record(data)
    assert record.leaderboard_id == TOURNAMENT.id
    assert record.score == int(ex.request["body"]["score"])


def check_tournament_records(ex: Exchange, data: Any) -> None:
    page = parse_record_list(data)
    assert page.records
    assert len(page.records) <= int(_query(ex)["limit"])
    assert all(r.leaderboard_id == TOURNAMENT.id for r in page.records)


def check_matches(ex: Exchange, data: Any) -> None:
    assert parse_match_list(data).matches == ()


def check_rpc(ex: Exchange, data: Any) -> None:
    assert parse_rpc(data) == json.loads(ex.request["body"])  # the echo function


def check_empty(ex: Exchange, data: Any) -> None:
    assert data == {}


_ANSWERS: list[tuple[str, str, Check]] = [
    ("GET", r"/v2/account", check_account),
    ("PUT", r"/v2/account", check_empty),
    ("GET", r"/v2/user", check_users),
    ("GET", r"/v2/friend", check_friends),
    ("POST", r"/v2/friend", check_empty),
    ("POST", r"/v2/group", check_group),
    ("GET", r"/v2/group", check_groups),
    ("POST", _GROUP + r"/join", check_empty),
    ("GET", _GROUP + r"/user", check_members),
    ("GET", r"/v2/channel/[^/]+", check_messages),
    ("GET", r"/v2/notification", check_notifications),
    ("GET", r"/v2/tournament", check_tournaments),
    ("POST", r"/v2/tournament/[^/]+/join", check_empty),
    ("PUT", r"/v2/tournament/[^/]+", check_tournament_record),
    ("GET", r"/v2/tournament/[^/]+", check_tournament_records),
    ("GET", r"/v2/match", check_matches),
    ("POST", r"/v2/event", check_empty),
    ("POST", r"/v2/rpc/[^/]+", check_rpc),
]
CHECKS = frozenset(check for _, _, check in _ANSWERS)  # each must check a recorded answer


def answer_check(ex: Exchange) -> Check | None:
    method, path = ex.request["method"], ex.request["path"]
    for wanted, pattern, check in _ANSWERS:
        if method == wanted and re.fullmatch(pattern, path):
            return check
    return None


# --- client -> server


def _raw(request: dict[str, Any]) -> bytes:
    return b"" if request["body"] is None else dumps(request["body"]).encode()


def _judge_account(method: str, query: list[list[str]], raw: bytes) -> None:
    if method == "PUT":
        parse_account_update(parse_body(raw))
    for key, value in query:
        if key == "ids":
            parse_system_id(value)


def _judge_friends(method: str, query: list[list[str]], raw: bytes) -> None:
    first = dict(query)
    if method == "GET":
        parse_page_limit(first.get("limit"), PAGES["friends"])
        parse_friend_state(first.get("state"))
        return
    ids = [v for k, v in query if k == "ids"]
    names = [v for k, v in query if k == "usernames"]
    check_targets(ids, names, "", "", "add")  # the caller is nobody the request names


def _judge_groups(method: str, path: str, query: list[list[str]], raw: bytes) -> None:
    first = dict(query)
    if path == "/v2/group":
        if method == "POST":
            parse_group_create(parse_body(raw))
        else:
            parse_page_limit(first.get("limit"), PAGES["groups"])
        return
    match = re.fullmatch(_GROUP + r"/(?P<action>[^/]+)", path)
    assert match is not None, path
    parse_group_id(match["group"])
    if match["action"] == "user":
        parse_page_limit(first.get("limit"), PAGES["group_users"])
        parse_group_role(first.get("state"))


def _judge_tournaments(request: dict[str, Any], first: dict[str, str], raw: bytes) -> None:
    method, path = request["method"], request["path"]
    if path == "/v2/tournament":
        for name in ("category_start", "category_end", "start_time", "end_time"):
            parse_uint32(first.get(name), name)
        parse_list_limit(first.get("limit"))
    elif method == "PUT":
        if "Idempotency-Key" in request["headers"]:
            check_idempotency_key(request["headers"]["Idempotency-Key"])
        write = parse_record_write(parse_body(raw))
        operator = TOURNAMENT.operator if write.operator is Operator.NO_OVERRIDE else write.operator
        check_write_values(write, operator)
    elif method == "GET":
        parse_limit(first.get("limit"), TOURNAMENT_RECORDS_MAX)
        parse_owner_ids(v for k, v in request["query"] if k == "owner_ids")
        parse_expiry(first.get("expiry"))


def judge(request: dict[str, Any]) -> bool:
    """Apply the server's rules to one of these requests; False if it is not one of them."""
    method, path, query = request["method"], request["path"], request["query"]
    first, raw = dict(query), _raw(request)
    if path in ("/v2/account", "/v2/user"):
        _judge_account(method, query, raw)
    elif path == "/v2/friend":
        _judge_friends(method, query, raw)
    elif path.startswith("/v2/group"):
        _judge_groups(method, path, query, raw)
    elif path.startswith("/v2/tournament"):
        _judge_tournaments(request, first, raw)
    elif path.startswith("/v2/channel/"):
        parse_limit(first.get("limit"), HISTORY_LIMIT_MAX)
    elif path == "/v2/notification":
        parse_page_limit(first.get("limit"), PAGES["notifications"])
    elif path == "/v2/match":
        parse_match_query(first)
    elif path == "/v2/event":
        parse_event(parse_body(raw))
    elif path.startswith("/v2/rpc/"):
        read_payload(raw, "unwrap" in first)
    else:
        return False
    return True
