"""Raw HTTP for the differential test: send the same requests to two servers, keep what each
answered, normalised so that the two can be compared.

``Wire`` speaks to one server with aiohttp directly (not the ``Client``): bytes go out exactly as
the case wrote them (``yarl.URL(..., encoded=True)``), and every answer is recorded as an
``Exchange``: status, the headers that matter, and the body with what legitimately differs
between two servers replaced by placeholders:

- user ids, generated usernames and device ids -> ``<alice.id>``, ``<alice.username>``, ...;
  any other UUID -> ``<uuid>``; board ids -> ``<board:best>``;
- ``*_time`` values -> ``<time>``; ``next_cursor`` / ``prev_cursor`` -> ``<cursor>`` (each
  server's cursor is opaque; a case that needs one follows it);
- a JWT -> ``{"<jwt>": claims}`` with ``exp`` / ``iat`` -> ``<epoch>``, ``uid`` / ``usn`` as
  above and ``tid`` -> ``<tid#N uuid|other>`` numbered by first sight (two tokens that share a
  tid show the same number).

Headers compared (case-insensitive; absent ones are left out): Content-Type (media type only:
``application/json`` and ``application/json; charset=utf-8`` are the same document),
Cache-Control, WWW-Authenticate, Allow and the Access-Control-* answers. Date, Content-Length,
Vary, Server, Content-Encoding (aiohttp undoes gzip) and Nakama's
``Grpc-Metadata-Content-Type`` are transport detail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

__all__ = ["COMPARED_HEADERS", "Exchange", "Names", "Reply", "User", "Wire"]

COMPARED_HEADERS = (
    "content-type",
    "cache-control",
    "www-authenticate",
    "allow",
    "access-control-allow-origin",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-max-age",
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_LONG = 300  # longer strings are compared by length and digest (diffs stay readable)
_CURSOR_PARAM = re.compile(r"([?&](?:cacheable_)?cursor=)[^&]+")
_GENERATED_USERNAME = re.compile(r"^[A-Za-z]{10}$")
_CURSOR_KEYS = frozenset({"next_cursor", "prev_cursor", "cursor", "cacheable_cursor"})

# {"request", "status", "headers", "body"} are compared; "_sent", "_raw_headers" and
# "_raw_body" are what went over the wire (for deliberate-difference checks and dumps).
Exchange = dict[str, Any]


@dataclass
class User:
    role: str
    token: str
    refresh_token: str
    user_id: str
    username: str


@dataclass
class Names:
    """Per-case values both servers receive unchanged (same device ids, same usernames...)."""

    case: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def device(self, role: str) -> str:
        return f"gs-diff-{self.case}-{role}"

    def custom(self, role: str) -> str:
        return f"gs-custom-{self.case}-{role}"

    def email(self, role: str) -> str:
        return f"gs-{self.case}-{role}@example.com"

    def username(self, role: str) -> str:
        return f"gs_{self.case}_{role}"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    raw: bytes
    body: Any  # parsed JSON, or None when the body is not JSON

    def json(self) -> Any:
        assert self.body is not None, f"not JSON ({self.status}): {self.raw[:200]!r}"
        return self.body


def basic(server_key: str) -> str:
    return "Basic " + base64.b64encode(f"{server_key}:".encode()).decode()


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


class Wire:
    """One server, raw: ``await wire.call("POST", path, json=..., auth="basic")``."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        url: str,
        server_key: str,
        boards: Mapping[str, str],
        names: Names,
    ) -> None:
        self.http, self.url, self.server_key = http, url.rstrip("/"), server_key
        self.boards, self.names = dict(boards), names
        self.users: dict[str, User] = {}
        self.exchanges: list[Exchange] = []
        self._placeholders: dict[str, str] = {
            board_id: f"<board:{kind}>" for kind, board_id in self.boards.items()
        }
        self._tids: dict[str, int] = {}

    # -- requests ------------------------------------------------------------------------------

    def board(self, kind: str) -> str:
        return self.boards[kind]

    def user(self, role: str) -> User:
        return self.users[role]

    def authorization(self, auth: str | None) -> str | None:
        """None: none; "basic": the server key; "basic:KEY": another key; "bearer:ROLE" or a
        role name: that user's session token; "refresh:ROLE": that user's refresh token."""
        if auth is None:
            return None
        if auth == "basic":
            return basic(self.server_key)
        if auth.startswith("basic:"):
            return basic(auth.removeprefix("basic:"))
        if auth.startswith("refresh:"):
            return "Bearer " + self.users[auth.removeprefix("refresh:")].refresh_token
        return "Bearer " + self.users[auth.removeprefix("bearer:")].token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        auth: str | None = None,
        headers: Mapping[str, str] | None = None,
        record: bool = True,
        note: str = "",
    ) -> Reply:
        """Send ``path`` (query included, already percent-encoded as it should go out)."""
        sent: dict[str, str] = {}
        value = self.authorization(auth)
        if value is not None:
            sent["Authorization"] = value
        sent.update(headers or {})
        body = data
        if json is not None:
            body = _dumps(json).encode()
        async with self.http.request(
            method, URL(self.url + path, encoded=True), data=body, headers=sent
        ) as resp:
            raw = await resp.read()
            reply = Reply(resp.status, dict(resp.headers), raw, _loads(raw))
        if record:
            exchange = self._exchange(method, path, note, reply)
            exchange["_sent"] = {"headers": _redacted(sent), "body": _text(body or b"")}
            self.exchanges.append(exchange)
        return reply

    async def login(
        self,
        role: str,
        *,
        kind: str = "device",
        username: bool = False,
        vars: Mapping[str, str] | None = None,
        record: bool = False,
    ) -> User:
        """Create ``role``'s account (or log in again) and keep its tokens."""
        query = f"?create=true&username={self.names.username(role)}" if username else ""
        account: dict[str, Any]
        if kind == "email":
            account = {"email": self.names.email(role), "password": "correct horse"}
        elif kind == "custom":
            account = {"id": self.names.custom(role)}
        else:
            account = {"id": self.names.device(role)}
        if vars is not None:
            account["vars"] = dict(vars)
        reply = await self.call(
            "POST",
            f"/v2/account/authenticate/{kind}{query}",
            json=account,
            auth="basic",
            record=record,
            note=f"login {role}",
        )
        assert reply.status == 200, f"login {role}: {reply.status} {reply.raw[:300]!r}"
        return self.adopt(role, reply.json())

    def adopt(self, role: str, session: Mapping[str, Any]) -> User:
        claims = claims_of(session["token"])
        user = User(role, session["token"], session["refresh_token"], claims["uid"], claims["usn"])
        self.users[role] = user
        self._placeholders[user.user_id] = f"<{role}.id>"
        self._placeholders[user.username] = f"<{role}.username>"
        self._placeholders[self.names.device(role)] = f"<{role}.device>"
        self._placeholders[self.names.custom(role)] = f"<{role}.custom>"
        self._placeholders[self.names.email(role)] = f"<{role}.email>"
        return user

    def relabel(self, role: str, label: str) -> None:
        """Show ``role``'s id and username as ``<label.id>`` / ``<label.username>`` (for cases
        where what matters is, say, the order of the ids, which differ between servers)."""
        user = self.users[role]
        self._placeholders[user.user_id] = f"<{label}.id>"
        self._placeholders[user.username] = f"<{label}.username>"

    async def write(
        self, role: str, kind: str, body: Mapping[str, Any], *, record: bool = True
    ) -> Reply:
        return await self.call(
            "POST", f"/v2/leaderboard/{self.board(kind)}", json=body, auth=role, record=record
        )

    async def logins(self, roles: Iterable[str]) -> list[User]:
        return [await self.login(role) for role in roles]

    # -- normalising ---------------------------------------------------------------------------

    def _exchange(self, method: str, path: str, note: str, reply: Reply) -> Exchange:
        headers = {
            name: _header_value(name, reply.headers)
            for name in COMPARED_HEADERS
            if _header_value(name, reply.headers) is not None
        }
        if reply.body is not None:
            body = self.normalise(reply.body)
        else:
            body = reply.raw.decode("utf-8", "replace")
        shown = _CURSOR_PARAM.sub(r"\1<cursor>", path)  # each server's cursors are its own
        request = f"{method} {self.text(shown)}" + (f"  ({note})" if note else "")
        return {
            "request": request,
            "status": reply.status,
            "headers": headers,
            "body": body,
            "_raw_headers": dict(reply.headers),
            "_raw_body": _text(reply.raw),
        }

    def normalise(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.normalise(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.normalise(v, key) for v in value]
        if not isinstance(value, str):
            return value
        if key in _CURSOR_KEYS and value:
            return "<cursor>"
        if key.endswith("_time") and _RFC3339.match(value):
            return "<time>"
        if _JWT.match(value):
            return {"<jwt>": self._jwt(value)}
        if len(value) > _LONG:
            digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            return f"{self.text(value[:60])}...<{len(value)} chars, sha256 {digest}>"
        generated = key in ("usn", "username") and _GENERATED_USERNAME.match(value)
        if generated and value not in self._placeholders:
            return "<generated username>"  # both servers make 10 random ASCII letters
        return self.text(value)

    def text(self, value: str) -> str:
        """A string with known values replaced (exactly, or inside messages and paths)."""
        if value in self._placeholders:
            return self._placeholders[value]
        for known, placeholder in sorted(self._placeholders.items(), key=lambda kv: -len(kv[0])):
            if len(known) >= 6 and known in value:
                value = value.replace(known, placeholder)
        return _UUID.sub("<uuid>", value)

    def _jwt(self, token: str) -> dict[str, Any]:
        try:
            claims = claims_of(token)
        except (ValueError, binascii.Error):
            return {"unreadable": True}
        out: dict[str, Any] = {}
        for name, value in sorted(claims.items()):
            if name in ("exp", "iat", "nbf"):
                out[name] = "<epoch>" if isinstance(value, int) else value
            elif name == "tid" and isinstance(value, str):
                number = self._tids.setdefault(value, len(self._tids) + 1)
                shape = "uuid" if _is_uuid(value) else "other"
                out[name] = f"<tid#{number} {shape}>"
            else:
                out[name] = self.normalise(value, name)
        return out


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _header_value(name: str, headers: Mapping[str, str]) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            if name == "content-type":
                return value.split(";")[0].strip().lower()
            return value
    return None


def _text(raw: bytes, limit: int = 1500) -> str:
    text = raw[:limit].decode("utf-8", "backslashreplace")
    return text + (f"... ({len(raw)} bytes)" if len(raw) > limit else "")


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers for a dump: tokens shortened (they are throwaway, but long)."""
    out = {}
    for name, value in headers.items():
        scheme, _, credential = value.partition(" ")
        if name.lower() == "authorization" and len(credential) > 24:
            value = f"{scheme} {credential[:12]}...{credential[-6:]}"
        out[name] = value
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _loads(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None
