"""``gameservices demo`` end to end, small: two runs in a subprocess, reading their reports.

Only what the demo promises is checked (it ran, logged in, delivered, synced, used every service
against the embedded server, reported, and the second run reused the cache, the session and the
cloud save); frame figures are reported, never asserted. Every figure checked here comes from
the server's answers (a list, a record, an echo) or from a wait the game itself bounds, never
from how long something took.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gameservices._demo.packs import plan_packs
from gameservices._demo.services import SERVICES
from gameservices._demo.world import REWARD_CODE, REWARD_COINS
from gameservices._protocol.notifications import FRIEND_ACCEPT

PACK_MB = 2


def _demo(data_dir: Path, report: Path) -> tuple[str, dict[str, Any]]:
    argv = [sys.executable, "-m", "gameservices", "demo", "--seconds", "1.5", "--pack-mb",
            str(PACK_MB), "--compare-seconds", "0.5", "--bots", "5", "--dir", str(data_dir),
            "--report", str(report)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, json.loads(report.read_text())


def _counts(report: dict[str, Any], service: str) -> dict[str, Any]:
    counts: dict[str, Any] = report["services"][service]["counts"]
    return counts


def _every_service_did_its_part(report: dict[str, Any]) -> None:
    rows = report["services"]
    assert list(rows) == [key for key, _ in SERVICES]
    failed = {k: (v["state"], v["detail"]) for k, v in rows.items() if v["state"] != "ok"}
    assert failed == {}
    played = report["gameservices"]["timeline"]["submitted"]
    assert _counts(report, "events") == {"sent": played, "delivered": True}
    assert _counts(report, "outbox")["flushed"] is True
    assert _counts(report, "storage") == {"matches": True}  # the server's copy is the last save
    saves = _counts(report, "saves")
    assert saves["saves"] >= 1  # the last one, at the end (and every few rounds)
    assert saves["pending"] == 0
    assert saves["last"]["rounds"] == (saves["loaded"] or {}).get("rounds", 0) + played
    assert _counts(report, "account")["buddy_found"] is True
    assert _counts(report, "friends")["buddy"] is True
    clan = _counts(report, "groups")
    assert clan["member"] is True
    assert clan["members"] >= 2  # the buddy founded it
    cup = _counts(report, "tournaments")
    assert cup["joined"] is True
    assert cup["written"] >= 1  # the session's best, at the end (and every few rounds)
    assert cup["rank"] >= 1
    assert _counts(report, "rpc") == {"coins": REWARD_COINS, "pushed": 1}
    assert _counts(report, "notifications")["rewards"] == 1
    socket = _counts(report, "realtime")
    assert socket["connected"] is True
    assert socket["buddy_online"] is True
    assert socket["pushed"] >= 1  # the reward's notification, over the socket
    chat = _counts(report, "chat")
    assert chat["answered"] is True
    assert chat["received"] >= 2  # my message comes back, then the buddy's answer
    match = _counts(report, "match")
    assert match["matched"] is True
    assert match["sent"] >= 1
    assert match["echoed"] == match["sent"]
    buddy = report["buddy"]
    assert buddy["errors"] == []
    assert buddy["echoed"] == match["sent"]
    assert buddy["answered"] == 1
    assert buddy["matches"] == 1


@pytest.mark.slow
def test_demo_runs_twice_and_the_second_run_reuses_everything(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    out, first = _demo(data_dir, tmp_path / "first.json")
    total = sum(plan_packs(PACK_MB).values())
    ours = first["gameservices"]
    assert first["run"]["first_run"] is True
    assert "Frame-time report" in out
    assert "Services: what the game did" in out
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
    _every_service_did_its_part(first)
    assert _counts(first, "saves")["loaded"] is None  # a new player
    assert first["buddy"]["accepted"] == 1  # my friend request, as it was notified
    assert _counts(first, "notifications")["codes"] == [FRIEND_ACCEPT, REWARD_CODE]

    out, second = _demo(data_dir, tmp_path / "second.json")
    again = second["gameservices"]["timeline"]
    assert second["run"]["first_run"] is False
    assert again["restored"] is True
    assert again["sync_bytes"] == 0
    assert len(again["sync_current"]) == len(plan_packs(PACK_MB))
    assert "second run is faster" in out
    assert "session restored" in out
    _every_service_did_its_part(second)
    assert _counts(second, "saves")["loaded"] == _counts(first, "saves")["last"]  # the cloud save
    assert second["buddy"]["accepted"] == 0  # friends already
    assert _counts(second, "notifications")["codes"] == [REWARD_CODE]  # only what is new
