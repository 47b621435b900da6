"""Smoke test: the frame-hitch benchmark runs every approach end to end (tiny sizes) and its
JSON output has a row per approach with every figure. Speed itself is never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "frame_hitch.py"


@pytest.mark.slow
def test_frame_hitch_runs_every_approach_and_reports_json() -> None:
    cmd = [sys.executable, str(SCRIPT), "--json", "--idle-frames", "5", "--busy-frames", "13",
           "--mb", "1"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    names = [row["approach"] for row in report["rows"]]
    assert names[:6] == [  # later rows (e.g. client.assets) may follow
        "blocking requests in frame",
        "threads + requests, queue",
        "tutorial sleep(frame/3)",
        "one-iteration step",
        "gameservices inline",
        "gameservices thread",
    ]
    for row in report["rows"]:
        assert row["download_s"] is not None, row  # the 1 MB download arrived
        assert row["download_s"] > 0
        assert row["net_p50_us"] >= 0
    assert report["select0_floor_us"] > 0
    assert "inline busy p99 <= 2.5 ms" in report["targets"]
