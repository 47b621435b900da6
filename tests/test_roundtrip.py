"""One wire contract, checked both ways over ``tests/samples/recorded`` (see its README.md).

- The server still answers every request the client builds exactly as recorded (live).
- The client's parsers read every recorded answer: records, pages, empty pages, sessions,
  errors (status, code and message on the right exception), the asset manifest, and the
  account, users, friends, groups, channel history, notifications, tournaments, matches and
  server functions (``roundtrip_social``).
- The server's request rules (``_protocol.request_rules``, ``account_rules``) accept every
  recorded request, and refuse each one the server answered 400, with the message it sent.
- Asset downloads: the Range a resume sends is the range the asset host serves, and its
  Content-Range and Date are what the downloader and the client read.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from gameservices import APIError, AuthError, Conflict, InvalidArgument, NotFound, RateLimited
from gameservices._protocol.account_rules import (
    check_custom_id,
    check_device_id,
    check_username,
    parse_email_login,
    parse_id_login,
    parse_logout,
    parse_refresh_token,
)
from gameservices._protocol.headers import REPLAYED_HEADER, check_idempotency_key
from gameservices._protocol.jwt import decode_claims
from gameservices._protocol.limits import AROUND_LIMIT_MAX, LIST_LIMIT_MAX
from gameservices._protocol.manifest import parse_manifest
from gameservices._protocol.models import parse_auth, parse_record, parse_record_list
from gameservices._protocol.query_rules import (
    parse_bool,
    parse_expiry,
    parse_limit,
    parse_owner_id,
    parse_owner_ids,
)
from gameservices._protocol.ranges import (
    RangeReply,
    Step,
    classify,
    format_content_range,
    request_headers,
)
from gameservices._protocol.request_rules import parse_body, parse_record_write
from gameservices._protocol.responses import decipher_response, parse_http_date
from gameservices._protocol.storage import (
    DELETE_REJECTED,
    VERSION_REJECTED,
    conflict_of,
    parse_acks,
    parse_delete_body,
    parse_list_user,
    parse_object_list,
    parse_objects,
    parse_read_body,
    parse_write_body,
    version_of,
)
from gameservices._protocol.storage import (
    LIST_LIMIT_MAX as STORAGE_LIST_MAX,
)
from gameservices._protocol.wire import dumps
from gameservices.server.http_dates import http_date
from gameservices.server.http_ranges import UNSATISFIABLE, ByteRange, if_range_holds, parse_range
from tests.roundtrip_social import CHECKS, REFUSED_BY_STATE, answer_check, judge
from tests.samples.record import ASSETS, NOW, Exchange, load, put_assets, record_all

STORED = {ex.case: ex for ex in load()}
CASES = sorted(STORED)
ERRORS: dict[int, type[APIError]] = {
    400: InvalidArgument,
    401: AuthError,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


@pytest.fixture
def assets_dir(tmp_path: Path) -> Path:
    put_assets(tmp_path)
    return tmp_path


async def test_the_server_answers_every_request_as_recorded(assets_dir: Path) -> None:
    fresh = {ex.case: ex for ex in await record_all(assets_dir)}
    assert sorted(fresh) == CASES
    for case in CASES:
        assert fresh[case] == STORED[case], (
            f"{case}: the server's answer changed; if that is intended, run"
            " `python -m tests.samples.record` and review the diff of tests/samples/recorded"
        )


# --- server -> client: the client's parsers read every answer


def _query(ex: Exchange) -> dict[str, str]:
    return dict(ex.request["query"])


def _check_session(ex: Exchange, data: dict[str, Any]) -> None:
    session = parse_auth(data)
    assert session.created is (ex.case.endswith("_created"))
    claims = decode_claims(session.token)
    assert claims.exp == NOW + 3600
    if "username" in _query(ex):
        assert claims.username == _query(ex)["username"]
    assert decode_claims(session.refresh_token).user_id == claims.user_id


def _check_record(ex: Exchange, data: dict[str, Any]) -> None:
    record = parse_record(data)
    sent = ex.request["body"]
    assert record.leaderboard_id == ex.request["path"].rsplit("/", 1)[1]
    assert (record.score, record.subscore) == (int(sent["score"]), int(sent["subscore"]))
    assert record.metadata == (parse_body(sent["metadata"].encode()) if "metadata" in sent else {})
    assert record.create_time == datetime.fromtimestamp(NOW, timezone.utc)
    assert record.rank >= 1
    assert (REPLAYED_HEADER in ex.headers) is ex.case.endswith("_replayed")


def _check_page(ex: Exchange, data: dict[str, Any]) -> None:
    page = parse_record_list(data)
    limit = int(_query(ex).get("limit", "1"))
    assert len(page.records) <= limit
    ranks = [r.rank for r in page.records]
    assert ranks == sorted(ranks)
    assert page.rank_count >= len(page.records)
    wanted = {owner for key, owner in ex.request["query"] if key == "owner_ids"}
    assert {r.owner_id for r in page.owner_records} == wanted


def _check_manifest(ex: Exchange, data: dict[str, Any]) -> None:
    manifest = parse_manifest(data, "http://127.0.0.1:7350/assets/manifest.json")
    assert manifest.names == tuple(sorted(ASSETS))
    for entry in manifest:
        assert entry.size == len(ASSETS[entry.name])
        assert entry.sha256 == hashlib.sha256(ASSETS[entry.name]).hexdigest()
    assert ex.headers["ETag"] == f'"{manifest.version}"'


def _check_empty(ex: Exchange, data: dict[str, Any]) -> None:
    assert data == {}


def _check_acks(ex: Exchange, data: dict[str, Any]) -> None:
    acks = parse_acks(data)
    sent = ex.request["body"]["objects"]
    assert [(a.collection, a.key) for a in acks] == [(o["collection"], o["key"]) for o in sent]
    assert [a.version for a in acks] == [version_of(o["value"]) for o in sent]
    assert all(a.create_time == datetime.fromtimestamp(NOW, timezone.utc) for a in acks)


def _check_objects(ex: Exchange, data: dict[str, Any]) -> None:
    objects = parse_objects(data)
    wanted = [(i["collection"], i["key"], i["user_id"]) for i in ex.request["body"]["object_ids"]]
    assert {(o.collection, o.key, o.user_id) for o in objects} <= set(wanted)
    assert all(o.value and o.version for o in objects)


def _check_object_list(ex: Exchange, data: dict[str, Any]) -> None:
    page = parse_object_list(data)
    assert len(page.objects) <= int(_query(ex).get("limit", "1"))
    assert all(o.collection == ex.request["path"].rsplit("/", 1)[1] for o in page.objects)


def _answer_check(ex: Exchange) -> Any:
    method, path = ex.request["method"], ex.request["path"]
    social = answer_check(ex)  # account, users, friends, groups, tournaments, rpc, ...
    if social is not None:
        return social
    if path == "/v2/storage":
        return _check_acks if method == "PUT" else _check_objects
    if path.startswith("/v2/storage/") and method == "GET":
        return _check_object_list
    if path.startswith("/v2/account/"):
        return _check_session
    if path == "/assets/manifest.json":
        return _check_manifest
    if method == "POST" and path.startswith("/v2/leaderboard/"):
        return _check_record
    if method == "GET" and path.startswith("/v2/leaderboard/"):
        return _check_page
    return _check_empty  # delete, logout


@pytest.mark.parametrize("case", CASES)
def test_the_client_parses_every_answer(case: str) -> None:
    ex = STORED[case]
    method, url = ex.request["method"], "http://127.0.0.1" + ex.request["path"]
    if ex.status >= 400:
        with pytest.raises(APIError) as info:
            decipher_response(ex.status, ex.headers, ex.body, method=method, url=url)
        sent = ex.json()
        assert type(info.value) is ERRORS[ex.status]
        assert (info.value.status, info.value.code) == (ex.status, sent["code"])
        assert sent["message"] in str(info.value)
        if isinstance(info.value, RateLimited):
            assert info.value.retry_after == float(ex.headers["Retry-After"])
        if ex.status == 400:  # a storage write's failed version check is a Conflict
            conflict = sent["message"] == VERSION_REJECTED and ex.request["method"] == "PUT"
            assert isinstance(conflict_of(info.value), Conflict) is conflict
        return
    data = decipher_response(ex.status, ex.headers, ex.body, method=method, url=url)
    _answer_check(ex)(ex, data)


def test_every_kind_of_answer_is_recorded() -> None:
    checks = {_answer_check(ex) for ex in STORED.values() if ex.status < 400}
    assert checks == {
        _check_session,
        _check_record,
        _check_page,
        _check_manifest,
        _check_empty,
        _check_acks,
        _check_objects,
        _check_object_list,
        *CHECKS,
    }
    assert {ex.status for ex in STORED.values()} >= {200, 400, 401, 404, 409, 429}
    assert any(ex.body == b"{}" and ex.request["method"] == "GET" for ex in STORED.values())


# --- client -> server: the server's request rules accept every request the client built

_ID_LOGIN = {"device": check_device_id, "custom": check_custom_id}
_AROUND = re.compile(r"/v2/leaderboard/[^/]+/owner/(?P<owner>[^/]+)")


def _judge(request: dict[str, Any]) -> None:
    """Apply every rule the server applies to this request (ValueError if one refuses it)."""
    method, path, query = request["method"], request["path"], request["query"]
    first = dict(query)
    raw = b"" if request["body"] is None else dumps(request["body"]).encode()
    if path.startswith("/v2/storage"):
        _judge_storage(method, path, first, raw)
        return
    if judge(request):  # account, users, friends, groups, tournaments, rpc, ...
        return
    if "Idempotency-Key" in request["headers"]:
        check_idempotency_key(request["headers"]["Idempotency-Key"])
    kind = path.removeprefix("/v2/account/authenticate/")
    if kind in _ID_LOGIN:
        parse_id_login(parse_body(raw), _ID_LOGIN[kind])
    elif kind == "email":
        parse_email_login(parse_body(raw), first.get("username", ""))
    if kind != path:  # every authenticate call
        check_username(first.get("username", ""))
        parse_bool(first.get("create"), "create", True)
    elif path == "/v2/account/session/refresh":
        parse_refresh_token(parse_body(raw))
    elif path == "/v2/session/logout":
        logout = parse_logout(parse_body(raw))
        assert logout.token or logout.refresh_token
    elif method == "POST":
        parse_record_write(parse_body(raw))
    elif method == "GET" and (around := _AROUND.fullmatch(path)):
        parse_limit(first.get("limit"), AROUND_LIMIT_MAX, unsigned=True)
        parse_owner_id(around["owner"])
        parse_expiry(first.get("expiry"))
    elif method == "GET" and path.startswith("/v2/leaderboard/"):
        parse_limit(first.get("limit"), LIST_LIMIT_MAX)
        parse_owner_ids(v for k, v in query if k == "owner_ids")
        parse_expiry(first.get("expiry"))


def _judge_storage(method: str, path: str, first: dict[str, str], raw: bytes) -> None:
    if path == "/v2/storage/delete":
        parse_delete_body(parse_body(raw))
    elif path == "/v2/storage":
        (parse_write_body if method == "PUT" else parse_read_body)(parse_body(raw))
    else:
        parse_limit(first.get("limit"), STORAGE_LIST_MAX)
        parse_list_user(first.get("user_id"))


# Refusals that come from what is stored, not from the request: the rules accept the request.
_REFUSED_BY_STATE = {VERSION_REJECTED, DELETE_REJECTED, *REFUSED_BY_STATE}


@pytest.mark.parametrize("case", CASES)
def test_the_servers_rules_judge_every_request_as_the_server_did(case: str) -> None:
    ex = STORED[case]
    refused = ex.status == 400 and ex.json()["message"] not in _REFUSED_BY_STATE
    if refused:  # the server refused it: the rules do, with the message it sent
        message = ex.json()["message"]
        with pytest.raises(ValueError, match=re.escape(message)) as info:
            _judge(ex.request)
        assert str(info.value) == message
    else:
        _judge(ex.request)


# --- asset downloads: the downloader's headers against the asset host's rules


@pytest.mark.parametrize(("offset", "size"), [(1, 10), (9, 10), (4096, 1 << 20)])
def test_a_resume_gets_the_range_it_asks_for_and_accepts_the_answer(offset: int, size: int) -> None:
    etag = '"' + "ab" * 32 + '"'
    sent = request_headers(offset=offset, validator=etag)
    assert if_range_holds(sent["If-Range"], etag, http_date(NOW))
    served = parse_range(sent["Range"], size)
    assert served == ByteRange(offset, size - 1)
    answer = {"Content-Range": served.content_range(size), "Content-Length": str(served.length)}
    assert classify(206, answer, offset=offset, size=size) == RangeReply(Step.BODY, offset)


def test_a_resume_past_the_end_gets_416_and_the_downloader_verifies_its_part() -> None:
    sent = request_headers(offset=10, validator='"v"')
    assert parse_range(sent["Range"], 10) is UNSATISFIABLE
    answer = {"Content-Range": format_content_range(None, None, 10)}
    assert classify(416, answer, offset=10, size=10) == RangeReply(Step.PART_COMPLETE)


def test_the_servers_dates_are_the_clients_dates() -> None:
    for moment in (0.0, NOW, NOW + 0.999):
        assert parse_http_date(http_date(moment)) == float(int(moment))
