"""The recorded exchanges beyond logins, leaderboards and storage (``record.py`` runs them):
account and users, friends, groups and their channel history, notifications, tournaments,
matches, events and server functions.

Every request is built by the client's builders, like ``record.py``'s; ``TOURNAMENT`` and
``RPC`` are what the recording server is configured with. Nothing here reads a clock: times come
from the server's fixed one, so every byte is the same on each run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from gameservices._protocol import accounts as account_wire
from gameservices._protocol import chat_history, events, matches, notifications, rpc
from gameservices._protocol import friends as friend_wire
from gameservices._protocol import groups as group_wire
from gameservices._protocol import tournaments as tournament_wire
from gameservices._protocol.jwt import decode_claims
from gameservices.server import Tournament
from gameservices.server.rpc import RpcContext, RpcHandler

if TYPE_CHECKING:
    from .record import _Recorder

__all__ = ["HTTP_KEY", "RPC", "TOURNAMENT", "record_play", "record_social"]

TOURNAMENT = Tournament("sample_cup", 86_400, title="Sample cup", category=2, join_required=True)


def _echo(context: RpcContext, payload: str) -> str:
    return payload


RPC: dict[str, RpcHandler] = {"sample_echo": _echo}
HTTP_KEY = "httpkey"  # the recording server's runtime key


async def record_social(r: _Recorder, tokens: Mapping[str, str]) -> None:
    """Account, users, friends, groups (with the history of the group's channel), and the
    notification the friend invite made."""
    ada, bob = tokens["ada"], tokens["bob"]
    ada_id, bob_id = decode_claims(ada).user_id, decode_claims(bob).user_id
    update = account_wire.update_account(display_name="Ada L.", location="Paris")
    await r.send("account_update", update, ada)
    await r.send("error_account_update_empty", account_wire.update_account(), ada)
    await r.send("account_get", account_wire.get_account(), ada)
    await r.send("users_get", account_wire.get_users(ids=[ada_id], usernames=["bob"]), bob)
    await r.send("friends_add", friend_wire.add_friends(ids=[bob_id]), ada)
    await r.send("friends_list_invited", friend_wire.list_friends(), bob)
    await r.send("friends_add_accept", friend_wire.add_friends(usernames=["ada"]), bob)
    await r.send("friends_list", friend_wire.list_friends(limit=10), ada)
    await r.send("notifications_list", notifications.list_notifications(limit=10), bob)
    group = await r.send("group_create", group_wire.create_group("Sample guild"), ada)
    group_id = group.json()["id"]
    again = group_wire.create_group("Sample guild")
    await r.send("error_group_name_taken", again, bob)
    await r.send("group_join", group_wire.group_action(group_id, "join"), bob)
    await r.send("groups_list", group_wire.list_groups("Sample%", limit=10), bob)
    await r.send("group_users_list", group_wire.list_group_users(group_id), ada)
    history = chat_history.list_messages(f"3.{group_id}..", limit=10)
    await r.send("channel_messages", history, ada)


async def record_play(r: _Recorder, tokens: Mapping[str, str]) -> None:
    """Tournaments, matches, events and a server function."""
    ada, bob = tokens["ada"], tokens["bob"]
    cup = TOURNAMENT.id
    await r.send("tournaments_list", tournament_wire.list_tournaments(category_start=2), ada)
    await r.send("tournament_join", tournament_wire.join_tournament(cup), ada)
    write = tournament_wire.write_tournament_record(cup, 70, idempotency_key="cup-key-0001")
    await r.send("tournament_write_record", write, ada)
    await r.send(
        "error_tournament_not_joined",
        tournament_wire.write_tournament_record(cup, 9, idempotency_key="cup-key-0002"),
        bob,
    )
    records = tournament_wire.list_tournament_records(cup, limit=5)
    await r.send("tournament_records", records, bob)
    await r.send("match_list_empty", matches.list_matches(matches.MatchFilter(limit=10)), ada)
    event = events.send_event("level_done", {"level": "3"}, 1_800_000_000.0)
    await r.send("event_send", event, ada)
    await r.send("rpc_echo", rpc.rpc_request("sample_echo", {"hello": "world"}), ada)
    await r.send("rpc_echo_http_key", rpc.rpc_request("sample_echo", [1, 2], http_key=HTTP_KEY))
    await r.send("error_rpc_unknown", rpc.rpc_request("sample_nope"), ada)
