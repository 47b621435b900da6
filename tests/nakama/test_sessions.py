"""Sessions through the public ``Client`` on both servers: refresh, logout (after which the refresh
token is dead), re-authentication, the ``session_updated`` hook and persistence in ``data_dir``."""

from __future__ import annotations

import asyncio
import base64
import stat
from pathlib import Path

import aiohttp
import pytest

from gameservices import Client, Session, SessionExpired

from .support import Target, device_id


async def test_refresh_gives_a_working_session(target: Target) -> None:
    async with target.client() as client:
        first = await client.auth.device(device_id())
        refreshed = await client.auth.refresh()
        assert client.session is refreshed
        assert (refreshed.user_id, refreshed.username) == (first.user_id, first.username)
        assert refreshed.expires_at >= first.expires_at
        await client.leaderboards.list("gs_best_desc", limit=1)  # the new token is accepted


async def test_logout_revokes_the_refresh_token(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        await client.auth.logout()
        assert client.session is None
        await client.auth.adopt(session)  # try the tokens the logout revoked
        with pytest.raises(SessionExpired):
            await client.auth.refresh()
        assert client.session is None


async def test_logout_revokes_the_session_token(target: Target) -> None:
    async with target.client() as client:
        session = await client.auth.device(device_id())
        await client.auth.logout()
        await client.auth.adopt(session)
        # The call gets 401, the client refreshes once, the refresh gets 401: the session is over.
        with pytest.raises(SessionExpired):
            await client.leaderboards.list("gs_best_desc", limit=1)
        assert client.session is None


async def test_logout_without_a_session_does_nothing(target: Target) -> None:
    async with target.client() as client:
        await client.auth.logout()
        assert client.session is None


async def test_reauthenticate_replaces_a_dead_session(target: Target) -> None:
    device = device_id()
    logins: list[str] = []

    async def log_in_again(client: Client) -> None:
        logins.append(device)
        await client.auth.device(device, create=False)

    async with target.client(reauthenticate=log_in_again) as client:
        session = await client.auth.device(device)
        await client.auth.logout()
        await client.auth.adopt(session)  # revoked on the server
        page = await client.leaderboards.list("gs_best_desc", limit=1)
        assert page is not None
        assert logins == [device]
        assert client.session is not None
        assert client.session.user_id == session.user_id
        assert client.session.token != session.token


async def test_session_updated_reports_every_change(target: Target) -> None:
    seen: list[Session | None] = []
    async with target.client(session_updated=seen.append) as client:
        login = await client.auth.device(device_id())
        refreshed = await client.auth.refresh()
        await client.auth.logout()
    assert seen == [login, refreshed, None]


async def test_session_persists_in_data_dir(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as first:
        session = await first.auth.device(device_id())
    path = tmp_path / "session.json"
    mode = (await asyncio.to_thread(path.stat)).st_mode
    assert stat.S_IMODE(mode) == 0o600
    async with target.client(data_dir=tmp_path) as second:
        restored = await second.auth.restore()
        assert restored is not None
        assert (restored.user_id, restored.token) == (session.user_id, session.token)
        await second.leaderboards.list("gs_best_desc", limit=1)  # the restored token works
        await second.auth.logout()
    assert not await asyncio.to_thread(path.exists)
    async with target.client(data_dir=tmp_path) as third:
        assert await third.auth.restore() is None


async def test_a_refreshed_session_is_persisted(target: Target, tmp_path: Path) -> None:
    async with target.client(data_dir=tmp_path) as first:
        await first.auth.device(device_id())
        refreshed = await first.auth.refresh()
    async with target.client(data_dir=tmp_path) as second:
        restored = await second.auth.restore()
        assert restored is not None
        assert (restored.token, restored.refresh_token) == (
            refreshed.token,
            refreshed.refresh_token,
        )


async def test_logout_with_refresh_token_in_lower_camel_case_revokes_it(target: Target) -> None:
    """A security regression test, raw HTTP: some clients name the field ``refreshToken``
    (protojson's JSON name). The reference server once ignored it, so the refresh token outlived
    the logout; Nakama revokes it."""
    basic = "Basic " + base64.b64encode(f"{target.server_key}:".encode()).decode()
    async with aiohttp.ClientSession() as http:
        login = f"{target.url}/v2/account/authenticate/device"
        async with http.post(
            login, json={"id": device_id()}, headers={"Authorization": basic}
        ) as r:
            assert r.status == 200
            session = await r.json()
        logout = {"token": session["token"], "refreshToken": session["refresh_token"]}
        bearer = {"Authorization": "Bearer " + session["token"]}
        async with http.post(f"{target.url}/v2/session/logout", json=logout, headers=bearer) as r:
            assert r.status == 200
        refresh = f"{target.url}/v2/account/session/refresh"
        body = {"token": session["refresh_token"]}
        async with http.post(refresh, json=body, headers={"Authorization": basic}) as r:
            assert (r.status, (await r.json())["message"]) == (
                401,
                "Refresh token invalid or expired.",
            )
