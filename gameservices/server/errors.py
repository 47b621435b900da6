"""Nakama-shaped error responses for the reference server.

Every error leaving the server is ``{"code", "message"}`` with the matching status, and a 401 also
repeats its message in ``WWW-Authenticate`` (as Nakama does). Handlers raise ``ApiFailure``; one
middleware turns it (and any unexpected exception, logged with its traceback, never sent) into a
response.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from .._protocol.wire import STATUS_FOR_GRPC_CODE, GrpcCode, dumps, error_body

__all__ = ["ApiFailure", "error_response"]


class ApiFailure(Exception):
    """Raised inside a handler to answer with a Nakama error body."""

    def __init__(
        self,
        code: GrpcCode,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS_FOR_GRPC_CODE.get(code, 500)
        self.headers = dict(headers or {})


def error_response(
    status: int, code: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON error response in Nakama's shape."""
    response = web.Response(
        text=dumps(error_body(code, message)),
        status=status,
        headers=headers,
        content_type="application/json",
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = message
    return response
