"""``gameservices demo`` end to end, small: two runs in a subprocess, reading their reports.

Only what the demo promises is checked (it ran, logged in, delivered, synced, reported, and the
second run reused the cache and the session); frame figures are reported, never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gameservices._demo.packs import plan_packs

PACK_MB = 2


def _demo(data_dir: Path, report: Path) -> tuple[str, dict[str, Any]]:
    argv = [sys.executable, "-m", "gameservices", "demo", "--seconds", "1.5", "--pack-mb",
            str(PACK_MB), "--compare-seconds", "0.5", "--bots", "5", "--dir", str(data_dir),
            "--report", str(report)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, json.loads(report.read_text())


@pytest.mark.slow
def test_demo_runs_twice_and_the_second_run_reuses_everything(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    out, first = _demo(data_dir, tmp_path / "first.json")
    total = sum(plan_packs(PACK_MB).values())
    ours = first["gameservices"]
    assert first["run"]["first_run"] is True
    assert "Frame-time report" in out
    assert "Top 10" in out
    assert "run_until_complete(asyncio.sleep(frame / 3))" in " ".join(out.split())  # explained
    assert "Writes: how many scores" in out
    assert "(no records)" not in out  # no empty box (around you, before your first score)
    assert out.rstrip().endswith("python examples/quickstart.py")  # the code to copy next
    assert ours["frames"] >= 80  # 1.5 s at 60 Hz, and the loop waits for the flush
    assert ours["timeline"]["restored"] is False
    assert ours["timeline"]["sync_bytes"] == total
    assert ours["timeline"]["flushed"] is True
    assert ours["timeline"]["submitted"] >= 2
    assert ours["timeline"]["submits_durable"] == ours["timeline"]["submitted"]
    assert ours["first_board"] is not None
    assert first["tutorial"]["frames"] >= 25
    assert first["tutorial"]["errors"] == []

    out, second = _demo(data_dir, tmp_path / "second.json")
    again = second["gameservices"]["timeline"]
    assert second["run"]["first_run"] is False
    assert again["restored"] is True
    assert again["sync_bytes"] == 0
    assert len(again["sync_current"]) == len(plan_packs(PACK_MB))
    assert "second run is faster" in out
    assert "session restored" in out
