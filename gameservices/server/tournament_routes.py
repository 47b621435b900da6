"""Tournament endpoints: list tournaments, join, write (PUT and POST), delete, list records and
records around an owner, with Nakama's checks, messages and codes in Nakama's order.

Invariants: records are read and written with the leaderboard machinery (``record_reads``, the
rank index, idempotency claims) on the tournament's board, in the period ``deadlines`` names at
the server's clock; what is the tournament's own (joins, attempts, size, the active window)
is in ``tournament_jobs``. Where Nakama answers 500 to a client's mistake (a bad cursor, a write
to a leaderboard id, deleting from an unknown or authoritative tournament) this server answers
the 4xx it should be (docs/server.md).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._protocol.query_rules import parse_expiry, parse_limit, parse_owner_id
from .._protocol.request_rules import check_write_values, parse_body, parse_record_write
from .._protocol.routes import TOURNAMENT, TOURNAMENT_JOIN, TOURNAMENT_OWNER, TOURNAMENTS
from .._protocol.tournaments import (
    CATEGORY_MAX,
    TOURNAMENT_AROUND_DEFAULT,
    TOURNAMENT_LIST_DEFAULT,
    TOURNAMENT_RECORDS_DEFAULT,
    TOURNAMENT_RECORDS_MAX,
    parse_list_limit,
    parse_uint32,
    tournament_json,
)
from .._protocol.wire import GrpcCode, Operator
from .errors import ApiFailure
from .http import accept, json_response, read_body
from .leaderboard_routes import _claim, _cursor, _owner_ids, _respond
from .record_reads import ListQuery, list_around, list_records
from .state import USER, ServerState, state_of
from .tokens import Claims
from .tournament_jobs import TournamentJob, delete_entry, join, write_entry
from .tournament_store import decode_list_cursor, encode_list_cursor
from .tournaments import Tournament, deadlines, list_order, listing

__all__ = ["routes"]

routes = web.RouteTableDef()
_NOT_FOUND = "Tournament not found."


def _now(state: ServerState) -> int:
    return int(state.config.clock())


def _tournament(state: ServerState, request: web.Request) -> Tournament:
    t = state.config.tournament(request.match_info["tournament_id"])
    if t is None:
        raise ApiFailure(GrpcCode.NOT_FOUND, _NOT_FOUND)
    return t


def _window(state: ServerState, t: Tournament, now: int) -> tuple[int, int, int]:
    return deadlines(t, t.start_time or state.tournament_created[t.id], now)


def _job(
    state: ServerState, request: web.Request, t: Tournament, raw: bytes | None
) -> TournamentJob:
    """The job at the server's clock; ``raw`` (the body) None: no idempotency claim."""
    user: Claims = request[USER]
    now = _now(state)
    claim = None if raw is None else _claim(state, request, user, raw)
    return TournamentJob(t, user.user_id, now, _window(state, t, now)[2], claim)


def _query_uint(request: web.Request, name: str) -> int | None:
    return accept(parse_uint32, request.query.get(name), name)


@routes.get(TOURNAMENTS, allow_head=False)
async def list_tournaments(request: web.Request) -> web.Response:
    state = state_of(request)
    start, end = _query_uint(request, "category_start"), _query_uint(request, "category_end")
    start_time, end_time = _query_uint(request, "start_time"), _query_uint(request, "end_time")
    limit = accept(parse_list_limit, request.query.get("limit"))
    cursor = request.query.get("cursor", "")
    after = decode_list_cursor(cursor) if cursor else None
    if cursor and after is None:  # Nakama: 500 (code 2); a client's mistake (docs/server.md)
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, "Cursor is invalid or expired.")
    if end is not None and end > CATEGORY_MAX:
        raise _invalid("Tournament category end must be >=0 and <128.")
    if end is not None and end < (start or 0):
        raise _invalid("Tournament category end must be greater than category start.")
    if end_time is not None and end_time != 0 and end_time < (start_time or -1):
        raise _invalid("Tournament end time must be greater than start time.")
    query = _Filter(start or 0, CATEGORY_MAX if end is None else end, start_time, end_time)
    return json_response(_page(state, query, limit or TOURNAMENT_LIST_DEFAULT, after))


def _invalid(message: str) -> ApiFailure:
    return ApiFailure(GrpcCode.INVALID_ARGUMENT, message)


class _Filter:
    def __init__(self, low: int, high: int, start_time: int | None, end_time: int | None) -> None:
        self.low, self.high, self.start_time, self.end_time = low, high, start_time, end_time

    def keeps(self, t: Tournament, start: int, now: int) -> bool:
        """Nakama's ``ListTournaments`` filter (without end_time: current or future only)."""
        end = t.end_time or 0
        if not self.low <= t.category <= self.high:
            return False
        if self.start_time is not None and start < self.start_time:
            return False
        if self.end_time is None:
            return not (end and end < now)
        if self.end_time == 0:
            return end == 0
        return end != 0 and end <= self.end_time


def _page(state: ServerState, query: _Filter, limit: int, after: str | None) -> dict[str, Any]:
    now, created = _now(state), state.tournament_created
    ordered = sorted(state.config.tournaments, key=lambda t: list_order(t, created[t.id]))
    if after is not None:  # the page after that id; an unknown id skips everything (Nakama)
        ids = [t.id for t in ordered]
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    page: list[Tournament] = []
    cursor = ""
    for t in ordered:
        if not query.keeps(t, t.start_time or created[t.id], now):
            continue
        if len(page) >= limit:
            cursor = encode_list_cursor(page[-1].id)
            break
        page.append(t)
    items = [tournament_json(listing(t, created[t.id], _size(state, t, now), now)) for t in page]
    return {"tournaments": items, "cursor": cursor} if cursor else _nonempty(items)


def _nonempty(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tournaments": items} if items else {}


def _size(state: ServerState, t: Tournament, now: int) -> int:
    expiry = _window(state, t, now)[2]
    with state.ranks.lock:
        index = state.ranks.peek(t.id, expiry)
        return 0 if index is None else len(index)


@routes.post(TOURNAMENT_JOIN)
async def join_tournament(request: web.Request) -> web.Response:
    state = state_of(request)
    t = _tournament(state, request)
    if not t.join_required:
        return json_response({})
    job = _job(state, request, t, None)
    if _window(state, t, job.now)[1] <= job.now:
        raise _invalid("Tournament is not active and cannot accept new joins.")
    return _respond(await state.store.write(lambda txn: join(txn, job, state.ranks)))


@routes.put(TOURNAMENT)
@routes.post(TOURNAMENT)
async def write_tournament_record(request: web.Request) -> web.Response:
    state = state_of(request)
    raw = await read_body(request)
    write = accept(parse_record_write, accept(parse_body, raw))
    t = state.config.tournament(request.match_info["tournament_id"])
    if t is None:  # Nakama: a leaderboard's id here is a 500
        raise ApiFailure(GrpcCode.NOT_FOUND, _NOT_FOUND)
    job = _job(state, request, t, raw)
    if t.end_time and t.end_time <= job.now:
        raise ApiFailure(GrpcCode.NOT_FOUND, "Tournament not found or has ended.")
    if t.authoritative:
        raise ApiFailure(
            GrpcCode.PERMISSION_DENIED, "Tournament only allows authoritative score submissions."
        )
    start_active, end_active, _ = _window(state, t, job.now)
    if start_active > job.now or end_active <= job.now:
        raise ApiFailure(
            GrpcCode.FAILED_PRECONDITION, "Tournament is not active and cannot accept new scores."
        )
    operator = t.operator if write.operator is Operator.NO_OVERRIDE else write.operator
    accept(check_write_values, write, operator)
    result = await state.store.write(
        lambda txn: write_entry(txn, job, write, operator, state.ranks)
    )
    return _respond(result)


@routes.delete(TOURNAMENT)
async def delete_tournament_record(request: web.Request) -> web.Response:
    state = state_of(request)
    t = _tournament(state, request)  # Nakama: 500 here
    if t.authoritative:  # Nakama: 500 here
        raise ApiFailure(
            GrpcCode.PERMISSION_DENIED, "Tournament only allows authoritative score deletions."
        )
    job = _job(state, request, t, await read_body(request))
    return _respond(await state.store.write(lambda txn: delete_entry(txn, job, state.ranks)))


def _expiry(state: ServerState, t: Tournament, requested: int) -> int | None:
    """The period a read asks for; None when the current one has already expired."""
    if requested:
        return requested
    now = _now(state)
    expiry = _window(state, t, now)[2]
    return None if expiry and expiry <= now else expiry


@routes.get(TOURNAMENT, allow_head=False)
async def list_tournament_records(request: web.Request) -> web.Response:
    state = state_of(request)
    owners = _owner_ids(request)
    limit = accept(parse_limit, request.query.get("limit"), TOURNAMENT_RECORDS_MAX)
    cursor_given = request.query.get("cursor", "") != ""
    if limit is None and (not owners or not cursor_given):
        limit = TOURNAMENT_RECORDS_DEFAULT
    requested = accept(parse_expiry, request.query.get("expiry"))
    t = _tournament(state, request)
    if not requested and t.end_time and t.end_time <= _now(state):
        raise ApiFailure(GrpcCode.NOT_FOUND, "Tournament has ended.")
    expiry = _expiry(state, t, requested)
    if expiry is None:
        return json_response({})
    query = ListQuery(t.board, expiry, limit, _cursor(state, request, t.board, expiry), owners)
    body = await state.store.read(
        lambda conn: list_records(conn, query, state.ranks, state.cursors)
    )
    return json_response(_attempts(body, t))


# The second path: an empty owner id is routed, and refused with Nakama's message.
@routes.get(TOURNAMENT_OWNER.removesuffix("{owner_id}"), allow_head=False)
@routes.get(TOURNAMENT_OWNER, allow_head=False)
async def list_tournament_records_around_owner(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = accept(parse_limit, request.query.get("limit"), TOURNAMENT_RECORDS_MAX, unsigned=True)
    owner = accept(parse_owner_id, request.match_info.get("owner_id", ""))
    requested = accept(parse_expiry, request.query.get("expiry"))
    t = _tournament(state, request)
    expiry = _expiry(state, t, requested)
    if expiry is None:
        return json_response({})
    cursor = _cursor(state, request, t.board, expiry)  # Nakama: a bad one is a 500
    query = ListQuery(t.board, expiry, limit or TOURNAMENT_AROUND_DEFAULT, cursor, ())
    body = await state.store.read(
        lambda conn: list_around(conn, query, owner, state.ranks, state.cursors)
    )
    # Nakama answers the next page's cursor as prev_cursor too
    body = {k: body.get("next_cursor") if k == "prev_cursor" else v for k, v in body.items()}
    if "next_cursor" in body and "prev_cursor" not in body:
        body = _with_prev(body)
    return json_response(_attempts({k: v for k, v in body.items() if v}, t))


def _with_prev(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        out[key] = value
        if key == "next_cursor":
            out["prev_cursor"] = value
    return out


def _attempts(body: dict[str, Any], t: Tournament) -> dict[str, Any]:
    """Records carry the tournament's ``max_num_score`` (the leaderboard reads write the
    leaderboard default)."""
    for key in ("records", "owner_records"):
        for record in body.get(key, ()):
            record["max_num_score"] = t.attempts
    return body
