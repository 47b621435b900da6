"""Smoke test: the realtime benchmark runs every approach end to end (a tiny duration) and its
JSON has a row per approach with every figure and each target. Speed is never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "realtime.py"


@pytest.mark.slow
def test_realtime_benchmark_runs_every_approach_and_reports_json() -> None:
    cmd = [sys.executable, str(SCRIPT), "--json", "--seconds", "0.5", "--game-ms", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [row["approach"] for row in report["rows"]] == [
        "gameservices thread",
        "gameservices inline",
        "aiohttp websocket, own thread",
    ]
    for row in report["rows"]:
        assert row["sent"] == 2 * 30, row  # two players, one message a frame each, 0.5 s
        assert row["delivered"] == row["sent"], row  # relayed, and nothing lost on loopback
        assert row["latency_p99_frames"] >= row["latency_p50_frames"] >= 0
        assert row["tick_max_us"] >= row["tick_p99_us"] >= row["tick_p50_us"] > 0
    assert set(report["targets"]) == {
        "thread latency p99 <= 2 frames",
        "thread every message delivered",
        "inline latency p99 <= 2 frames",
        "inline every message delivered",
        "thread tick() p99 <= 1 ms",
        "inline tick() p99 <= budget + 0.5 ms",
    }
