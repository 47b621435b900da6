"""The RPC wire rules (``_protocol.rpc``): the payload encoded once, the answer decoded once."""

from __future__ import annotations

import json

import pytest

from gameservices import ProtocolError
from gameservices._protocol.rpc import (
    BAD_PAYLOAD,
    encode_payload,
    function_error_code,
    parse_rpc,
    read_payload,
    rpc_request,
)


def test_the_body_is_a_json_string_holding_the_payloads_json() -> None:
    body = encode_payload({"a": [1, "é"]})
    assert body == b'"{\\"a\\":[1,\\"\xc3\xa9\\"]}"'
    assert json.loads(json.loads(body)) == {"a": [1, "é"]}
    assert read_payload(body, unwrap=False) == '{"a":[1,"é"]}'


def test_a_request_with_a_session_and_one_with_the_http_key() -> None:
    with_session = rpc_request("gs_echo", [1])
    assert (with_session.method, with_session.path, with_session.auth) == (
        "POST",
        "/v2/rpc/gs_echo",
        "bearer",
    )
    assert not with_session.idempotent
    keyed = rpc_request("a/b", None, http_key="k3y")
    assert (keyed.path, keyed.auth, keyed.body, keyed.query) == ("/v2/rpc/a%2Fb", "basic", None, ())
    assert keyed.headers["Authorization"] == "Basic azN5Og=="  # base64("k3y:")
    assert "k3y" not in repr(keyed)


@pytest.mark.parametrize("bad", ["", None, 5])
def test_an_rpc_id_must_be_a_non_empty_string(bad: object) -> None:
    with pytest.raises(ValueError, match="must be a non-empty string"):
        rpc_request(bad)  # type: ignore[arg-type]  # on purpose


def test_the_answer_is_read_once() -> None:
    assert parse_rpc({"payload": '{"a":1}'}) == {"a": 1}
    assert parse_rpc({"payload": ""}) is None
    assert parse_rpc({}) is None
    with pytest.raises(ProtocolError, match="not JSON text"):
        parse_rpc({"payload": "plain words"})
    with pytest.raises(ProtocolError):
        parse_rpc({"payload": {"a": 1}})


@pytest.mark.parametrize("body", [b'{"a":1}', b"[1]", b"12", b"true", b"nope", b'"x" 1'])
def test_a_body_that_is_not_a_json_string_is_refused_with_nakamas_text(body: bytes) -> None:
    with pytest.raises(ValueError, match="^" + BAD_PAYLOAD + "$"):
        read_payload(body, unwrap=False)


def test_unwrap_null_empty_and_broken_text() -> None:
    assert read_payload(b'{"raw":1}', unwrap=True) == '{"raw":1}'
    assert read_payload(b"", unwrap=False) == ""
    assert read_payload(b"null", unwrap=False) == ""
    assert read_payload(b'"\\ud800x"', unwrap=False) == "\ufffdx"
    assert read_payload(b'"\xff"', unwrap=False) == "\ufffd"


@pytest.mark.parametrize(("given", "sent"), [(3, 3), (16, 16), (0, 13), (17, 13), (True, 13)])
def test_a_functions_code_is_a_grpc_code_or_internal(given: object, sent: int) -> None:
    assert function_error_code(given) == sent
