"""Leaderboard endpoints: write, delete, list (top N, owner_ids) and around an owner.

Invariants: requests are validated on the loop (cheap, bounded by the 64 KB body cap) with
Nakama's rules and messages (``_protocol.request_rules``, ``query_rules``), in Nakama's order:
the body and query first, the board after; storage and rank work runs on the store's threads
(``record_jobs``, ``record_reads``); a write or delete with an Idempotency-Key is applied at
most once and replays its stored response. Writes and deletes touch the board's current reset
period; reads take the period ``expiry`` names (0: the current one).
"""

from __future__ import annotations

from aiohttp import web

from .._protocol.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from .._protocol.limits import AROUND_LIMIT_MAX, DEFAULT_PAGE_LIMIT, LIST_LIMIT_MAX
from .._protocol.query_rules import parse_expiry, parse_limit, parse_owner_id, parse_owner_ids
from .._protocol.request_rules import check_write_values, parse_body, parse_record_write
from .._protocol.routes import LEADERBOARD, LEADERBOARD_OWNER
from .._protocol.wire import GrpcCode, Operator, json_name
from .config import Board
from .cursors import Cursor
from .errors import ApiFailure
from .http import accept, json_response, read_body
from .idempotency import IdempotencyClaim, parse_key, request_hash
from .record_jobs import WriteRequest, WriteResult, delete_record, write_record
from .record_reads import ListQuery, list_around, list_records
from .state import USER, ServerState, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()


def _board(state: ServerState, request: web.Request) -> Board:
    board = state.config.board(request.match_info["leaderboard_id"])
    if board is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "Leaderboard not found.")
    return board


def _limit(request: web.Request, high: int, *, unsigned: bool = False) -> int | None:
    return accept(parse_limit, request.query.get("limit"), high, unsigned=unsigned)


def _expiry(state: ServerState, board: Board, requested: int) -> int:
    """The period a read asks for: ``expiry`` itself, or 0 for the current one."""
    return requested or state.resets.expiry(board.reset, int(state.config.clock()))


def _cursor(state: ServerState, request: web.Request, board: Board, expiry: int) -> Cursor | None:
    raw = request.query.get("cursor", "")
    if raw == "":
        return None
    cursor = state.cursors.decode(raw, board.id, expiry)
    if cursor is None:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Cursor is invalid or expired.")
    return cursor


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


@routes.post(LEADERBOARD)
async def write_leaderboard_record(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    raw = await read_body(request)
    write = accept(parse_record_write, accept(parse_body, raw))
    board = _board(state, request)
    claim = _claim(state, request, user, raw)
    operator = board.operator if write.operator is Operator.NO_OVERRIDE else write.operator
    accept(check_write_values, write, operator)
    now = int(state.config.clock())
    expiry = state.resets.expiry(board.reset, now)
    req = WriteRequest(board, user.user_id, write, operator, now, expiry, claim)
    # Without a claim, write_record changes the database in one statement (the upsert) at most.
    result = await state.store.write(
        lambda txn: write_record(txn, req, state.ranks), savepoint=claim is not None
    )
    return _respond(result)


@routes.delete(LEADERBOARD)
async def delete_leaderboard_record(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    board = _board(state, request)
    claim = _claim(state, request, user, await read_body(request))
    expiry = state.resets.expiry(board.reset, int(state.config.clock()))
    result = await state.store.write(
        lambda txn: delete_record(txn, board, expiry, user.user_id, claim, state.ranks)
    )
    return _respond(result)


def _owner_ids(request: web.Request) -> list[str]:
    name = "owner_ids"
    raw = request.query.getall(name, []) + request.query.getall(json_name(name), [])
    return accept(parse_owner_ids, raw)


@routes.get(LEADERBOARD, allow_head=False)
async def list_leaderboard_records(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = _limit(request, LIST_LIMIT_MAX)
    owners = _owner_ids(request)
    requested = accept(parse_expiry, request.query.get("expiry"))
    board = _board(state, request)
    expiry = _expiry(state, board, requested)
    cursor = _cursor(state, request, board, expiry)
    if limit is None and (not owners or cursor is not None):
        limit = DEFAULT_PAGE_LIMIT
    query = ListQuery(board, expiry, limit, cursor, owners)
    body = await state.store.read(
        lambda conn: list_records(conn, query, state.ranks, state.cursors)
    )
    return json_response(body)


# The second path: an empty owner id is routed, and refused with Nakama's message.
@routes.get(LEADERBOARD_OWNER.removesuffix("{owner_id}"), allow_head=False)
@routes.get(LEADERBOARD_OWNER, allow_head=False)
async def list_leaderboard_records_around_owner(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = _limit(request, AROUND_LIMIT_MAX, unsigned=True) or DEFAULT_PAGE_LIMIT
    owner = accept(parse_owner_id, request.match_info.get("owner_id", ""))
    requested = accept(parse_expiry, request.query.get("expiry"))
    board = _board(state, request)
    expiry = _expiry(state, board, requested)
    query = ListQuery(board, expiry, limit, _cursor(state, request, board, expiry), ())
    body = await state.store.read(
        lambda conn: list_around(conn, query, owner, state.ranks, state.cursors)
    )
    return json_response(body)
