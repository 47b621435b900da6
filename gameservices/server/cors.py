"""CORS as Nakama's gateway answers it (gorilla/handlers with origin ``*``), on every path.

Invariants:
- An ``OPTIONS`` with an ``Origin`` is a preflight, answered here and never routed: 400 without
  ``Access-Control-Request-Method``; 405 for a method other than GET, HEAD, POST, PUT, DELETE
  (case-sensitive); 403 if it asks for a header outside Authorization, Content-Type, User-Agent
  and Idempotency-Key (ours: Nakama does not take that header); else 200 with
  ``Access-Control-Allow-Origin: *``, the asked headers echoed canonicalised in
  ``Access-Control-Allow-Headers``, and a method other than GET, HEAD, POST named in
  ``Access-Control-Allow-Methods``. Empty bodies, no other headers.
- An ``OPTIONS`` without ``Origin`` gets a bare 200; any other request with an ``Origin`` gets
  ``Access-Control-Allow-Origin: *`` on its answer, whatever the status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from .._protocol.headers import IDEMPOTENCY_HEADER

__all__ = ["allow_origin", "cors_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE"})
_SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
_HEADERS = frozenset({"Authorization", "Content-Type", "User-Agent", IDEMPOTENCY_HEADER})
_SIMPLE_HEADERS = frozenset({"Accept", "Accept-Language", "Content-Language", "Origin"})
_ALLOW_ORIGIN = "Access-Control-Allow-Origin"


def _canonical(name: str) -> str:
    """Go's ``http.CanonicalHeaderKey``: ``content-type`` -> ``Content-Type``."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _empty(status: int, headers: dict[str, str] | None = None) -> web.Response:
    """No body and so no Content-Type, as Nakama's CORS answers."""
    return web.Response(status=status, headers=headers)


def preflight(request: web.Request) -> web.Response:
    """The answer to an ``OPTIONS`` request (see the invariants)."""
    if not request.headers.get("Origin"):
        return _empty(200)
    method = request.headers.get("Access-Control-Request-Method")
    if method is None:
        return _empty(400)
    if method not in _METHODS:
        return _empty(405)
    asked = request.headers.get("Access-Control-Request-Headers", "").split(",")
    allowed = []
    for raw in asked:
        name = _canonical(raw.strip())
        if not name or name in _SIMPLE_HEADERS:
            continue
        if name not in _HEADERS:
            return _empty(403)
        allowed.append(name)
    headers = {_ALLOW_ORIGIN: "*"}
    if allowed:
        headers["Access-Control-Allow-Headers"] = ",".join(allowed)
    if method not in _SIMPLE_METHODS:
        headers["Access-Control-Allow-Methods"] = method
    return _empty(200, headers)


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "OPTIONS":
        return preflight(request)
    return await handler(request)


def allow_origin(request: web.Request, response: web.StreamResponse) -> None:
    """For ``on_response_prepare``: every answer to a request with an Origin allows it (a
    signal, not the middleware, so streamed answers such as assets get it too)."""
    if request.method != "OPTIONS" and request.headers.get("Origin"):
        response.headers[_ALLOW_ORIGIN] = "*"
