"""Leaderboard endpoints: write, delete, list (top N, owner_ids) and around an owner.

Invariants: requests are validated on the loop (cheap, bounded by the 64 KB body cap) with
Nakama's rules and messages (``_protocol.request_rules``); storage and rank work runs on the
store's threads (``record_jobs``); a write or delete with an Idempotency-Key is applied at most
once and replays its stored response.
"""

from __future__ import annotations

from aiohttp import web

from .._protocol.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .._protocol.limits import AROUND_LIMIT_MAX, DEFAULT_PAGE_LIMIT, LIST_LIMIT_MAX
from .._protocol.request_rules import (
    check_expiry,
    parse_body,
    parse_limit,
    parse_owner_id,
    parse_owner_ids,
    parse_record_write,
)
from .._protocol.wire import GrpcCode
from .config import Board
from .cursors import Cursor
from .errors import ApiFailure
from .http import accept, json_response, read_body
from .idempotency import IdempotencyClaim, parse_key, request_hash
from .record_jobs import (
    ListQuery,
    WriteRequest,
    WriteResult,
    delete_record,
    list_around,
    list_records,
    write_record,
)
from .state import USER, ServerState, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()


def _board(state: ServerState, request: web.Request) -> Board:
    board = state.config.board(request.match_info["leaderboard_id"])
    if board is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "Leaderboard not found.")
    return board


def _limit(request: web.Request, high: int) -> int | None:
    return accept(parse_limit, request.query.get("limit", ""), high)


def _cursor(state: ServerState, request: web.Request, board: Board) -> Cursor | None:
    raw = request.query.get("cursor", "")
    if raw == "":
        return None
    cursor = state.cursors.decode(raw, board.id)
    if cursor is None:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Cursor is invalid or expired.")
    return cursor


def _check_expiry(request: web.Request) -> None:
    accept(check_expiry, request.query.get("expiry", ""))


def _claim(
    state: ServerState, request: web.Request, user: Claims, raw: bytes
) -> IdempotencyClaim | None:
    key = parse_key(request.headers.get(IDEMPOTENCY_HEADER))
    if key is None:
        return None
    digest = request_hash(request.method, request.path, raw)
    config = state.config
    return IdempotencyClaim(user.user_id, key, digest, config.clock(), config.idempotency_ttl)


def _respond(result: WriteResult) -> web.Response:
    response = web.Response(text=result.body, content_type="application/json")
    if result.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response


def _write_request(
    board: Board, user: Claims, raw: bytes, now: int, claim: IdempotencyClaim | None
) -> WriteRequest:
    write = accept(parse_record_write, accept(parse_body, raw))
    return WriteRequest(board, user.user_id, write, now, claim)


@routes.post("/v2/leaderboard/{leaderboard_id}")
async def write_leaderboard_record(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    board = _board(state, request)
    raw = await read_body(request)
    claim = _claim(state, request, user, raw)
    req = _write_request(board, user, raw, int(state.config.clock()), claim)
    # Without a claim, write_record changes the database in one statement (the upsert).
    result = await state.store.write(
        lambda txn: write_record(txn, req, state.ranks), savepoint=claim is not None
    )
    return _respond(result)


@routes.delete("/v2/leaderboard/{leaderboard_id}")
async def delete_leaderboard_record(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    board = _board(state, request)
    claim = _claim(state, request, user, await read_body(request))
    result = await state.store.write(
        lambda txn: delete_record(txn, board, user.user_id, claim, state.ranks)
    )
    return _respond(result)


def _owner_ids(request: web.Request) -> list[str]:
    raw = request.query.getall("owner_ids", []) + request.query.getall("ownerIds", [])
    return accept(parse_owner_ids, raw)


@routes.get("/v2/leaderboard/{leaderboard_id}")
async def list_leaderboard_records(request: web.Request) -> web.Response:
    state = state_of(request)
    board = _board(state, request)
    limit = _limit(request, LIST_LIMIT_MAX)
    owners = _owner_ids(request)
    _check_expiry(request)
    cursor = _cursor(state, request, board)
    if limit is None and (not owners or cursor is not None):
        limit = DEFAULT_PAGE_LIMIT
    query = ListQuery(board, limit, cursor, owners)
    body = await state.store.read(
        lambda conn: list_records(conn, query, state.ranks, state.cursors)
    )
    return json_response(body)


@routes.get("/v2/leaderboard/{leaderboard_id}/owner/{owner_id}")
async def list_leaderboard_records_around_owner(request: web.Request) -> web.Response:
    state = state_of(request)
    board = _board(state, request)
    limit = _limit(request, AROUND_LIMIT_MAX) or DEFAULT_PAGE_LIMIT
    owner = accept(parse_owner_id, request.match_info["owner_id"])
    _check_expiry(request)
    cursor = _cursor(state, request, board)
    body = await state.store.read(
        lambda conn: list_around(conn, board, owner, limit, cursor, state.ranks, state.cursors)
    )
    return json_response(body)
