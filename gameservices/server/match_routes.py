"""``GET /v2/match``: match listing, with Nakama's checks and messages (``_protocol.matches``);
``GET /v2/matchmaker/stats``: the realtime matchmaker's stats, live (``realtime_matchmaker``).

Invariant: this server runs no authoritative matches; relayed matches are the realtime socket's
(``realtime_hub``), listed as Nakama lists them: only when no ``label`` or ``query`` filter is
given and ``authoritative`` is not true, each as its id and its number of players, within
``min_size``/``max_size``, at most ``limit`` (default 10). No match: ``{}``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._protocol.matches import MATCH_LIST_DEFAULT, MatchFilter, parse_match_query
from .._protocol.routes import MATCHES, MATCHMAKER_STATS
from .._protocol.wire import omit_zero
from .http import accept, json_response
from .realtime_context import Realtime
from .realtime_routes import HUB
from .state import state_of

__all__ = ["routes"]

routes = web.RouteTableDef()


def _realtime(request: web.Request) -> Realtime | None:
    """The socket's shared state; None before any socket connected (nothing exists yet)."""
    realtime = request.app[HUB].get("rt")
    return realtime if realtime is not None and realtime.state is state_of(request) else None


def _relayed(request: web.Request, f: MatchFilter) -> list[dict[str, Any]]:
    if f.label is not None or f.query is not None or f.authoritative is True:
        return []  # Nakama: authoritative matches only
    realtime = _realtime(request)
    if realtime is None:
        return []
    found = []
    for match_id, match in sorted(realtime.hub.matches.items()):
        size = len(match.members)
        if (f.min_size is not None and size < f.min_size) or (
            f.max_size is not None and size > f.max_size
        ):
            continue
        found.append(omit_zero({"match_id": match_id, "size": size}))
        if len(found) == (f.limit or MATCH_LIST_DEFAULT):
            break
    return found


@routes.get(MATCHES, allow_head=False)
async def list_matches(request: web.Request) -> web.Response:
    found = _relayed(request, accept(parse_match_query, request.query))
    return json_response({"matches": found} if found else {})


@routes.get(MATCHMAKER_STATS, allow_head=False)
async def matchmaker_stats(request: web.Request) -> web.Response:
    realtime = _realtime(request)
    return json_response({} if realtime is None else realtime.matchmaker.stats())
