"""The install lines the docs give, in fresh venvs: a base install (no extras) and
``pip install 'gameservices[server]'``, as README.md's Install section names them.

On a base install, what needs no extra works (the client, ``gameservices.testing``'s mock
transport and helpers, the CLI in plain text, the seed examples), and what needs one fails with
one line naming it, before any network call. With the server extra, the README's quickstart
runs as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sybil import Document
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

from gameservices.testing.threaded import ServerThread

from .conftest import ROOT, fresh_venv, pip, run

pytestmark = pytest.mark.slow
SERVER_EXTRA = "needs the server extra: pip install 'gameservices[server]'"


@pytest.fixture(scope="module")
def base(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its runtime dependencies only: its python."""
    python = fresh_venv(tmp_path_factory.mktemp("base") / "venv")
    pip("install", wheel, python=python)
    return python


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(db_path=":memory:") as running:
        yield running


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_the_base_install_has_no_extra_and_the_client_and_test_helpers_import(base: Path) -> None:
    code = (
        "import importlib.util as u, gameservices\n"
        "assert '/site-packages/' in gameservices.__file__, gameservices.__file__\n"
        "from gameservices.testing import MockTransport, json_response, tick_until\n"
        "from gameservices.testing.fake_bge import fake_bge\n"
        "from gameservices.testing.threaded import ServerThread\n"
        "import gameservices.engines.headless\n"
        "with fake_bge():\n    import gameservices.engines.bge\n"
        "print([m for m in ('rich', 'sortedcontainers', 'jwt', 'croniter') if u.find_spec(m)])\n"
    )
    done = run([base, "-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # no extra crept in: the test below means something


@pytest.mark.parametrize(
    "code",
    [
        "import gameservices.server",
        "from gameservices.testing import Faults",
        "import asyncio\nfrom gameservices.testing import ReferenceServer\n"
        "asyncio.run(ReferenceServer().__aenter__())",
        "from gameservices.testing.threaded import ServerThread\nServerThread().start()",
    ],
)
def test_what_needs_the_server_extra_says_so_in_one_line(base: Path, code: str) -> None:
    done = run([base, "-c", code])
    assert done.returncode == 1
    assert last_line(done.stderr).startswith("ModuleNotFoundError: the gameservices reference")
    assert SERVER_EXTRA in last_line(done.stderr)


def test_the_examples_on_a_base_install(base: Path, server: ServerThread) -> None:
    done = run([base, ROOT / "examples" / "quickstart.py"])  # starts its own server: the extra
    assert done.returncode == 1
    assert SERVER_EXTRA in last_line(done.stderr)
    done = run([base, ROOT / "examples" / "quickstart.py", "--url", server.url])
    assert done.returncode == 0, done.stderr
    assert re.search(r"^\s+1\s+player-", done.stdout, re.MULTILINE), done.stdout
    for name in ("seed_echo.py", "seed_playground.py"):
        done = run([base, ROOT / "examples" / name, "--frames", "30"])
        assert done.returncode == 0, done.stderr


def test_the_cli_without_rich_prints_plain_text(
    base: Path, server: ServerThread, tmp_path: Path
) -> None:
    cli = [base.parent / "gameservices"]
    flags = ["--url", server.url, "--data-dir", str(tmp_path)]
    done = run([*cli, "login", "--username", "plain-ada", *flags])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("logged in as plain-ada (new account, id ")
    done = run([*cli, "submit", "weekly", "1200", *flags])
    assert done.returncode == 0, done.stderr
    done = run([*cli, "top", "weekly", *flags])
    assert done.returncode == 0, done.stderr
    assert re.search(r"^> +\d+  plain-ada +1,200 +1$", done.stdout, re.MULTILINE), done.stdout
    assert "Writes: how many scores" in done.stdout
    done = run([*cli, "top", "weekly", "--json", *flags])
    assert done.returncode == 0, done.stderr
    assert "plain-ada" in [r["username"] for r in json.loads(done.stdout)["records"]]
    done = run([*cli, "outbox", *flags])
    assert done.returncode == 0, done.stderr
    assert "(empty: everything queued was delivered)" in done.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo"], "demo needs the server and cli extras: pip install 'gameservices[server,cli]'"),
        (["serve", "--port", "0"], "serve needs the server extra: pip install"),
    ],
)
def test_commands_that_need_an_extra_say_so_before_doing_anything(
    base: Path, argv: list[str], message: str, tmp_path: Path
) -> None:
    done = run([base.parent / "gameservices", *argv], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr  # one line, no traceback
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing started, nothing written


def readme_quickstart() -> str:
    """The first Python block of README.md: the quickstart under the install line."""
    document = Document((ROOT / "README.md").read_text(), str(ROOT / "README.md"))
    blocks = FencedCodeBlockLexer("python")(document)
    return str(next(iter(blocks)).lexemes["source"])


def test_the_readme_quickstart_runs_after_its_install_line(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    install = (ROOT / "README.md").read_text()
    assert "python -m pip install '.[server]'" in install  # the line above the quickstart
    python = fresh_venv(tmp_path_factory.mktemp("server") / "venv")
    pip("install", f"gameservices[server] @ {wheel.as_uri()}", python=python)
    work = tmp_path_factory.mktemp("quickstart")
    done = run([python, "-c", readme_quickstart()], cwd=work)
    assert done.returncode == 0, done.stderr
    assert "LeaderboardRecord(" in done.stdout
    assert "score=1200" in done.stdout
