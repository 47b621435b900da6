"""``GET /ws``: the realtime socket of the reference server (Nakama's protocol, JSON only).

Rule 1: the session token comes in the ``token`` query value and is verified before the
        upgrade (401 otherwise); a logged-out (revoked) token is refused, where Nakama 3.40
        accepts one (a Nakama bug, docs/server.md).
Rule 2: a frame over ``rt.MAX_FRAME_BYTES``, or one that is not an envelope, closes the socket
        (as Nakama does) instead of being answered, and so does one carrying no message or
        naming no request (a push's name).
Rule 3: each request is answered with its ``cid``: the reply message, a bare ``{"cid"}`` for
        requests that return nothing, or an ``error`` (code and message as Nakama's);
        ``match_data_send`` is never answered, and its refusals carry no ``cid``, as Nakama's.
Rule 4: one frame is handled at a time per socket, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import WSMsgType, web

from .._protocol import realtime as rt
from .._protocol.routes import SOCKET
from .._protocol.wire import GrpcCode, dumps
from . import realtime_chat, realtime_party, realtime_play, realtime_rpc
from .errors import ApiFailure
from .realtime_context import HANDLERS, Realtime, Refusal, handler
from .realtime_hub import Peer
from .realtime_matchmaker import INTERVAL
from .state import state_of
from .tokens import TokenError

__all__ = ["HUB", "routes", "setup_realtime"]

# imported for their registrations
_HANDLER_MODULES = (realtime_chat, realtime_party, realtime_play, realtime_rpc)

log = logging.getLogger("gameservices.server")
routes = web.RouteTableDef()
HEARTBEAT = 15.0  # Nakama's ping_period_ms (15 s); a missing pong closes the socket


HUB = web.AppKey("gameservices_realtime", dict)  # {"rt": Realtime, "sweeper": task}


def setup_realtime(app: web.Application) -> None:
    app[HUB] = {}
    app.add_routes(routes)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)


async def _start(app: web.Application) -> None:
    app[HUB]["sweeper"] = None  # started with the first socket (the state opens in cleanup_ctx)


async def _stop(app: web.Application) -> None:
    for unlisten in app[HUB].get("unlisten", ()):
        unlisten()
    sweeper = app[HUB].get("sweeper")
    if sweeper is not None:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper


def _realtime(request: web.Request) -> Realtime:
    holder = request.app[HUB]
    state = state_of(request)
    current = holder.get("rt")
    if current is None or current.state is not state:
        current = holder["rt"] = Realtime(state)
        holder["sweeper"] = asyncio.ensure_future(_sweep(current))
        for unlisten in holder.get("unlisten", ()):
            unlisten()  # a state that closed (a restarted app): its hooks go with it
        holder["unlisten"] = [
            state.notifications.listen(current.hub.push_notification),
            state.group_chat.listen(current.hub.group_posted),
        ]
    return current


async def _sweep(realtime: Realtime) -> None:
    while True:
        await asyncio.sleep(INTERVAL)
        realtime.matchmaker.sweep()


@routes.get(SOCKET)
async def socket(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    token = request.query.get("token", "")
    if not token:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Auth token required")
    try:
        claims = state.tokens.verify_session(token)
    except TokenError:
        raise ApiFailure(GrpcCode.UNAUTHENTICATED, "Auth token invalid") from None
    realtime = _realtime(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=rt.MAX_FRAME_BYTES)
    await ws.prepare(request)
    status = request.query.get("status", "false").lower() in ("true", "1")
    peer = Peer(ws, claims, status)
    realtime.hub.add(peer)
    try:
        await _serve(realtime, peer, ws)
    finally:
        realtime.matchmaker.drop_peer(peer)
        realtime.parties.drop_peer(peer)
        realtime.hub.remove(peer)
        await peer.finish()
        await ws.close()
    return ws


async def _serve(realtime: Realtime, peer: Peer, ws: web.WebSocketResponse) -> None:
    async for msg in ws:
        if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            break
        try:
            envelope = rt.decode(msg.data)
        except ValueError:
            return  # Rule 2: Nakama closes the socket on a malformed envelope
        await _handle(realtime, peer, envelope)


async def _handle(realtime: Realtime, peer: Peer, envelope: rt.Envelope) -> None:
    cid, message = envelope.cid, envelope.message
    if not envelope.name:
        peer.close()  # an envelope without a message: Nakama closes the socket (Rule 2)
        return
    handler = HANDLERS.get(type(message))
    if handler is None:
        peer.close()  # not a request Nakama takes (a push's name, or unknown): it closes
        return
    try:
        reply = await handler(realtime, peer, message)
    except Refusal as exc:
        if not isinstance(message, rt.MatchDataSend):
            peer.send(rt.RealtimeErrorMessage(exc.code, exc.message), cid)
        else:
            peer.send(rt.RealtimeErrorMessage(exc.code, exc.message))
        return
    if isinstance(message, rt.MatchDataSend):
        return  # never answered (Rule 3)
    if reply is None:
        peer.send_text(dumps({"cid": cid}) if cid else "{}")
    else:
        peer.send(reply, cid)


@handler(rt.Ping)
async def _ping(realtime: Realtime, peer: Peer, message: rt.Ping) -> rt.Pong:
    return rt.Pong()
