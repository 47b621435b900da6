"""``gameservices serve``: flags, the listening line, clean shutdown, the missing-extra error."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gameservices._cli import build_parser
from gameservices._cli.serve import build_config
from gameservices.server import Board, Operator, ServerConfig, SortOrder
from gameservices.testing import start_serve_process


def parse(*argv: str) -> ServerConfig:
    return build_config(build_parser().parse_args(["serve", *argv]))


def test_flags_build_the_config(tmp_path: Path) -> None:
    config = parse(
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--db",
        ":memory:",
        "--server-key",
        "k",
        "--token-expiry",
        "60",
        "--refresh-expiry",
        "120",
        "--board",
        "a:asc",
        "--board",
        "b:desc:decr",
        "--assets",
        str(tmp_path),
    )
    assert (config.host, config.port, config.db_path, config.server_key) == (
        "0.0.0.0",
        0,
        ":memory:",
        "k",
    )
    assert (config.token_expiry, config.refresh_expiry) == (60, 120)
    assert config.boards == (
        Board("a", SortOrder.ASCENDING),
        Board("b", operator=Operator.DECREMENT),
    )
    assert config.assets_dir == tmp_path


def test_defaults_and_config_file_with_flag_overrides(tmp_path: Path) -> None:
    assert parse().db_path == "gameservices.db"
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"port": 9000, "token_expiry": 77}))
    config = parse("--config", str(path), "--port", "9001")
    assert (config.port, config.token_expiry) == (9001, 77)


def test_bad_flag_values_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from gameservices._cli import main

    assert main(["serve", "--board", "x:sideways"]) == 2
    assert "'sideways' is not desc, asc" in capsys.readouterr().err


def test_missing_server_extra_names_the_install_command() -> None:
    code = (
        "import sys; sys.modules['sortedcontainers'] = None; "
        "from gameservices._cli import main; raise SystemExit(main(['serve']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert "pip install 'gameservices[server]'" in out.stderr


@pytest.mark.slow
async def test_serve_prints_url_warns_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc, url = await start_serve_process(
        "--db", ":memory:", "--port", "0", "--host", "0.0.0.0", stderr=asyncio.subprocess.PIPE
    )
    assert url.startswith("http://0.0.0.0:")
    proc.send_signal(signal.SIGINT)
    _, err = await proc.communicate()
    assert proc.returncode == 0
    assert b"default server key" in err


def test_faults_and_rate_limit_from_flags_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gameservices._cli import main
    from gameservices.server.faults import Faults

    config = parse("--faults", '{"latency": 0.25, "error_rate": 0.5, "seed": 3}')
    assert config.faults == Faults(latency=0.25, error_rate=0.5, seed=3)
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"rate_limit": {"rate_per_s": 5, "burst": 10}}))
    config = parse("--config", str(path))
    assert config.rate_limit is not None
    assert (config.rate_limit.rate_per_s, config.rate_limit.burst) == (5, 10)
    assert main(["serve", "--faults", "{not json"]) == 2
    assert "gameservices serve:" in capsys.readouterr().err


@pytest.mark.slow
async def test_start_serve_process_reports_a_server_that_did_not_start() -> None:
    with pytest.raises(RuntimeError, match="gameservices serve did not start"):
        await start_serve_process("--board", "x:sideways")
