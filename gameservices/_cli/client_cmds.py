"""``gameservices login | top | around | submit | outbox``: a player's view from the terminal.

Invariants: every command runs one ``Client`` in ``asyncio.run`` and closes it; the session and
the outbox live in the server's profile directory (``profile.py``); ``--json`` prints one JSON
document on stdout, otherwise tables (rich with the ``cli`` extra, plain text without it); every
failure is one line on stderr (``gameservices: error: ...``) and exit code 1 (2 for bad
arguments), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yarl import URL

from .._config import RetryPolicy
from .._exceptions import GameServicesError, RequestTimeout, UsageError
from .._protocol.urls import check_base_url, check_url
from .common import (
    EXIT_USAGE,
    Screen,
    add_connection_flags,
    add_json_flag,
    connection,
    emit_json,
    fail,
)
from .logs import collect_logs
from .profile import add_data_dir_flag, device_id, profile_dir
from .tables import Column, TextTable

__all__ = ["register"]

DEFAULT_FLUSH_TIMEOUT = 10.0


@dataclass(frozen=True)
class Output:
    """What a command produced: a JSON document and how to show it to people."""

    doc: dict[str, Any]
    show: Callable[[Screen], None]


Action = Callable[[Any, argparse.Namespace, Path], Awaitable[Output]]


def register(sub: Any) -> None:
    p = _parser(sub, "login", "log in (device id by default) and save the session", _login)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--device", metavar="ID", help="device id (default: one made for this dir)")
    who.add_argument("--custom", metavar="ID", help="your own account id")
    who.add_argument("--email", help="email address (with --password)")
    p.add_argument("--password", help="password for --email")
    p.add_argument("--username", help="username for a new account")
    p.add_argument("--no-create", action="store_true", help="fail if the account does not exist")
    for name, what, limit in (
        ("top", "the top of a leaderboard", 10),
        ("around", "the records around you (or --owner)", 5),
    ):
        p = _parser(sub, name, f"show {what}", _top if name == "top" else _around)
        p.add_argument("board", help="leaderboard id")
        p.add_argument("--limit", type=int, default=limit, help=f"how many records ({limit})")
        if name == "around":
            p.add_argument("--owner", metavar="USER_ID", help="center on this user instead")
    p = _parser(sub, "submit", "submit a score through the durable outbox", _submit)
    p.add_argument("board", help="leaderboard id")
    p.add_argument("score", type=int, help="the score (an int64)")
    p.add_argument("--subscore", type=int, default=0, help="tie-breaker (default 0)")
    p.add_argument("--operator", choices=("best", "set", "incr", "decr"), help="override")
    p.add_argument("--metadata", type=_json_object, help="JSON object stored with the record")
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_FLUSH_TIMEOUT,
        help="seconds to wait for delivery (the score stays queued)",
    )
    p = _parser(
        sub, "outbox", "list scores and events queued for delivery (--flush sends them)", _outbox
    )
    p.add_argument("--flush", action="store_true", help="deliver what is pending now")
    p.add_argument(
        "--purge-dead",
        action="store_true",
        help="forget the dead letters (entries the server refused for good)",
    )
    p.add_argument("--timeout", type=float, default=DEFAULT_FLUSH_TIMEOUT, help="for --flush")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, like '{\"level\": 2}'")
    return value


def _parser(sub: Any, name: str, help_text: str, action: Action) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    add_connection_flags(p)
    add_data_dir_flag(p)
    add_json_flag(p)
    p.add_argument("--retries", type=int, default=2, help="resends on connect errors/5xx (2)")
    p.set_defaults(handler=lambda args: _run(args, action))
    return p


def _run(args: argparse.Namespace, action: Action) -> int:
    from .._client.client import Client  # here, so `--help` stays fast

    url, key = connection(args)
    if args.retries < 0:
        return fail("--retries must be >= 0", EXIT_USAGE)
    try:
        check_base_url(URL(url))  # a bad --url is the caller's: exit 2
        check_url(URL(url), allow_insecure=args.allow_insecure, remedy="--allow-insecure")
    except (GameServicesError, ValueError) as exc:
        return fail(exc, EXIT_USAGE)

    async def main() -> Output:
        profile = profile_dir(args, url)
        retry = RetryPolicy(max_attempts=args.retries + 1)
        async with Client(
            url, server_key=key, data_dir=profile, retry=retry, allow_insecure=args.allow_insecure
        ) as client:
            return await action(client, args, profile)

    try:
        with collect_logs():  # the one-line error below says what matters
            out = asyncio.run(main())
    except (GameServicesError, OSError) as exc:
        return fail(_describe(exc))
    except ValueError as exc:  # refused locally before anything was sent
        return fail(exc, EXIT_USAGE)
    if args.json:
        emit_json(out.doc)
    else:
        out.show(Screen())
    return 0


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, (UsageError, GameServicesError)) else f"{text} ({exc!r})"


async def _need_session(client: Any) -> Any:
    session = await client.auth.restore()
    if session is None:
        raise UsageError(f"not logged in to {client.base_url}: run 'gameservices login' first")
    return session


# -- actions ---------------------------------------------------------------------------------


async def _login(client: Any, args: argparse.Namespace, profile: Path) -> Output:
    create, name = not args.no_create, args.username
    if args.email:
        if not args.password:
            raise ValueError("--email needs --password")
        session = await client.auth.email(args.email, args.password, create=create, username=name)
    elif args.custom:
        session = await client.auth.custom(args.custom, create=create, username=name)
    else:
        device = args.device or await asyncio.to_thread(device_id, profile)
        session = await client.auth.device(device, create=create, username=name)
    doc = {
        "user_id": session.user_id,
        "username": session.username,
        "created": session.created,
        "expires_at": session.expires_at.isoformat(),
        "profile": str(profile),
    }

    def show(screen: Screen) -> None:
        new = "new account" if session.created else "existing account"
        screen.say(
            f"logged in as {session.username} ({new}, id {session.user_id}); "
            f"session saved in {profile}"
        )

    return Output(doc, show)


def _page_output(board: str, title: str, page: Any, me: str) -> Output:
    from .tables import record_json, records_table

    doc = {
        "board": board,
        "records": [record_json(r) for r in page.records],
        "next_cursor": page.next_cursor,
        "rank_count": page.rank_count,
    }

    def show(screen: Screen) -> None:
        screen.table(records_table(title, page.records, me))

    return Output(doc, show)


async def _top(client: Any, args: argparse.Namespace, profile: Path) -> Output:
    me = (await _need_session(client)).user_id
    page = await client.leaderboards.list(args.board, limit=args.limit)
    return _page_output(args.board, f"{args.board}: top {args.limit}", page, me)


async def _around(client: Any, args: argparse.Namespace, profile: Path) -> Output:
    me = (await _need_session(client)).user_id
    page = await client.leaderboards.around(args.board, args.owner, limit=args.limit)
    who = "you" if args.owner is None else args.owner
    return _page_output(args.board, f"{args.board}: around {who}", page, me)


async def _flush(client: Any, timeout: float, what: str = "the score stays") -> None:
    """Flush the outbox; a timeout names the last delivery error (e.g. connection refused)."""
    try:
        await client.outbox.flush(timeout=timeout)
    except RequestTimeout:
        why = client.outbox.last_error
        reason = f" ({why})" if why is not None else " (no answer from the server yet)"
        raise RequestTimeout(
            f"not delivered within {timeout:g} s{reason}; {what} "
            "queued ('gameservices outbox --flush' sends it)"
        ) from None


async def _submit(client: Any, args: argparse.Namespace, profile: Path) -> Output:
    me = (await _need_session(client)).user_id
    sub = await client.leaderboards.submit(
        args.board,
        args.score,
        subscore=args.subscore,
        metadata=args.metadata,
        operator=args.operator,
    )
    await _flush(client, args.timeout)
    page = await client.leaderboards.list(args.board, limit=1, owner_ids=[me])
    mine = page.owner_records[0] if page.owner_records else None
    from .tables import record_json

    doc = {
        "board": args.board,
        "seq": sub.seq,
        "delivered": True,
        "record": record_json(mine) if mine is not None else None,
    }

    def show(screen: Screen) -> None:
        where = f": rank {mine.rank}, score {mine.score:,}" if mine is not None else ""
        screen.say(f"submitted {args.score:,} to {args.board}{where}")

    return Output(doc, show)


async def _outbox(client: Any, args: argparse.Namespace, profile: Path) -> Output:
    if args.flush:
        await _flush(client, args.timeout, "what was pending stays")
    purged = await client.outbox.purge_dead_letters() if args.purge_dead else None
    pending, dead = await client.outbox.pending(), await client.outbox.dead_letters()
    doc: dict[str, Any] = {
        "pending": [_entry_json(e) for e in pending],
        "dead": [_entry_json(e) for e in dead],
    }
    if purged is not None:
        doc["purged"] = purged

    def show(screen: Screen) -> None:
        if purged is not None:
            screen.say(f"forgot {purged} dead letter{'' if purged == 1 else 's'}")
        screen.table(_outbox_table(profile, pending, dead))

    return Output(doc, show)


def _outbox_table(profile: Path, pending: list[Any], dead: list[Any]) -> TextTable:
    rows = [
        (
            str(e.seq), _target(e), *_score_cells(e), str(e.attempts),
            ("dead: " if e.dead else "") + (e.last_error or "pending"),
        )
        for e in [*pending, *dead]
    ]  # fmt: skip
    names = ("#", "board", "score", "operator", "attempts", "state / last error")
    caption = None
    if not rows:
        caption = "(empty: everything queued was delivered)"
    elif dead:
        caption = (
            "dead letters were refused for good: 'gameservices outbox --purge-dead' forgets them"
        )
    return TextTable(f"outbox in {profile}", [Column(n) for n in names], rows, caption=caption)


def _target(e: Any) -> str:
    """A leaderboard's id as is; a tournament or an event says so (a narrow table)."""
    return e.board if e.kind == "leaderboard" else f"{e.kind} {e.board}"


def _score_cells(e: Any) -> tuple[str, str]:
    """An event has no score nor operator: blank cells, not a misleading 0."""
    return ("", "") if e.kind == "event" else (f"{e.score:,}", e.operator or "default")


def _entry_json(e: Any) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "board": e.board,
        "score": e.score,
        "subscore": e.subscore,
        "operator": e.operator,
        "attempts": e.attempts,
        "last_error": e.last_error,
        "dead": e.dead,
    }
