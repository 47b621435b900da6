"""``gameservices submit / outbox``: scores go through the durable outbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gameservices._cli import main
from gameservices.testing.threaded import ServerThread

from .conftest import Cli


def test_submit_is_delivered_and_ranked(logged_in: Cli) -> None:
    code, out, _ = logged_in("submit", "alltime", "1200", "--json")
    assert code == 0
    sub = json.loads(out)
    assert sub["delivered"] is True
    assert (sub["record"]["score"], sub["record"]["rank"]) == (1200, 1)
    code, out, _ = logged_in("top", "alltime", "--json")
    assert [r["score"] for r in json.loads(out)["records"]] == [1200]
    code, out, _ = logged_in("outbox", "--json")
    assert code == 0
    assert json.loads(out) == {"pending": [], "dead": []}


def test_operator_and_people_output(logged_in: Cli) -> None:
    assert logged_in("submit", "kills", "3", "--operator", "incr")[0] == 0
    code, out, _ = logged_in("submit", "kills", "4", "--operator", "incr")
    assert code == 0
    assert "submitted 4 to kills: rank" in out
    assert "score 7" in out


def test_out_of_range_score_is_refused_before_sending(logged_in: Cli) -> None:
    code, _, err = logged_in("submit", "weekly", str(2**63))
    assert code == 2
    assert err.count("\n") == 1
    assert "int64" in err
    _, out, _ = logged_in("outbox", "--json")
    assert json.loads(out)["pending"] == []


def test_refused_scores_become_dead_letters(logged_in: Cli) -> None:
    code, out, err = logged_in("submit", "nope", "7")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "HTTP 404" in err
    code, out, _ = logged_in("outbox", "--json")
    doc = json.loads(out)
    assert doc["pending"] == []
    assert [(d["board"], d["score"], d["dead"]) for d in doc["dead"]] == [("nope", 7, True)]
    code, out, _ = logged_in("outbox")
    assert "dead: NotFound" in out
    assert "--purge-dead" in out  # the table says how to get rid of them
    code, out, _ = logged_in("outbox", "--purge-dead")
    assert code == 0
    assert "forgot 1 dead letter\n" in out
    code, out, _ = logged_in("outbox", "--purge-dead", "--json")
    assert json.loads(out) == {"pending": [], "dead": [], "purged": 0}


def test_offline_submit_stays_queued_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAMESERVICES_DATA_DIR", str(tmp_path / "data"))
    with ServerThread(db_path=str(tmp_path / "game.db")) as server:
        url = server.url
        assert main(["login", "--url", url]) == 0
    capsys.readouterr()
    code = main(["submit", "weekly", "77", "--url", url, "--timeout", "0.3", "--retries", "0"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1
    assert "not delivered within 0.3 s" in err
    assert "stays queued" in err
    assert main(["outbox", "--url", url, "--json"]) == 0
    pending = json.loads(capsys.readouterr().out)["pending"]
    assert [(p["board"], p["score"]) for p in pending] == [("weekly", 77)]


def test_the_outbox_table_says_what_each_entry_is(tmp_path: Path) -> None:
    from gameservices import OutboxEntry
    from gameservices._cli.client_cmds import _entry_json, _outbox_table
    from gameservices._cli.tables import plain

    entries = [
        OutboxEntry(1, "weekly", 1200, 0, None, None, "k1", 0.0),
        OutboxEntry(2, "cup", 900, 0, None, "BEST", "k2", 0.0, kind="tournament"),
        OutboxEntry(3, "level_end", 0, 0, {"properties": {}}, None, "k3", 0.0, kind="event"),
    ]
    rows = plain(_outbox_table(tmp_path, entries, [])).splitlines()[3:]
    assert [row.split()[:3] for row in rows] == [
        ["1", "weekly", "1,200"],
        ["2", "tournament", "cup"],
        ["3", "event", "level_end"],
    ]
    assert "900" in rows[1]
    assert rows[2].split() == ["3", "event", "level_end", "0", "pending"]  # no score, 0 attempts
    assert [_entry_json(e)["kind"] for e in entries] == ["leaderboard", "tournament", "event"]
