"""Smoke test: the interim ``gameservices demo`` plays both games and prints its report."""

from __future__ import annotations

import subprocess
import sys


def test_demo_prints_a_frame_time_report_for_both_ticks() -> None:
    cmd = [sys.executable, "-m", "gameservices", "demo", "--seconds", "0.7",
           "--compare-seconds", "0.4", "--rtt-ms", "5"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "frame-time report: 60 Hz" in out
    rows = {line.split("  ")[0]: line.split() for line in out.splitlines() if "(" in line[:26]}
    ours, theirs = rows["gameservices (thread)"], rows["tutorial sleep(frame/3)"]
    assert ours[-1] == "50"  # the playground finished in both games
    assert theirs[-1] == "50"
    assert "echoes answered: 3/3 (runner), 2/2 (tutorial tick)" in out
