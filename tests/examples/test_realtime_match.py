"""examples/realtime_match.py: two players matched by the matchmaker swap positions at 20 Hz."""

from __future__ import annotations

import pytest

from .conftest import load_example


def test_two_matched_players_receive_every_position_in_order(
    url_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_example("realtime_match").main(["--seconds", "1", *url_args]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "matched by the matchmaker: ada and bo, in one relayed match",
        "ada sent 20 positions at 20 Hz; bo received 20, in order, the last at (19, 0)",
        "bo sent 20 positions at 20 Hz; ada received 20, in order, the last at (0, 9.5)",
    ]
    assert "frames (median)" in out.err
