"""Storage endpoints: write (``PUT /v2/storage``), read (``POST``), list (``GET
/v2/storage/{collection}``) and delete (``PUT /v2/storage/delete``).

Invariants: bodies and queries are judged on the loop by ``_protocol.storage``'s rules (Nakama's
checks, order and messages) before any database work; an empty batch answers ``{}`` without
touching the database, as Nakama does; the work itself runs on the store's threads
(``storage_jobs``), a write or delete as one job, so a call is applied all or none.
"""

from __future__ import annotations

import functools

from aiohttp import web

from .._protocol.query_rules import parse_limit
from .._protocol.routes import STORAGE, STORAGE_COLLECTION, STORAGE_DELETE, STORAGE_USER
from .._protocol.storage import (
    LIST_LIMIT_MAX,
    parse_delete_body,
    parse_list_user,
    parse_read_body,
    parse_write_body,
)
from . import storage_jobs
from .http import accept, json_response, read_json
from .state import USER, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.put(STORAGE)
async def write_storage_objects(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    ops = accept(parse_write_body, await read_json(request))
    if not ops:
        return json_response({})
    job = functools.partial(
        storage_jobs.write_objects, ops=ops, owner=user.user_id, now=state.config.clock()
    )
    return json_response(await state.store.write(job))


@routes.post(STORAGE)
async def read_storage_objects(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    ops = accept(parse_read_body, await read_json(request))
    if not ops:
        return json_response({})
    body = await state.store.read(lambda conn: storage_jobs.read_objects(conn, ops, user.user_id))
    return json_response(body)


@routes.put(STORAGE_DELETE)
async def delete_storage_objects(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    ops = accept(parse_delete_body, await read_json(request))
    if not ops:
        return json_response({})
    job = functools.partial(storage_jobs.delete_objects, ops=ops, owner=user.user_id)
    return json_response(await state.store.write(job))


@routes.get(STORAGE_COLLECTION, allow_head=False)
@routes.get(STORAGE_USER, allow_head=False)
async def list_storage_objects(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    limit = accept(parse_limit, request.query.get("limit"), LIST_LIMIT_MAX) or 1
    raw_owner = request.match_info.get("user_id", request.query.get("user_id"))
    owner = accept(parse_list_user, raw_owner)
    query = storage_jobs.ListQuery(
        request.match_info["collection"],
        user.user_id,
        owner,
        limit,
        request.query.get("cursor", ""),
    )
    body = await state.store.read(
        lambda conn: storage_jobs.list_objects(conn, query, state.social_cursors)
    )
    return json_response(body)
