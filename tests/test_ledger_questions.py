"""Questions (``drillcast ask --record``) in the ledger: same hash chain, resolved and scored apart.

The reference scores are computed by hand from the recorded probability:
Brier (p - o)^2 and log score ln p(observed).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from drillcast import analysis
from drillcast.cli import main
from drillcast.data.catalogue import load_catalogue
from drillcast.ledger import Ledger
from drillcast.ledger_questions import check_question_entry, record_question, score_questions
from tests.conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

D = dt.date
NOW = dt.datetime(2021, 3, 2, 12, tzinfo=dt.timezone.utc)
AS_OF = D(2021, 3, 1)


def _cat(folder, *, extra=(), checked="2021-03-01"):
    series = [dict(ROT_SERIES, checked_through=checked), dict(REC_SERIES, checked_through=checked)]
    return load_catalogue(write_catalogue(folder, cycle_events() + list(extra), series))


@pytest.fixture
def before(tmp_path):
    return _cat(tmp_path / "before")


def _ask(cat, **kw):
    return analysis.ask(cat, "rot", **{"start": D(2021, 1, 1), "end": D(2021, 12, 31), "as_of": AS_OF, **kw})


def test_question_entries_join_the_chain_and_verify(tmp_path, before):
    led = Ledger(tmp_path / "ledger.jsonl", archive=False)
    fc = analysis.forecast(before, "rot", as_of=AS_OF, horizon=1, track_record=False)
    led.record(fc, before, now=NOW)
    e = record_question(led, _ask(before, direction="a"), before, now=NOW)
    assert e["kind"] == "question" and e["id"] == 2 and check_question_entry(e) is None
    assert e["prev_sha256"] == led.entries()[0]["sha256"]
    v = led.verify()
    assert v.ok and v.n_entries == 2 and v.head_sha256 == e["sha256"]
    # editing the recorded probability breaks the chain at that entry
    lines = led.path.read_text().splitlines()
    doc = json.loads(lines[1])
    doc["probability"] = 0.99
    led.path.write_text(lines[0] + "\n" + json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n")
    assert led.verify().problem.kind == "edited"


def test_a_later_catalogue_resolves_and_scores_the_question(tmp_path, before):
    led = Ledger(tmp_path / "ledger.jsonl", archive=False)
    led.record(analysis.forecast(before, "rot", as_of=AS_OF, horizon=1, track_record=False), before, now=NOW)
    # 2021 continues the cycle a, b, c, d from 2001: 'a'
    yes = record_question(led, _ask(before, direction="a"), before, now=NOW)
    no = record_question(led, _ask(before, direction="b"), before, now=NOW)
    later = record_question(led, _ask(before, start=D(2022, 1, 1), end=D(2022, 12, 31)), before, now=NOW)
    assert not yes["resolved"] and 0 < yes["probability"] < 1
    pending = score_questions(led.entries(), before, today=D(2021, 6, 1))
    assert [e["status"] for e in pending.entries] == ["pending"] * 3
    held = {"id": "R-2021", "series": "rot", "direction": "a", "start_date": "2021-09-15", "participants": "RUS"}
    after = _cat(tmp_path / "after", extra=[held], checked="2022-01-15")
    res = led.score(after, today=D(2022, 1, 20))
    questions = score_questions(led.entries(), after, today=D(2022, 1, 20))
    by = {e["id"]: e for e in questions.entries}
    assert [e["id"] for e in res.entries] == [1]  # the yearly forecast, scored as before
    p = yes["probability"]
    assert by[yes["id"]]["status"] == "resolved" and by[yes["id"]]["occurred"] is True
    assert by[yes["id"]]["brier"] == pytest.approx((p - 1) ** 2)
    assert by[yes["id"]]["log_score"] == pytest.approx(math.log(p))
    assert by[yes["id"]]["events"][0]["id"] == "R-2021"
    q = no["probability"]
    assert by[no["id"]]["occurred"] is False and by[no["id"]]["log_score"] == pytest.approx(math.log(1 - q))
    assert by[later["id"]]["status"] == "pending"
    s = questions.summary["replayed" if yes["replayed"] else "live"]
    assert s["n_resolved"] == 2 and s["mean_brier"] == pytest.approx(((p - 1) ** 2 + q ** 2) / 2)
    # a window that is over but not checked through its end cannot be resolved
    gap = score_questions(led.entries(), _cat(tmp_path / "gap", checked="2021-06-30"), today=D(2022, 1, 20))
    assert {e["id"]: e["status"] for e in gap.entries}[no["id"]] == "unresolvable"


def test_ask_record_verify_and_score_on_the_command_line(tmp_path, before, capsys):
    path = tmp_path / "q.jsonl"
    cat = str(before.path)
    argv = ["ask", "--catalogue", cat, "--series", "rot", "--year", "2021", "--direction", "a", "--as-of",
            "2021-03-01", "--record", "--ledger", str(path), "--format", "json"]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "recorded the question as entry 1" in out.err
    assert json.loads(out.out)["probability"] == Ledger(path).entries()[0]["probability"]
    assert main(["ledger", "verify", "--ledger", str(path)]) == 0
    assert "intact: 1 entry" in capsys.readouterr().out
    assert main(["ledger", "score", "--ledger", str(path), "--catalogue", cat, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["questions"]["entries"][0]["id"] == 1
    assert main(["ledger", "score", "--ledger", str(path), "--catalogue", cat]) == 0
    assert "questions (drillcast ask --record)" in capsys.readouterr().out


def test_the_question_schema_names_what_is_wrong(tmp_path, before):
    led = Ledger(tmp_path / "ledger.jsonl", archive=False)
    e = record_question(led, _ask(before), before, now=NOW)
    assert check_question_entry(e) is None
    for k in list(e):
        assert k in (check_question_entry({x: v for x, v in e.items() if x != k}) or ""), k
    bad = [({"probability": 1.5}, "'probability'"), ({"seed": -1}, "'seed'"), ({"as_of": "2021-02-30"}, "'as_of'"),
           ({"question": dict(e["question"], at_least=0)}, "at_least"),
           ({"question": dict(e["question"], end="2020-01-01")}, "end on or after"),
           ({"sha256": "x" * 64}, "'sha256'")]
    for change, needle in bad:
        assert needle in check_question_entry({**e, **change}), change
