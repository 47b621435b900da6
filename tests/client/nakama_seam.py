"""A scripted Nakama-shaped handler for ``MockTransport``, for what the reference server cannot
produce on demand: a server clock that shows in the ``Date`` header, exact refresh counts and
scripted failures. Happy paths run against the real ``ReferenceServer`` instead."""

from __future__ import annotations

import base64
import email.utils
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from gameservices import HttpRequest, HttpResponse
from gameservices.testing import json_response


def jwt(claims: dict[str, object]) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


Script = Callable[[HttpRequest], HttpResponse | None]


@dataclass
class NakamaSeam:
    """Mints tokens against ``now`` (its clock) and stamps ``Date`` with it."""

    now: float = 1_800_000_000.0
    token_expiry: int = 3600
    refresh_expiry: int = 7200
    calls: Counter[str] = field(default_factory=Counter)
    scripts: list[Script] = field(default_factory=list)  # first non-None answer wins
    issued: list[str] = field(default_factory=list)
    seen_auth: list[str] = field(default_factory=list)
    serial: int = 0

    def session_body(self) -> dict[str, object]:
        self.serial += 1
        claims = {"uid": "user-1", "usn": "ada", "vrs": {}, "n": self.serial}
        token = jwt({**claims, "exp": int(self.now) + self.token_expiry})
        refresh = jwt({"uid": "user-1", "usn": "ada", "exp": int(self.now) + self.refresh_expiry})
        self.issued += [token, refresh]
        return {"token": token, "refresh_token": refresh}

    def error(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        return json_response({"code": code, "message": message}, status, headers)

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.url.path
        self.calls[f"{request.method} {path}"] += 1
        self.seen_auth.append(request.headers.get("Authorization", ""))
        for script in self.scripts:
            answer = script(request)
            if answer is not None:
                return self.stamp(answer)
        if path.startswith(("/v2/account/authenticate/", "/v2/account/session/refresh")):
            return self.stamp(json_response(self.session_body()))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.issued or self.expired(token):
            return self.stamp(self.error(401, 16, "Auth token invalid"))
        if request.method == "POST" and path.startswith("/v2/leaderboard/"):
            record = {"leaderboard_id": "kills", "owner_id": "user-1", "score": "1", "rank": "1"}
            return self.stamp(json_response(record))
        return self.stamp(json_response({"records": [], "rank_count": "0"}))

    def expired(self, token: str) -> bool:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return bool(claims["exp"] <= self.now)

    def stamp(self, resp: HttpResponse) -> HttpResponse:
        date = email.utils.formatdate(self.now, usegmt=True)
        return resp._replace(headers={**resp.headers, "Date": date})
