"""``POST /v2/event``: analytics events, accepted as Nakama accepts them and kept in the
``events`` table (arrival order; the server's log names each at DEBUG).

Invariants: the body is read by ``_protocol.events.parse_event`` (protojson's rules: string
property values only, an RFC 3339 timestamp); a valid event answers ``{}`` only after its row is
committed, like every write of this server.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from .._protocol.events import EventBody, parse_event
from .._protocol.routes import EVENT
from .http import accept, json_response, read_json
from .sqlite_store import Txn
from .state import USER, state_of
from .tokens import Claims

__all__ = ["routes"]

routes = web.RouteTableDef()
log = logging.getLogger("gameservices.server.events")


def _store(txn: Txn, user_id: str, event: EventBody, received: float) -> None:
    stamp = None if event.timestamp is None else event.timestamp.timestamp()
    txn.conn.execute(
        "INSERT INTO events(user_id, name, properties, timestamp, external, received)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, event.name, json.dumps(event.properties), stamp, int(event.external), received),
    )


@routes.post(EVENT)
async def send_event(request: web.Request) -> web.Response:
    state = state_of(request)
    user: Claims = request[USER]
    event = accept(parse_event, await read_json(request))
    now = state.config.clock()
    await state.store.write(lambda txn: _store(txn, user.user_id, event, now), savepoint=False)
    log.debug("event %r from %s", event.name, user.user_id)
    return json_response({})
