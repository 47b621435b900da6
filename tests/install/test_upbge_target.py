"""The UPBGE recipes of examples/upbge/README.md and docs/engines.md, for every Python 3.10-3.13
on this machine (UPBGE 0.36 ships 3.10, 0.44 and 0.50 ship 3.11, master 3.13).

Each installs the wheel with ``pip install --target``, then imports gameservices from that
Python with ``-I -S`` and only the target folder on ``sys.path``, as UPBGE's bundled Python sees
it, and runs a coroutine through an inline ``TickRunner`` (which needs aiohttp importable:
``gameservices`` imports the client).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .conftest import pip, run

pytestmark = pytest.mark.slow

MINORS = (10, 11, 12, 13)


def interpreter(minor: int) -> Path | None:
    """A Python 3.<minor>: pyenv's (the project machine's), else one on PATH."""
    found = sorted(Path("/root/.pyenv/versions").glob(f"3.{minor}.*/bin/python3.{minor}"))
    if found:
        return found[-1]
    on_path = shutil.which(f"python3.{minor}")
    return Path(on_path) if on_path else None


PYTHONS = {minor: path for minor in MINORS if (path := interpreter(minor)) is not None}
IMPORT_AS_UPBGE = """
import sys
sys.path.insert(0, sys.argv[1])  # what UPBGE does for scripts/modules (or //libs by hand)
import gameservices
from gameservices import Client, TickRunner
from gameservices.testing.fake_bge import fake_bge
with fake_bge():  # inside UPBGE, bge is there
    import gameservices.engines.bge
assert gameservices.__file__.startswith(sys.argv[1]), gameservices.__file__

async def answer():
    return 42

with TickRunner(mode="inline") as runner:
    handle = runner.submit(answer())
    while not handle.done():
        runner.tick()
print(sys.version_info[:2], handle.result())
"""


def test_every_upbge_python_is_on_this_machine() -> None:
    """The recipes are only proven for the versions found: on the project's machines, all."""
    if not Path("/root/.pyenv/versions").is_dir():
        pytest.skip("not the project's machine (no /root/.pyenv): the versions found are tested")
    assert sorted(PYTHONS) == list(MINORS)


def imports_from(python: Path, target: Path) -> None:
    done = run([python, "-I", "-S", "-c", IMPORT_AS_UPBGE, target])
    assert done.returncode == 0, done.stderr[-3000:]
    minor = int(python.name.rsplit(".", 1)[1])
    assert done.stdout.strip() == f"(3, {minor}) 42"


@pytest.mark.parametrize("minor", sorted(PYTHONS))
def test_recipe_with_upbges_own_python(minor: int, wheel: Path, tmp_path: Path) -> None:
    python = PYTHONS[minor]
    target = tmp_path / "scripts" / "modules"
    done = run([python, "-m", "pip", "install", "--quiet", "--target", target, wheel])
    assert done.returncode == 0, done.stderr[-2000:]
    imports_from(python, target)


# The cross-install for 3.10 (its own line in the guide) and the newest; 3.11 and 3.12 take the
# same path as 3.13 and are proven with their own Python above (each install costs ~10 s).
@pytest.mark.parametrize("minor", sorted({10, 13} & set(PYTHONS)))
def test_recipe_from_another_python(minor: int, wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "libs"
    extra = ["async-timeout"] if minor == 10 else []  # the guide's line for UPBGE 0.36
    version = ["--python-version", f"3.{minor}", "--only-binary=:all:"]
    pip("install", "--target", target, *version, wheel, *extra)
    imports_from(PYTHONS[minor], target)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="run from 3.10, pip keeps async-timeout")
@pytest.mark.skipif(10 not in PYTHONS, reason="no Python 3.10 on this machine")
def test_why_the_guide_names_async_timeout_for_upbge_036(wheel: Path, tmp_path: Path) -> None:
    """From a 3.11+ Python, pip drops aiohttp's ``python_version < "3.11"`` dependency even
    with ``--python-version 3.10``: the import fails without the guide's extra name."""
    target = tmp_path / "libs"
    pip("install", "--target", target, "--python-version", "3.10", "--only-binary=:all:", wheel)
    done = run([PYTHONS[10], "-I", "-S", "-c", IMPORT_AS_UPBGE, target])
    assert done.returncode == 1
    assert "No module named 'async_timeout'" in done.stderr
