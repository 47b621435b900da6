"""Fuzz the reference server against its own OpenAPI document (schemathesis), every operation.

Each operation gets data that fits the document and data that does not (schemathesis' positive
and negative modes), sent with valid credentials: the server key on Basic routes, a fresh
session token on Bearer routes. Most generated board ids, owner ids and asset names are swapped
for ones that exist, so writes, lists and downloads run for real rather than ending in 404.

What must hold for every answer: no 5xx; its status and content type are documented for the
operation; its body and headers conform to the documented schema; a method the path does not
take gets 405 with an ``Allow`` header that names the ones it does.

Bounded and deterministic: ``derandomize`` fixes Hypothesis' seed, no example database is kept,
and each operation runs at most ``EXAMPLES`` examples (a few seconds).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from gameservices.server import DEMO_BOARDS
from gameservices.server.openapi import openapi_document
from gameservices.testing.threaded import ServerThread

EXAMPLES = 30
DOCUMENT = openapi_document()
BOARDS = [board.id for board in DEMO_BOARDS]
ASSETS = {"readme.txt": b"hello, fuzzer\n", "levels/level1.bin": bytes(range(256)) * 4}
BASIC = "Basic " + base64.b64encode(b"defaultkey:").decode()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
    allow_header_conformance,
]

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    # Credentials are ours to send (valid ones), not generated.
    with_security_parameters=False,
)


def _echo(_context: Any, payload: str) -> str:
    return payload


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("fuzz-assets")
    for name, data in ASSETS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    with ServerThread(assets_dir=Path(root), rpc={"echo": _echo}) as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _security(case: Case) -> list[dict[str, Any]]:
    operation = DOCUMENT["paths"][case.operation.path][case.operation.method.lower()]
    security: list[dict[str, Any]] = operation.get("security", DOCUMENT["security"])
    return security


def _login(http: requests.Session, url: str) -> tuple[str, str]:
    """A fresh player: (session token, user id)."""
    reply = http.post(
        f"{url}/v2/account/authenticate/device",
        json={"id": f"gs-fuzz-{uuid.uuid4().hex}"},
        headers={"Authorization": BASIC},
        timeout=10,
    )
    reply.raise_for_status()
    token = reply.json()["token"]
    claims = base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()
    return token, claims.split('"uid":"')[1].split('"')[0]


def _pick(value: object, choices: list[str]) -> str | None:
    """One of ``choices`` for three generated values in four (chosen by the value's digest, so
    the run stays deterministic); None to keep the generated one."""
    digest = hashlib.sha256(repr(value).encode()).digest()
    return None if digest[0] % 4 == 0 else choices[digest[1] % len(choices)]


def _aim(case: Case, user_id: str) -> None:
    """Point generated path parameters at things that exist, most of the time."""
    params = case.path_parameters or {}
    for name, choices in (
        ("leaderboard_id", BOARDS),
        ("owner_id", [user_id]),
        ("name", list(ASSETS)),
        ("id", ["echo"]),
    ):
        if name in params and (chosen := _pick(params[name], choices)) is not None:
            params[name] = chosen


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_server_answers_as_its_openapi_document_says(
    case: Case, server: ServerThread, http: requests.Session
) -> None:
    security = _security(case)
    headers: dict[str, str] = {}
    user_id = str(uuid.uuid4())
    if {"basic": []} in security:
        headers["Authorization"] = BASIC
    elif {"bearer": []} in security:
        token, user_id = _login(http, server.url)
        headers["Authorization"] = "Bearer " + token
    _aim(case, user_id)
    case.call_and_validate(base_url=server.url, session=http, headers=headers, checks=CHECKS)
