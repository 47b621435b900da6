"""Installs as a user makes them: the wheel built from this tree, into fresh venvs and into
``pip install --target`` folders, run by other interpreters. Slow (each install goes to the
package registry the machine reaches, through pip's cache), so every test here is ``slow``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import venv
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 50.0  # seconds for one pip run from a warm cache (the per-test limit is 60)


def run(argv: Sequence[str | Path], *, timeout: float = INSTALL_TIMEOUT,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run a command with a clean environment (no PYTHONPATH, no venv of ours leaking in), by
    default in an empty directory: ``python -c`` puts the working directory first on
    ``sys.path``, and in the repository that would import this tree instead of the install."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, env=env,
        cwd=cwd or tempfile.mkdtemp(prefix="gs-install-"),
    )  # fmt: skip


def pip(*args: str | Path, python: Path | None = None) -> None:
    """This venv's pip (``--python`` installs into another interpreter's environment)."""
    target = ["--python", python] if python is not None else []
    done = run([sys.executable, "-m", "pip", *target, "--quiet", *args])
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this tree, built once per session."""
    out = tmp_path_factory.mktemp("wheel")
    pip("wheel", "--no-deps", "--wheel-dir", out, ROOT)
    [built] = out.glob("gameservices-*.whl")
    return built


def fresh_venv(where: Path) -> Path:
    """A venv without pip (ours installs into it): its python."""
    venv.EnvBuilder(with_pip=False).create(where)
    return where / "bin" / "python"
