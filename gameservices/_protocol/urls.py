"""URL policy, as pure functions: which URLs the client may talk to, and what an origin is.

Rule 1: https anywhere; plain http only to loopback (localhost, 127.0.0.0/8, ::1) unless the
        caller allows insecure transport; no other scheme.
Rule 2: an origin is (scheme, host, port); credentials never cross from one origin to another.
"""

from __future__ import annotations

import contextlib
import ipaddress

from yarl import URL

from .._exceptions import UsageError

__all__ = ["check_url", "is_loopback", "origin"]


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


def check_url(url: URL, *, allow_insecure: bool) -> None:
    """UsageError (the caller's configuration) unless Rule 1 allows ``url``."""
    if url.scheme == "https" or (
        url.scheme == "http" and (allow_insecure or is_loopback(url.host))
    ):
        return
    if url.scheme == "http":
        raise UsageError(f"refusing plain http:// to {url.host}: use https, or allow_insecure=True")
    raise UsageError(f"unsupported URL scheme {url.scheme!r} (expected http or https)")
