"""URL policy, as pure functions: which URLs the client may talk to, and what an origin is.

Rule 1: https anywhere; plain http only to loopback (localhost, 127.0.0.0/8, ::1) unless the
        caller allows insecure transport; no other scheme.
Rule 2: an origin is (scheme, host, port); credentials never cross from one origin to another.
Rule 3: a base URL names the server, not the API: no ``/v2`` at the end of its path (the client
        adds ``/v2/...`` itself), no query, no fragment, no credentials. A path prefix (a
        server behind a reverse proxy at ``https://example.com/nakama``) is kept.
"""

from __future__ import annotations

import contextlib
import ipaddress

from yarl import URL

from .._exceptions import UsageError
from .routes import API_ROOT

__all__ = ["check_base_url", "check_url", "is_loopback", "origin"]


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    return False


def origin(url: URL) -> tuple[str, str | None, int | None]:
    return (url.scheme, url.host, url.port)


def check_url(url: URL, *, allow_insecure: bool, remedy: str = "allow_insecure=True") -> None:
    """UsageError (the caller's configuration) unless Rule 1 allows ``url``; ``remedy`` is how
    the caller allows plain http (the CLI's is ``--allow-insecure``)."""
    if url.scheme == "https" or (
        url.scheme == "http" and (allow_insecure or is_loopback(url.host))
    ):
        return
    if url.scheme == "http":
        raise UsageError(
            f"refusing plain http:// to {url.host}: use https, or allow plain http with {remedy}"
        )
    if url.scheme and not url.host:  # "127.0.0.1:7350" parses as scheme "127.0.0.1"
        raise UsageError(f"{url} is not a URL: write it with its scheme, http://{url}")
    raise UsageError(f"unsupported URL scheme {url.scheme!r} in {url} (expected http or https)")


def check_base_url(url: URL) -> None:
    """UsageError unless ``url`` can be the server's base URL (Rules 1 and 3)."""
    if url.scheme in ("http", "https") and not url.host:
        raise UsageError(f"base URL {url} has no host: write it like http://127.0.0.1:7350")
    if url.user is not None or url.password is not None:
        raise UsageError("the base URL carries credentials: give the server key as server_key=")
    if url.query_string or url.fragment:
        raise UsageError(f"base URL {url.with_query(None)} has a query or fragment: drop it")
    path = url.path.rstrip("/")
    if path.endswith(API_ROOT):
        root = url.with_path(path[: -len(API_ROOT)] or "/")
        raise UsageError(
            f"base URL {url} ends in /v2: give the server's address, {str(root).rstrip('/')}; "
            "the client adds /v2/... to every request itself"
        )
