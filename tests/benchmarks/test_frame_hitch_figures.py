"""The frame-hitch benchmark's own arithmetic (no measuring): medians over ``--repeat`` rounds."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "frame_hitch.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("frame_hitch", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["frame_hitch"] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["frame_hitch"]
    return module


def _row(bench: ModuleType, slow: int, causes: str) -> object:
    return bench.Row(
        approach="gameservices inline", idle_net_p50_us=1.0, net_p50_us=1.0, net_p99_us=1.0,
        net_max_us=1.0, net_cpu_p99_us=1.0, net_cpu_max_us=1.0, game_p99_inflation_pct=0.0,
        missed_frames=0, download_s=0.5, latency_p50_frames=1.0, latency_p99_frames=1.0,
        gc_ms=0.0, gc_full=0, mb_per_tick=1.0, download_cpu_ms_per_mb=1.0, slow_ticks=slow,
        slow_causes=causes,
    )  # fmt: skip


def test_the_median_rows_causes_are_the_median_of_each_cause_not_the_first_rounds(
    bench: ModuleType,
) -> None:
    rows = [_row(bench, 7, "code 3, os 4"), _row(bench, 2, "os 2"), _row(bench, 3, "gc 1, os 2")]
    median = bench.median_row(rows)
    assert median.slow_ticks == 3
    assert median.slow_causes == "os 2"  # code and gc: 0 in two rounds of three


def test_median_causes_keeps_halves_and_drops_causes_whose_median_is_zero(
    bench: ModuleType,
) -> None:
    assert bench.median_causes(["os 1", "os 2, code 1"]) == "code 0.5, os 1.5"
    assert bench.median_causes(["", ""]) == ""
    assert bench.median_causes(["os 5"]) == "os 5"
    row = _row(bench, 0, "")
    assert bench.median_row([row, replace(row)]).slow_causes == ""
