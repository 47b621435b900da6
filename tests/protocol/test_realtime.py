"""The realtime envelope and messages against frames recorded from Nakama 3.40."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gameservices._protocol import realtime as rt

# Frames as Nakama 3.40 sent them (ids shortened).
RECORDED = [
    '{"cid":"1","channel":{"id":"2...lobby","self":{"user_id":"u1","session_id":"s1",'
    '"username":"ann","persistence":true},"room_name":"lobby"}}',
    '{"channel_message":{"channel_id":"2...lobby","message_id":"m1","code":0,"sender_id":"u1",'
    '"username":"ann","content":"{\\"a\\": 1,\\"b\\":2}",'
    '"create_time":"2026-12-02T18:35:43.127665803Z",'
    '"update_time":"2026-12-02T18:35:43.127665803Z","persistent":true,"room_name":"lobby"}}',
    '{"status_presence_event":{"joins":[{"user_id":"u1","session_id":"s1","username":"ann",'
    '"status":"hi"}],"leaves":[{"user_id":"u1","session_id":"s1","username":"ann","status":""}]}}',
    '{"match_data":{"match_id":"m.","presence":{"user_id":"u2","session_id":"s2","username":"bo"},'
    '"op_code":"7","data":"aGk=","reliable":true}}',
    '{"cid":"1","match":{"match_id":"m.","size":1,"self":{"user_id":"u1","session_id":"s1",'
    '"username":"ann"}}}',
    '{"error":{"code":3,"message":"Invalid match ID"}}',
    '{"cid":"9","error":{"code":6,"message":"RPC function not found"}}',
    '{"cid":"4","pong":{}}',
]


@pytest.mark.parametrize("frame", RECORDED)
def test_recorded_frames_read_and_write_back_the_same(frame: str) -> None:
    env = rt.decode(frame)
    again = rt.encode(env.message, env.cid)
    assert _content_parsed(json.loads(again)) == _content_parsed(json.loads(frame))


def _content_parsed(obj: dict[str, Any]) -> dict[str, Any]:
    """Chat content is JSON text: compared as the object it holds (spacing may differ)."""
    for body in obj.values():
        if isinstance(body, dict) and "content" in body:
            body["content"] = json.loads(body["content"])
    return obj


def test_match_data_encodings() -> None:
    env = rt.decode(RECORDED[3])
    assert env.name == "match_data"
    assert (env.message.op_code, env.message.data, env.message.reliable) == (7, b"hi", True)
    out = json.loads(rt.encode(rt.MatchDataSend("m.", 300, b"\x00\xff"), "5"))
    assert out == {
        "cid": "5",
        "match_data_send": {"match_id": "m.", "op_code": "300", "data": "AP8="},
    }


def test_chat_content_is_json_text_and_false_is_omitted() -> None:
    out = json.loads(rt.encode(rt.ChannelMessageSend("c", '{"msg":"hi"}')))
    assert out == {"channel_message_send": {"channel_id": "c", "content": '{"msg":"hi"}'}}
    msg = rt.decode(RECORDED[1]).message
    assert msg.content == {"a": 1, "b": 2}
    assert msg.code == 0
    join = json.loads(rt.encode(rt.ChannelJoin("lobby", 1, persistence=False)))
    assert join == {"channel_join": {"target": "lobby", "type": 1, "persistence": False}}


def test_a_bare_reply_and_unknown_messages() -> None:
    assert rt.decode('{"cid":"6"}') == rt.Envelope("6", "", None)
    assert rt.decode('{"stream_data":{"data":"x"}}') == rt.Envelope("", "stream_data", None)
    party = rt.decode('{"party":{"party_id":"p"}}')
    assert party == rt.Envelope("", "party", rt.Party("p"))


@pytest.mark.parametrize(
    "frame",
    [
        "[]",
        "{not json",
        '{"cid":5,"ping":{}}',
        '{"ping":{},"pong":{}}',
        '{"match_data":{"op_code":"x"}}',
        '{"match_data":{"data":"%%"}}',
        '{"channel":{"presences":{}}}',
        b"\xff",
    ],
)
def test_malformed_frames_are_value_errors(frame: str | bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # each message differs; the type is the rule
        rt.decode(frame)


def test_camel_case_names_are_read_too() -> None:
    env = rt.decode('{"matchmaker_add":{"minCount":2,"maxCount":4,"stringProperties":{"a":"b"}}}')
    assert env.message == rt.MatchmakerAdd(2, 4, string_properties={"a": "b"})
