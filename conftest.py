"""Every code block of README.md and docs/*.md runs in ``make test``, through Sybil.

Why Sybil: it is a maintained doc-testing library that parses Markdown fences and HTML-comment
directives (``<!-- skip: next "reason" -->``), runs a document's blocks in order in one shared
namespace, and reports each block as a pytest item at its line; languages it does not know get
an evaluator of ours (``sh``, ``console``, ``json``). Any new ``docs/*.md`` is picked up with
no change here. How to write a block that runs: README.md, "Writing docs that run".

- ``python``: executed; each document has one namespace, so later blocks see earlier names.
- ``sh``: the block is one bash script (``set -euo pipefail``); ``console``: ``$ `` lines are
  commands, the lines under one are its expected output (doctest's ``...`` wildcard allowed;
  no lines: not compared). Both run with ``GAMESERVICES_URL`` naming a fresh reference server
  (the demo boards), ``GAMESERVICES_DATA_DIR`` and ``HOME`` in a temporary directory, this
  venv's ``bin`` first on ``PATH``; background jobs are killed when the block ends.
- ``json``: must parse. A document's blocks run in a fresh temporary working directory.
- Anything that must not run (installs, long-running servers, minutes of benchmarks) is
  preceded by ``<!-- skip: next "why it does not run here" -->``.
"""

from __future__ import annotations

import contextlib
import doctest
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest._code.code import Traceback
from sybil import Example, Sybil
from sybil.integration.pytest import SybilFile, SybilItem, example_module_path
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent
SHELL_TIMEOUT = 45.0  # seconds for one sh/console block (the per-test limit is 60)
_CHECKER = doctest.OutputChecker()
_OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def is_doc(path: Path) -> bool:
    """README.md at the root and every Markdown page directly in docs/."""
    return path == ROOT / "README.md" or (path.parent == ROOT / "docs" and path.suffix == ".md")


@pytest.fixture(scope="module")  # a module here is one document: its blocks share a directory
def doc_workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A document's blocks run in their own empty directory (``data_dir="save"`` lands there)."""
    work, before = tmp_path_factory.mktemp("doc"), Path.cwd()
    os.chdir(work)
    try:
        yield work
    finally:
        os.chdir(before)


def _shell_env(work: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAMESERVICES_")}
    env.update(
        GAMESERVICES_URL=url,
        GAMESERVICES_DATA_DIR=str(work / "data"),
        HOME=str(work / "home"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def _bash(script: str, work: Path, url: str) -> subprocess.CompletedProcess[str]:
    wrapped = f"set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}"
    return subprocess.run(
        ["bash", "-c", wrapped], cwd=work, env=_shell_env(work, url), capture_output=True,
        text=True, timeout=SHELL_TIMEOUT,
    )  # fmt: skip


@contextlib.contextmanager
def _server() -> Iterator[str]:
    from gameservices.testing.threaded import ServerThread

    with ServerThread(db_path=":memory:") as server:
        yield server.url


def _parse_session(text: str) -> list[tuple[str, list[str]]]:
    """A console block as (command, expected output lines); ``\\`` continues a command."""
    steps: list[tuple[str, list[str]]] = []
    continued = False
    for line in text.splitlines():
        if continued:
            steps[-1] = (steps[-1][0] + "\n" + line, [])
        elif line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        continued = line.endswith("\\")
    return steps


def evaluate_sh(example: Example) -> str | None:
    work = Path.cwd()
    with _server() as url:
        done = _bash(str(example.parsed), work, url)
    if done.returncode != 0:
        return f"sh block exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return None


def evaluate_console(example: Example) -> str | None:
    work = Path.cwd()
    with _server() as url:
        for command, expected in _parse_session(str(example.parsed)):
            done = _bash(command, work, url)
            if done.returncode != 0:
                return f"$ {command}\nexited {done.returncode}:\n{done.stdout}{done.stderr}"
            want = "\n".join(expected).strip()
            if want and not _CHECKER.check_output(want + "\n", done.stdout, _OPTIONS):
                return f"$ {command}\nexpected:\n{want}\ngot:\n{done.stdout}"
    return None


def evaluate_json(example: Example) -> str | None:
    try:
        json.loads(str(example.parsed))
    except ValueError as exc:
        return f"json block does not parse: {exc}"
    return None


_docs = Sybil(
    parsers=[
        SkipParser(),
        PythonCodeBlockParser(),
        CodeBlockParser(language="sh", evaluator=evaluate_sh),
        CodeBlockParser(language="console", evaluator=evaluate_console),
        CodeBlockParser(language="json", evaluator=evaluate_json),
    ],
    patterns=["*.md"],
    fixtures=["doc_workdir"],
)


class _DocItem(SybilItem):
    """Sybil's item, with its failure traceback kept whole when the failing frame is the
    block's own code (simplistix/sybil#118: its re-rooting indexes ``tb[1]`` of a one-entry
    cut, and the failure became an INTERNALERROR that ended the session)."""

    def _traceback_filter(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Traceback:
        cut = excinfo.traceback.cut(path=example_module_path)
        return cut if len(cut) < 2 else super()._traceback_filter(excinfo)


class _DocFile(SybilFile):
    def collect(self) -> Iterator[SybilItem]:
        for sybil in self.sybils:
            document = sybil.parse(self.path)
            self.documents.append(document)
            for example in document.examples():
                yield _DocItem.from_parent(self, sybil=sybil, example=example)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not is_doc(file_path):
        return None
    return _DocFile.from_parent(parent, path=file_path, sybils=[_docs])
