"""Session values and their file: decoded claims, no tokens in repr, atomic 0600 persistence."""

from __future__ import annotations

import asyncio
import base64
import errno
import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gameservices import ProtocolError, Session
from gameservices._client.session import SESSION_FILE, SessionStore, write_private


def jwt(claims: dict[str, object]) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


TOKEN = jwt({"uid": "u-1", "usn": "ada", "vrs": {"k": "v"}, "exp": 2_000_000_000})
REFRESH = jwt({"uid": "u-1", "usn": "ada", "exp": 2_000_600_000})


def test_session_decodes_claims_and_hides_tokens() -> None:
    session = Session.from_tokens(TOKEN, REFRESH, created=True)
    assert (session.user_id, session.username, dict(session.vars)) == ("u-1", "ada", {"k": "v"})
    assert session.expires_at == datetime.fromtimestamp(2_000_000_000, timezone.utc)
    assert session.refresh_expires_at.tzinfo is timezone.utc
    assert session.created
    assert TOKEN not in repr(session)
    assert REFRESH not in repr(session)
    assert session.expires_within(300, now=2_000_000_000 - 299)
    assert not session.expires_within(300, now=2_000_000_000 - 301)
    assert session.refresh_expired(now=2_000_600_000)


def test_malformed_token_is_protocol_error_without_the_token() -> None:
    with pytest.raises(ProtocolError) as info:
        Session.from_tokens("not-a-jwt-secret", REFRESH)
    assert "not-a-jwt-secret" not in str(info.value)


async def test_store_round_trip_atomic_and_private(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "data")
    assert await store.load() is None
    session = Session.from_tokens(TOKEN, REFRESH, created=True)
    await store.save(session)
    path = tmp_path / "data" / SESSION_FILE
    mode = (await asyncio.to_thread(path.stat)).st_mode
    assert stat.S_IMODE(mode) == 0o600
    names = await asyncio.to_thread(lambda: [p.name for p in path.parent.iterdir()])
    assert names == [SESSION_FILE]  # no temp file left behind
    assert await store.load() == session
    await store.save(None)
    assert not await asyncio.to_thread(path.exists)


async def test_damaged_file_reads_as_no_session(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    await asyncio.to_thread(store.path.write_text, "{not json")
    assert await store.load() is None
    bad = json.dumps({"format": 1, "token": "x.y.z", "refresh_token": "a"})
    await asyncio.to_thread(store.path.write_text, bad)
    assert await store.load() is None


def test_short_writes_and_no_fchmod_still_give_a_whole_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows' Python 3.10 (UPBGE) has no os.fchmod; os.write may write only part of a buffer."""
    real_write = os.write
    monkeypatch.delattr(os, "fchmod", raising=False)
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    data = json.dumps(Session.from_tokens(TOKEN, REFRESH).to_json()).encode()
    write_private(tmp_path / SESSION_FILE, data)
    assert (tmp_path / SESSION_FILE).read_bytes() == data
    assert stat.S_IMODE((tmp_path / SESSION_FILE).stat().st_mode) == 0o600


def test_a_failed_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_private(tmp_path / SESSION_FILE, b"{}")
    assert list(tmp_path.iterdir()) == []
