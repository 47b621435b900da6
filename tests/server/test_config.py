"""ServerConfig, Board specs and JSON config files: valid values in, clear errors out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gameservices.server import (
    DEMO_BOARDS,
    Board,
    Operator,
    ServerConfig,
    SortOrder,
    parse_board,
    state,
)
from gameservices.server.config import config_from_mapping, load_config_file
from gameservices.server.state import load_or_create_secret


def test_defaults_and_demo_boards() -> None:
    config = ServerConfig()
    assert (config.db_path, config.server_key, config.token_expiry, config.refresh_expiry) == (
        ":memory:",
        "defaultkey",
        3600,
        604800,
    )
    assert {b.id: (b.sort, b.operator) for b in config.boards} == {
        "weekly": (SortOrder.DESCENDING, Operator.BEST),
        "alltime": (SortOrder.DESCENDING, Operator.BEST),
        "kills": (SortOrder.DESCENDING, Operator.INCREMENT),
        "speedrun": (SortOrder.ASCENDING, Operator.BEST),
    }
    assert config.boards == DEMO_BOARDS


def test_secrets_stay_out_of_repr() -> None:
    text = repr(ServerConfig(server_key="hunter2-key", token_secret="s" * 32))
    assert "hunter2" not in text
    assert "sss" not in text


@pytest.mark.parametrize(
    ("spec", "board"),
    [
        ("level1", Board("level1")),
        ("speed:asc", Board("speed", SortOrder.ASCENDING, Operator.BEST)),
        ("k:desc:incr", Board("k", SortOrder.DESCENDING, Operator.INCREMENT)),
        ("d:DESC:decr", Board("d", SortOrder.DESCENDING, Operator.DECREMENT)),
        ("s:asc:set", Board("s", SortOrder.ASCENDING, Operator.SET)),
        ("casual:noranks", Board("casual", ranks=False)),
        ("k:incr", Board("k", operator=Operator.INCREMENT)),
        (
            "weekly:desc:best:reset=0 0 * * 1",
            Board("weekly", SortOrder.DESCENDING, Operator.BEST, reset="0 0 * * 1"),
        ),
        ("daily:reset=@daily:noranks", Board("daily", ranks=False, reset="@daily")),
    ],
)
def test_board_specs(spec: str, board: Board) -> None:
    assert parse_board(spec) == board


def test_boards_in_a_config_file_take_ranks_and_reset() -> None:
    config = config_from_mapping(
        {"boards": [{"id": "w", "operator": "incr", "ranks": False, "reset": "0 0 * * 1"}, "a"]}
    )
    assert config.boards == (
        Board("w", operator=Operator.INCREMENT, ranks=False, reset="0 0 * * 1"),
        Board("a"),
    )
    with pytest.raises(ValueError, match="unknown keys"):
        config_from_mapping({"boards": [{"id": "w", "enable_ranks": False}]})
    with pytest.raises(TypeError, match="ranks must be true or false"):
        Board("w", ranks="no")  # type: ignore[arg-type]  # the wrong type is the point


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "must look like"),
        ("a:b:c:d", "'b' is not desc, asc, best, set, incr, decr, noranks or reset=CRON"),
        ("x:sideways", "'sideways' is not desc, asc"),
        ("x:asc:max", "'max' is not desc, asc"),
        ("x:asc:desc", "gives the sort twice"),
        ("x:best:incr", "gives the operator twice"),
        ("x:reset=0 0 * *", "must be a five-field cron expression"),
        ("x:reset=0 0 * * 1 2026", "must be a five-field cron expression"),
        ("x:reset=99 0 * * 1", "must be a five-field cron expression"),
        ("has space", "spaces or control characters"),
    ],
)
def test_bad_board_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_board(spec)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"port": 70000}, ValueError, "port must be 0-65535"),
        ({"port": "80"}, TypeError, "port must be an integer"),
        ({"token_expiry": 0}, ValueError, "token_expiry must be positive"),
        ({"server_key": ""}, ValueError, "server_key must be a non-empty string"),
        ({"token_secret": "s" * 31}, ValueError, "at least 32"),
        ({"boards": ()}, ValueError, "non-empty"),
        ({"boards": (Board("a"), Board("a"))}, ValueError, "unique"),
        ({"synchronous": "OFF"}, ValueError, "synchronous"),
        ({"clock": 5}, TypeError, "clock must be a callable"),
    ],
)
def test_invalid_config(changes: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        # Deliberately wrong types and values: the errors are what this test checks.
        ServerConfig(**changes)  # type: ignore[arg-type]


def test_board_default_operator_cannot_be_no_override() -> None:
    with pytest.raises(ValueError, match="NO_OVERRIDE"):
        Board("x", operator=Operator.NO_OVERRIDE)


def test_config_file(tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    path.write_text(
        json.dumps(
            {
                "port": 0,
                "server_key": "k3y",
                "token_expiry": 60,
                "boards": ["a:asc", {"id": "b", "sort": "desc", "operator": "incr"}],
                "assets_dir": "assets",
            }
        )
    )
    config = load_config_file(path)
    assert (config.port, config.server_key, config.token_expiry) == (0, "k3y", 60)
    assert config.boards == (
        Board("a", SortOrder.ASCENDING),
        Board("b", operator=Operator.INCREMENT),
    )
    assert config.assets_dir == Path("assets")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "must hold a JSON object"),
        ('{"prot": 1}', "unknown config keys: \\['prot'\\]"),
        ('{"port": -1}', "port must be 0-65535"),
    ],
)
def test_bad_config_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_config_file(path)
    with pytest.raises(ValueError, match="cannot read config file"):
        load_config_file(tmp_path / "missing.json")


def test_secret_is_created_once_with_0600(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    first = load_or_create_secret(db)
    assert load_or_create_secret(db) == first
    assert (tmp_path / "x.db.secret").stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(":memory:") != load_or_create_secret(":memory:")


@pytest.mark.parametrize("stored", ["", "\n", "half-written-secret-xyz", "\xe9" * 40])
def test_a_damaged_secret_file_is_refused_not_used(tmp_path: Path, stored: str) -> None:
    # A crash between creating the file and writing it used to leave "" as the signing key,
    # and a token signed with hmac(b"", ...) was accepted.
    db = str(tmp_path / "x.db")
    (tmp_path / "x.db.secret").write_text(stored, encoding="latin-1")
    with pytest.raises(ValueError, match=r"x\.db\.secret is damaged") as caught:
        load_or_create_secret(db)
    if stored.strip():
        assert stored not in str(caught.value)


def test_a_secret_race_loser_reads_the_winners_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "x.db")
    winner = "w" * 43

    def new_secret_while_another_server_wins() -> str:
        # The other server publishes between our "not found" and our link.
        (tmp_path / "x.db.secret").write_text(winner)
        return "l" * 43

    monkeypatch.setattr(state, "new_secret", new_secret_while_another_server_wins)
    assert load_or_create_secret(db) == winner
    assert sorted(os.listdir(tmp_path)) == ["x.db.secret"]  # no temporary file left behind
