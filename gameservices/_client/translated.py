"""Foreign errors (aiohttp, OSError, timeouts) as ours: the one place they are translated.

Rule 1: ``translate`` returns an error of the tree; callers ``raise translate(...) from exc``, so
        the cause stays attached, and its message keeps what the OS said (``connection
        refused``), with a hint where the usual mistake is known.
Rule 2: ``asyncio.CancelledError`` is never in ``FOREIGN``: it is never caught, never wrapped.
Rule 3: a message names the method and the URL without its query (it may carry secrets).
"""

from __future__ import annotations

import asyncio
import errno
import os
import re
import socket

import aiohttp
from yarl import URL

from .._exceptions import (
    ConnectError,
    GameServicesError,
    ProtocolError,
    RequestTimeout,
    TransportError,
    UsageError,
)

__all__ = ["FOREIGN", "translate"]

FOREIGN = (asyncio.TimeoutError, aiohttp.ClientError, OSError)
_ERRNO = re.compile(r"\[Errno (\d+)\]")
# What OpenSSL says when the other side answered a ClientHello in plain HTTP.
_PLAIN_HTTP_ANSWER = re.compile(
    r"WRONG_VERSION_NUMBER|wrong version number|record layer failure|"
    r"packet length too long|http request",
    re.IGNORECASE,
)


def translate(exc: BaseException, method: str, url: object) -> GameServicesError:
    """The one place where foreign errors become ours (callers ``raise ... from exc``)."""
    where = f"{method} {URL(str(url)).with_query(None)}"
    # Both: before 3.11 asyncio.TimeoutError is not the builtin one (an OSError from sockets).
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):  # also aiohttp's ServerTimeoutError
        return RequestTimeout(f"{where}: timed out")
    if isinstance(exc, aiohttp.ClientConnectorError):  # DNS, refused, TLS handshake
        return ConnectError(f"{where}: could not connect: {_connect_reason(exc, URL(str(url)))}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ProtocolError(f"{where}: the body was cut short or malformed ({exc})")
    if isinstance(exc, aiohttp.ClientResponseError):
        return ProtocolError(f"{where}: unreadable HTTP response ({exc.message})")
    if isinstance(exc, aiohttp.InvalidURL):
        return UsageError(f"{where}: invalid URL")
    # Disconnects and other socket errors: the request may have been sent.
    return TransportError(f"{where}: connection lost ({exc.__class__.__name__})")


def _connect_reason(exc: aiohttp.ClientConnectorError, url: URL) -> str:
    """Why a connection failed, in the words of the OS (``connection refused``), with a hint
    where the usual mistake is known: nothing listening, or https to a plain-http server."""
    address = f"{url.host}:{url.port}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {address} was refused ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        hint = ""
        if _PLAIN_HTTP_ANSWER.search(str(exc.os_error)):
            hint = f"; is {address} a plain http server? then use http://{address}"
        return f"TLS handshake with {address} failed ({exc.os_error}){hint}"
    os_error = exc.os_error
    text = str(os_error)
    number = os_error.errno
    if not isinstance(number, int) or number <= 0:  # "Multiple exceptions: [Errno 111] ..."
        found = _ERRNO.search(text)
        number = int(found.group(1)) if found else None
    if number == errno.ECONNREFUSED:
        return f"connection refused: nothing listens on {address} (is the server running?)"
    if isinstance(os_error, socket.gaierror):
        return f"cannot resolve {url.host} ({os_error.strerror})"
    reason = os.strerror(number).lower() if number else type(os_error).__name__
    return f"{reason} ({text})" if text and text != reason else reason
