"""Leaderboard endpoints: write, delete, list (top N, owner_ids) and around an owner.

Invariants: requests are validated on the loop (cheap, bounded by the 64 KB body cap) with
Nakama's messages; storage and rank work runs on the store's threads (``records``); a write or
delete with an Idempotency-Key is applied at most once and replays its stored response.
"""

from __future__ import annotations

import json
import uuid

from aiohttp import web

from .._protocol.wire import GrpcCode, Operator, parse_enum, parse_int64
from .config import Board
from .cursors import Cursor
from .errors import ApiFailure
from .http import json_response, parse_object, read_body
from .idempotency import HEADER, REPLAYED_HEADER, IdempotencyClaim, parse_key, request_hash
from .record_jobs import (
    ListQuery,
    Outcome,
    WriteRequest,
    delete_record,
    list_around,
    list_records,
    write_record,
)
from .state import USER, ServerState, state_of
from .tokens import Claims

__all__ = ["routes"]

MAX_METADATA_BYTES = 16 * 1024
LIST_MAX = 1000
AROUND_MAX = 100

routes = web.RouteTableDef()


def _invalid(message: str) -> ApiFailure:
    return ApiFailure(GrpcCode.INVALID_ARGUMENT, message)


def _board(state: ServerState, request: web.Request) -> Board:
    board = state.config.board(request.match_info["leaderboard_id"])
    if board is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, "Leaderboard not found.")
    return board


def _limit(request: web.Request, high: int) -> int | None:
    raw = request.query.get("limit", "")
    if raw == "":
        return None
    message = f"Invalid limit - limit must be between 1 and {high}."
    try:
        limit = int(raw)
    except ValueError:
        raise _invalid(message) from None
    if not 1 <= limit <= high:
        raise _invalid(message)
    return limit


def _cursor(state: ServerState, request: web.Request, board: Board) -> Cursor | None:
    raw = request.query.get("cursor", "")
    if raw == "":
        return None
    cursor = state.cursors.decode(raw, board.id)
    if cursor is None:
        raise _invalid("Cursor is invalid or expired.")
    return cursor


def _check_expiry(request: web.Request) -> None:
    raw = request.query.get("expiry", "")
    if raw == "":
        return
    try:
        expiry = parse_int64(raw, "expiry")
    except ValueError:
        expiry = -1
    if expiry < 0:
        raise _invalid(
            "Expiry should be time since epoch in seconds and has to be a positive integer."
        )


def _canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _metadata(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid("Metadata value must be JSON, if provided.")
    if len(value.encode()) > MAX_METADATA_BYTES:
        raise _invalid(f"Metadata value must be at most {MAX_METADATA_BYTES} bytes.")
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise _invalid("Metadata value must be JSON, if provided.")
    return value


def _claim(
    state: ServerState, request: web.Request, user: Claims, raw: bytes
) -> IdempotencyClaim | None:
    key = parse_key(request.headers.get(HEADER))
    if key is None:
        return None
    digest = request_hash(request.method, request.path, raw)
    config = state.config
    return IdempotencyClaim(user.user_id, key, digest, config.clock(), config.idempotency_ttl)


def _respond(outcome: Outcome) -> web.Response:
    response = web.Response(text=outcome.body, content_type="application/json")
    if outcome.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response


def _write_request(
    board: Board, user: Claims, raw: bytes, now: int, claim: IdempotencyClaim | None
) -> WriteRequest:
    body = parse_object(raw)
    try:
        score = parse_int64(body.get("score", 0), "score")
        subscore = parse_int64(body.get("subscore", 0), "subscore")
        operator = parse_enum(Operator, body.get("operator", 0), "operator")
    except ValueError as exc:
        raise _invalid(str(exc)) from None
    metadata = _metadata(body.get("metadata"))
    return WriteRequest(board, user.user_id, score, subscore, metadata, operator, now, claim)


@routes.post("/v2/leaderboard/{leaderboard_id}")
async def write_leaderboard_record(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    board = _board(state, request)
    raw = await read_body(request)
    claim = _claim(state, request, user, raw)
    req = _write_request(board, user, raw, int(state.config.clock()), claim)
    # Without a claim, write_record changes the database in one statement (the upsert).
    outcome = await state.store.write(
        lambda txn: write_record(txn, req, state.ranks), savepoint=claim is not None
    )
    return _respond(outcome)


@routes.delete("/v2/leaderboard/{leaderboard_id}")
async def delete_leaderboard_record(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    board = _board(state, request)
    claim = _claim(state, request, user, await read_body(request))
    outcome = await state.store.write(
        lambda txn: delete_record(txn, board, user.user_id, claim, state.ranks)
    )
    return _respond(outcome)


def _owner_ids(request: web.Request) -> list[str]:
    raw = request.query.getall("owner_ids", []) + request.query.getall("ownerIds", [])
    owners = [_canonical_uuid(o) for o in raw]
    if any(o is None for o in owners):
        raise _invalid("One or more owner IDs are invalid.")
    return list(dict.fromkeys(o for o in owners if o is not None))


@routes.get("/v2/leaderboard/{leaderboard_id}")
async def list_leaderboard_records(request: web.Request) -> web.Response:
    state = state_of(request)
    board = _board(state, request)
    limit = _limit(request, LIST_MAX)
    owners = _owner_ids(request)
    _check_expiry(request)
    cursor = _cursor(state, request, board)
    if limit is None and (not owners or cursor is not None):
        limit = 1  # Nakama's default page size
    query = ListQuery(board, limit, cursor, owners)
    body = await state.store.read(
        lambda conn: list_records(conn, query, state.ranks, state.cursors)
    )
    return json_response(body)


@routes.get("/v2/leaderboard/{leaderboard_id}/owner/{owner_id}")
async def list_leaderboard_records_around_owner(request: web.Request) -> web.Response:
    state = state_of(request)
    board = _board(state, request)
    limit = _limit(request, AROUND_MAX) or 1
    owner = _canonical_uuid(request.match_info["owner_id"])
    if owner is None:
        raise _invalid("Invalid owner ID provided.")
    _check_expiry(request)
    cursor = _cursor(state, request, board)
    body = await state.store.read(
        lambda conn: list_around(conn, board, owner, limit, cursor, state.ranks, state.cursors)
    )
    return json_response(body)
