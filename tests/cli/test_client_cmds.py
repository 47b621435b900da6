"""``gameservices login / top / around``: output for people and machines, and every failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gameservices.testing.threaded import ServerThread

from .conftest import KEY, Cli, free_port


def test_login_top_around_as_json(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAMESERVICES_SERVER_KEY", KEY)
    code, out, _ = cli("login", "--username", "ada", "--json")
    assert code == 0
    me = json.loads(out)
    assert me["username"] == "ada"
    assert me["created"] is True

    code, out, _ = cli("top", "weekly", "--json")
    assert code == 0
    assert json.loads(out) == {"board": "weekly", "records": [], "next_cursor": None,
                               "rank_count": 0}  # fmt: skip
    code, out, _ = cli("around", "weekly", "--json")
    assert code == 0
    assert json.loads(out)["records"] == []


def test_session_is_saved_0600_and_restored(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GAMESERVICES_SERVER_KEY", KEY)
    _, out, _ = cli("login", "--json")
    doc = json.loads(out)
    profile = Path(doc["profile"])
    assert profile.parent == tmp_path
    assert (profile / "session.json").stat().st_mode & 0o777 == 0o600
    assert cli("top", "weekly")[0] == 0  # no login: the saved session is used
    _, out, _ = cli("login", "--json")  # the same device id: the same account
    assert json.loads(out)["user_id"] == doc["user_id"]
    assert json.loads(out)["created"] is False


def test_url_from_the_environment(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, server: object
) -> None:
    monkeypatch.setenv("GAMESERVICES_SERVER_KEY", KEY)
    monkeypatch.setenv("GAMESERVICES_URL", f"http://127.0.0.1:{free_port()}")
    code, _, err = cli("login", url=None)  # the flag still wins over the environment
    assert code == 0, err


def test_tables_for_people_never_show_the_key(logged_in: Cli) -> None:
    code, out, err = logged_in("top", "weekly")
    assert code == 0
    assert "Rank" in out
    assert "(no records)" in out
    assert err == ""
    assert KEY not in out + err


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (("top", "weekly"), "not logged in"),
        (("login",), "HTTP 401"),  # no key in the environment: the default key is wrong here
        (("login", "--email", "ada@example.com"), "--email needs --password"),
    ],
)
def test_failures_before_login_are_one_line(cli: Cli, argv: tuple[str, ...], expect: str) -> None:
    code, out, err = cli(*argv)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("gameservices: error: ")
    assert expect in err


def test_unknown_board_is_a_one_line_404(logged_in: Cli) -> None:
    code, out, err = logged_in("around", "no-such-board")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "HTTP 404" in err


def test_connection_refused_is_one_line(cli: Cli) -> None:
    port = free_port()
    code, out, err = cli("login", url=f"http://127.0.0.1:{port}")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert f"could not connect: connection refused: nothing listens on 127.0.0.1:{port}" in err


def test_plain_http_to_another_host_names_the_flag(cli: Cli) -> None:
    code, _, err = cli("top", "weekly", url="http://example.com")
    assert code == 2
    assert "--allow-insecure" in err
    assert "allow_insecure=True" not in err  # the library's spelling means nothing here
    # With the flag the URL is accepted: the command goes on to need a session.
    code, _, err = cli("top", "weekly", "--allow-insecure", url="http://example.com")
    assert code == 1
    assert "not logged in to http://example.com" in err


def test_a_base_url_with_the_api_path_is_a_usage_error(cli: Cli, server: ServerThread) -> None:
    code, _, err = cli("login", url=server.url + "/v2")
    assert code == 2
    assert f"give the server's address, {server.url};" in err


def test_bad_arguments_exit_2(cli: Cli) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("top")
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli("top", "weekly", "--limit", "ten")
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        ("notaurl", "scheme"),
        ("ftp://127.0.0.1", "scheme"),
        ("http://example.com", "refusing plain http://"),
        ("http://127.0.0.1:99999", "Port out of range"),
    ],
)
def test_bad_urls_are_one_line_usage_errors(cli: Cli, url: str, expect: str) -> None:
    code, out, err = cli("top", "weekly", url=url)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert expect in err
