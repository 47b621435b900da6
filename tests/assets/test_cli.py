"""``gameservices download``: JSON output, env fallbacks, one-line errors and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import pytest

from gameservices._cli import main
from gameservices._cli.common import add_connection_flags, connection

from .conftest import SiteFactory, blob, read

FILES = {"a.pak": blob(50_000, seed=1), "levels/b.pak": blob(70_000, seed=2)}


@pytest.fixture
def published(site_dir: Path) -> dict[str, bytes]:
    for name, data in FILES.items():
        (site_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / name).write_bytes(data)
    return FILES


def base_of(url: object) -> str:
    return str(url).removesuffix("/assets/")


async def cli(*argv: str) -> int:
    # The CLI runs its own event loop, so it runs on a worker thread next to the test's server.
    return await asyncio.to_thread(main, list(argv))


async def test_download_all_as_json(
    published: dict[str, bytes],
    make_site: SiteFactory,
    dest: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = await make_site()
    assert await cli("download", "--all", str(dest), "--url", base_of(site.url), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(out["downloaded"]) == sorted(FILES)
    assert out["failed"] == {}
    for name, data in FILES.items():
        assert await read(dest / name) == data


async def test_download_names_with_url_from_the_environment(
    published: dict[str, bytes],
    make_site: SiteFactory,
    dest: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = await make_site()
    monkeypatch.setenv("GAMESERVICES_URL", base_of(site.url))
    assert await cli("download", "a.pak", str(dest), "--no-progress") == 0
    assert "1 downloaded, 0 up to date, 0 failed" in capsys.readouterr().out
    assert await cli("download", "a.pak", "ghost.pak", str(dest), "--no-progress") == 1
    captured = capsys.readouterr()
    assert "0 downloaded, 1 up to date, 1 failed" in captured.out
    assert "failed ghost.pak: " in captured.err


async def test_usage_and_connection_errors_are_one_line(
    dest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli("download", str(dest)) == 2
    assert capsys.readouterr().err == "gameservices: error: give asset NAMEs or --all, then DEST\n"
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    url = "http://127.0.0.1:9"
    code = await cli("download", "--all", str(dest), "--url", url, "--retries", "0", "--json")
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("gameservices: error: ")
    assert err.count("\n") == 1
    assert "could not connect" in err


async def test_without_rich_a_terminal_gets_no_bar_and_the_download_still_works(
    published: dict[str, bytes],
    make_site: SiteFactory,
    dest: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    site = await make_site()
    monkeypatch.setitem(sys.modules, "rich.progress", None)  # as if the cli extra is missing
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    argv = ("download", "a.pak", str(dest), "--url", base_of(site.url))
    assert await cli(*argv, "--data-dir", str(tmp_path / "state")) == 0  # as on every command
    assert "1 downloaded, 0 up to date, 0 failed" in capsys.readouterr().out
    assert await read(dest / "a.pak") == FILES["a.pak"]
    assert not await asyncio.to_thread((tmp_path / "state").exists)  # it keeps no state there


def test_flags_beat_the_environment_which_beats_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parser = argparse.ArgumentParser()
    add_connection_flags(parser)
    monkeypatch.delenv("GAMESERVICES_URL", raising=False)
    monkeypatch.delenv("GAMESERVICES_SERVER_KEY", raising=False)
    assert connection(parser.parse_args([])) == ("http://127.0.0.1:7350", "defaultkey")
    monkeypatch.setenv("GAMESERVICES_URL", "http://10.0.0.1:7350")
    monkeypatch.setenv("GAMESERVICES_SERVER_KEY", "envkey")
    assert connection(parser.parse_args([])) == ("http://10.0.0.1:7350", "envkey")
    flags = parser.parse_args(["--url", "http://h:1", "--server-key", "k"])
    assert connection(flags) == ("http://h:1", "k")
