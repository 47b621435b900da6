"""examples/panda3d_assets.py: a Panda3D task drives the runner while assets sync (no window)."""

from __future__ import annotations

import pytest

from .conftest import load_example


@pytest.mark.slow
def test_assets_sync_under_a_panda3d_task(capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example("panda3d_assets")
    assert example.main(["--window", "none", "--frames", "1200"]) == 0
    assert "assets ready: 3 downloaded, 0 already current" in capsys.readouterr().out
