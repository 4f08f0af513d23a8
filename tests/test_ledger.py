"""The forecast ledger: hash chain, tamper evidence, concurrency, resolution and scores equal to the backtest's."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import subprocess
import sys

import pytest

from drillcast.cli import main
from drillcast.data.catalogue import load_catalogue
from drillcast.errors import DataError, ParameterError
from drillcast.evaluation.backtest import backtest
from drillcast.forecasting import Forecaster
from drillcast.ledger import GENESIS, Ledger, question_history, what_changed

from .conftest import REC_SERIES, REPO, ROT_SERIES, cycle_events, write_catalogue
from .test_cli import heavy_modules_after

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def _fcs(cat, as_of, series=("rot",), horizon=1, model="default"):
    snap = cat.as_of(as_of)
    return [Forecaster(model).fit(snap, s).forecast(horizon=horizon) for s in series]


def _by_hand_sha(entry):
    body = {k: v for k, v in entry.items() if k != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def rot_ledger(tmp_path, rot_catalogue):
    """A ledger of five entries: as of 1 Jan 2016..2020, one year each."""
    led = Ledger(tmp_path / "ledger.jsonl")
    for y in range(2016, 2021):
        led.record(_fcs(rot_catalogue, dt.date(y, 1, 1)), rot_catalogue, now=NOW)
    return led


# --------------------------------------------------------------------------- the chain


def test_entries_carry_the_issue_keys_and_chain_by_hand(rot_ledger, rot_catalogue):
    entries = rot_ledger.entries()
    assert [e["id"] for e in entries] == [1, 2, 3, 4, 5]
    for e in entries:
        assert {"id", "recorded_at", "as_of", "series", "year", "model", "forecast", "baselines", "catalogue_sha256",
                "checked_through", "drillcast_version", "prev_sha256", "sha256", "replayed"} <= set(e)
        assert {"outcomes", "p_held", "expected_count", "start", "participants"} <= set(e["forecast"])
        assert set(e["baselines"]) == {"uniform", "climatology"}
        assert e["sha256"] == _by_hand_sha(e)
        assert e["recorded_at"] == "2026-07-01T12:00:00Z"
        assert e["catalogue_sha256"] == rot_catalogue.sha256
        assert e["checked_through"] == rot_catalogue.checked_through("rot").isoformat()
    assert entries[0]["prev_sha256"] == GENESIS
    assert [e["prev_sha256"] for e in entries[1:]] == [e["sha256"] for e in entries[:-1]]
    # one line per entry, each the canonical JSON (keys sorted, no spaces)
    lines = rot_ledger.path.read_text(encoding="utf-8").splitlines()
    assert lines == [json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for e in entries]
    v = rot_ledger.verify()
    assert v.ok and v.n_entries == 5 and v.head_sha256 == entries[-1]["sha256"]


def test_forecast_stored_as_made(rot_ledger, rot_catalogue):
    e = rot_ledger.entries()[2]
    fc = _fcs(rot_catalogue, dt.date(2018, 1, 1))[0]
    y = fc.year(2018)
    assert e["forecast"]["outcomes"] == {k: float(v) for k, v in y.outcomes.items()}  # full precision
    assert e["forecast"]["start"] == y.start
    uni = e["baselines"]["uniform"]["outcomes"]
    assert list(uni.values()) == pytest.approx([1 / 6] * 6)  # a, b, c, d, other, none


@pytest.mark.parametrize("how, needle", [
    ("edit", "entry 2 was edited after it was recorded"),
    ("remove", "entry 2 was removed: line 2 holds entry 3"),
    ("swap", "entry 2 is out of place: line 2 holds entry 3"),
    ("rehash", "entry 3 does not follow entry 2"),
])
def test_verify_names_the_first_bad_entry(rot_ledger, capsys, how, needle):
    lines = rot_ledger.path.read_bytes().split(b"\n")
    if how == "edit":  # one byte of an old entry: a digit of a probability
        i = lines[1].index(b'"p_held":0.') + len(b'"p_held":0.')
        digit = lines[1][i:i + 1]
        lines[1] = lines[1][:i] + (b"1" if digit != b"1" else b"2") + lines[1][i + 1:]
    elif how == "remove":
        del lines[1]
    elif how == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    else:  # edited and re-hashed: the next entry's link breaks
        e = json.loads(lines[1])
        e["forecast"]["p_held"] = 0.5
        e["sha256"] = _by_hand_sha(e)
        lines[1] = json.dumps(e, sort_keys=True, separators=(",", ":")).encode()
    rot_ledger.path.write_bytes(b"\n".join(lines))
    assert main(["ledger", "verify", "--ledger", str(rot_ledger.path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    with pytest.raises(DataError, match=needle):
        rot_ledger.entries()


def test_interrupted_write_is_reported_never_dropped(rot_ledger, rot_catalogue, capsys):
    intact = rot_ledger.path.read_bytes()
    extra = Ledger(rot_ledger.path.with_name("other.jsonl"))
    extra.record(_fcs(rot_catalogue, dt.date(2020, 6, 1)), rot_catalogue, now=NOW)
    rot_ledger.path.write_bytes(intact + extra.path.read_bytes()[:300])  # a write cut short
    v = rot_ledger.verify()
    assert not v.ok and v.problem.line == 6 and v.problem.kind == "incomplete" and v.n_entries == 5
    assert main(["ledger", "verify", "--ledger", str(rot_ledger.path)]) == 2
    assert ":6: entry 6 is incomplete" in capsys.readouterr().err
    # score: refused, naming the first bad entry; with --allow-broken-ledger the five intact entries and a warning
    cat_path = rot_catalogue.path
    assert main(["--catalogue", cat_path, "ledger", "score", "--ledger", str(rot_ledger.path)]) == 2
    assert ":6: entry 6 is incomplete" in capsys.readouterr().err
    assert main(["--catalogue", cat_path, "ledger", "score", "--ledger", str(rot_ledger.path),
                 "--format", "json", "--allow-broken-ledger"]) == 0
    out = capsys.readouterr()
    assert ":6: entry 6 is incomplete" in out.err
    doc = json.loads(out.out)
    assert len(doc["entries"]) == 5 and doc["ledger"]["problem"]["line"] == 6
    # nothing is appended after a cut-short line
    with pytest.raises(DataError, match="nothing was recorded"):
        rot_ledger.record(_fcs(rot_catalogue, dt.date(2020, 6, 1)), rot_catalogue, now=NOW)
    assert rot_ledger.path.read_bytes() == intact + extra.path.read_bytes()[:300]
    # --repair removes only that line
    assert main(["ledger", "verify", "--repair", "--ledger", str(rot_ledger.path)]) == 0
    assert rot_ledger.path.read_bytes() == intact


def test_repair_never_removes_evidence_of_an_edit(rot_ledger, capsys):
    raw = rot_ledger.path.read_bytes().replace(b'"year":2017', b'"year":2018', 1)
    rot_ledger.path.write_bytes(raw)
    assert main(["ledger", "verify", "--repair", "--ledger", str(rot_ledger.path)]) == 2
    assert "only a cut-short last line is repaired" in capsys.readouterr().err
    assert rot_ledger.path.read_bytes() == raw


_WRITER = """
import datetime as dt, sys
from drillcast import load_catalogue
from drillcast.forecasting import Forecaster
from drillcast.ledger import Ledger
cat = load_catalogue(sys.argv[1])
fcs = [Forecaster().fit(cat.as_of(dt.date(2020, 1, 1)), "rot").forecast(horizon=int(sys.argv[3]), seed=int(sys.argv[4]))]
led = Ledger(sys.argv[2])
for _ in range(int(sys.argv[5])):
    led.record(fcs, cat)
"""


def test_two_concurrent_recorders_both_land_in_order(tmp_path, rot_catalogue):
    path = tmp_path / "ledger.jsonl"
    env_cmd = [sys.executable, "-c", _WRITER, rot_catalogue.path, str(path)]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    procs = [subprocess.Popen(env_cmd + ["4", str(seed), "6"], cwd=REPO, env=env, stderr=subprocess.PIPE)
             for seed in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    led = Ledger(path)
    v = led.verify()
    assert v.ok and v.n_entries == 2 * 6 * 4
    entries = led.entries()
    # each record() call lands as one block of four consecutive entries (years 2020..2023) of one process
    for i in range(0, len(entries), 4):
        block = entries[i:i + 4]
        assert [e["year"] for e in block] == [2020, 2021, 2022, 2023]
        assert len({e["seed"] for e in block}) == 1
    assert sorted(e["seed"] for e in entries) == [1] * 24 + [2] * 24
    assert [e["recorded_at"] for e in entries] == sorted(e["recorded_at"] for e in entries)


def test_replayed_live_and_future(tmp_path, rot_catalogue):
    led = Ledger(tmp_path / "l.jsonl")
    today = NOW.astimezone().date()
    past = led.record(_fcs(rot_catalogue, dt.date(2020, 1, 1)), rot_catalogue, now=NOW).entries
    live = led.record(_fcs(rot_catalogue, today), rot_catalogue, now=NOW).entries
    assert [e["replayed"] for e in past] == [True] and [e["replayed"] for e in live] == [False]
    with pytest.raises(ParameterError, match="after the recording date"):
        led.record(_fcs(rot_catalogue, today + dt.timedelta(days=2)), rot_catalogue, now=NOW)
    with pytest.raises(ParameterError, match="now: give a timezone-aware datetime"):
        led.record(_fcs(rot_catalogue, today), rot_catalogue, now=dt.datetime(2026, 7, 1))
    # live and replayed are summarised apart
    sc = led.score(rot_catalogue, today=dt.date(2026, 7, 1))
    assert sc.summary["live"]["n_entries"] == 1 and sc.summary["replayed"]["n_entries"] == 1
    assert [e["replayed"] for e in sc.live()] == [False]


def test_insufficient_data_is_skipped_and_said(tmp_path, rot_catalogue):
    led = Ledger(tmp_path / "l.jsonl")
    res = led.record(_fcs(rot_catalogue, dt.date(2020, 1, 1), series=("rot", "rec")), rot_catalogue, now=NOW)
    assert [e["series"] for e in res.entries] == ["rot"]
    assert [s["series"] for s in res.skipped] == ["rec"] and "events" in res.skipped[0]["reason"]


# --------------------------------------------------------------------------- resolution and scores


def test_scores_equal_the_backtest_on_the_bundled_catalogue(tmp_path):
    """Recorded as of 1 January of past years, resolved, scored: the same numbers as `drillcast backtest`."""
    cat = load_catalogue()
    led = Ledger(tmp_path / "ledger.jsonl")
    cuts = [dt.date(y, 1, 1) for y in (2014, 2017, 2020, 2023)]
    for c in cuts:
        led.record(_fcs(cat, c, series=cat.series_ids(), model="ensemble"), cat, now=NOW)
    sc = led.score(cat, today=NOW.date())
    assert sc.verification.ok
    sids = sorted({e["series"] for e in sc.entries})
    assert len(sids) >= 4
    truth = max(cat.checked_through(s) for s in sids)
    bt = backtest(cat, sids, cutoffs=cuts, models=["ensemble", "uniform", "climatology"], truth_as_of=truth)
    folds = {(f["series"], f["model"], f["cutoff"], f["year"]): f for f in bt.folds}
    resolved = [e for e in sc.entries if e["status"] == "resolved"]
    assert len(resolved) == len(bt.folds) // 3 >= 12
    for e in resolved:
        for model, scores in [(e["model"], e["scores"]), *e["baseline_scores"].items()]:
            f = folds[(e["series"], model, e["as_of"], e["year"])]
            assert scores == f["scores"]
            assert e["observed"] == f["observed"] and e["observed_start"] == f["observed_start"]
    # the summaries agree too: per series and model, mean scores and skill against the same baselines
    mine = {(r["series"], r["model"]): r for r in sc.summary["replayed"]["by_series"]}
    for r in bt.summary:
        m = mine[(r["series"], r["model"])]
        for k in ("n", "mean_log_score", "mean_brier", "mean_crps_days", "mean_count_rps", "coverage"):
            assert m[k] == r[k]
        for b, s in r["vs_baselines"].items():
            assert m["vs_baselines"][b]["skill"] == s["skill"]
            assert m["vs_baselines"][b]["mean_difference"] == s["mean_difference"]


def _rot_with(tmp_path, extra, last=2020, checked=""):
    """The rotating test series; checked through ``checked``, or (empty) through the latest report."""
    series = [dict(ROT_SERIES, checked_through=checked), dict(REC_SERIES, checked_through=checked)]
    return load_catalogue(write_catalogue(tmp_path / "cat", cycle_events(last=last) + extra, series))


def test_resolution_pending_gap_certain_and_resolved(tmp_path):
    cat = _rot_with(tmp_path, [], last=2019)  # checked through the latest report, 2019-09-15
    led = Ledger(tmp_path / "l.jsonl")
    led.record(_fcs(cat, dt.date(2019, 1, 1), horizon=3), cat, now=NOW)  # 2019, 2020, 2021
    sc = led.score(cat, today=dt.date(2020, 6, 1))
    assert [e["status"] for e in sc.entries] == ["resolved", "pending", "pending"]
    assert "was held" in sc.entries[0]["reason"]  # before the year's end: the outcome is certain
    sc = led.score(cat, today=dt.date(2022, 3, 1))
    assert [e["status"] for e in sc.entries] == ["resolved", "unresolvable", "unresolvable"]
    assert "coverage gap" in sc.entries[1]["reason"] and "checked only through 2019-09-15" in sc.entries[1]["reason"]
    # the outcome is added (2020 held, direction d; nothing in 2021) and the series checked into 2022
    later = _rot_with(tmp_path / "v2", [], last=2020, checked="2022-01-15")
    sc = led.score(later, today=dt.date(2022, 3, 1))
    assert [e["status"] for e in sc.entries] == ["resolved", "resolved", "resolved"]
    # a check dated after today counts only up to today
    assert [e["status"] for e in led.score(later, today=dt.date(2021, 6, 1)).entries] == [
        "resolved", "resolved", "pending"]
    e2020, e2021 = sc.entries[1], sc.entries[2]
    assert (e2020["observed"], e2021["observed"]) == ("d", "none")
    entries = led.entries()
    # log score by hand from the stored probabilities
    assert e2020["scores"]["log_score"] == pytest.approx(math.log(entries[1]["forecast"]["outcomes"]["d"]), abs=1e-6)
    assert e2021["scores"]["log_score"] == pytest.approx(math.log(entries[2]["forecast"]["outcomes"]["none"]), abs=1e-6)
    assert e2020["baseline_scores"]["uniform"]["log_score"] == pytest.approx(-math.log(6), abs=1e-6)
    # Brier by hand
    p = entries[1]["forecast"]["outcomes"]
    assert e2020["scores"]["brier"] == pytest.approx(sum((v - (k == "d")) ** 2 for k, v in p.items()), abs=1e-6)


def test_an_announced_year_never_resolved_is_unresolvable(tmp_path):
    cat = _rot_with(tmp_path, [{"id": "A-2021", "series": "rot", "direction": "d", "start_date": "2021",
                                "status": "announced", "first_reported": "2020-11-01"},
                               {"id": "X-2022", "series": "rot", "direction": "a", "start_date": "2022-03-01"}])
    led = Ledger(tmp_path / "l.jsonl")
    led.record(_fcs(cat, dt.date(2021, 1, 1)), cat, now=NOW)
    (e,) = led.score(cat, today=dt.date(2022, 6, 1)).entries
    assert e["status"] == "unresolvable" and "announced" in e["reason"]


def test_latest_and_what_changed(tmp_path):
    cat = _rot_with(tmp_path, [])
    led = Ledger(tmp_path / "l.jsonl")
    led.record(_fcs(cat, dt.date(2020, 1, 1), horizon=2), cat, now=NOW)
    led.record(_fcs(cat, dt.date(2020, 6, 1), horizon=2), cat, now=NOW)
    cat2 = _rot_with(tmp_path / "v2", [{"id": "X-2021", "series": "rot", "direction": "a", "start_date": "2021-03-01",
                                        "first_reported": "2020-10-01"}])
    led.record(_fcs(cat2, dt.date(2020, 11, 1), horizon=2), cat2, now=NOW)
    entries = led.entries()
    hist = question_history(entries, "rot", 2021)
    assert [h["id"] for h in hist] == [2, 4, 6]
    assert hist[0]["previous_id"] is None
    assert hist[2]["p_held_change"] == pytest.approx(entries[5]["forecast"]["p_held"] - entries[3]["forecast"]["p_held"], abs=1e-6)
    assert [h["catalogue_changed"] for h in hist[1:]] == [False, True]
    changed = what_changed(entries, replayed=True)
    assert [(c["series"], c["year"], c["previous_id"], c["id"]) for c in changed] == [("rot", 2020, 3, 5),
                                                                                     ("rot", 2021, 4, 6)]
    assert what_changed(entries) == []  # no live entries
    sc = led.score(cat2, today=dt.date(2022, 1, 1))
    assert [e["id"] for e in sc.entries if e["latest"]] == [5, 6]


# --------------------------------------------------------------------------- command line


def test_cli_workflow_record_score_verify_diff(tmp_path, capsys, monkeypatch):
    import drillcast.analysis as analysis
    import drillcast.ledger as ledger_module

    old = write_catalogue(tmp_path / "old", cycle_events(last=2019), [ROT_SERIES, REC_SERIES])
    new = write_catalogue(tmp_path / "new", cycle_events(last=2020), [ROT_SERIES, REC_SERIES])
    led = tmp_path / "ledger.jsonl"
    monkeypatch.setattr(analysis, "today", lambda: dt.date(2019, 12, 1))
    monkeypatch.setattr(ledger_module, "_utcnow", lambda: dt.datetime(2019, 12, 1, 12, tzinfo=UTC))
    assert main(["--catalogue", str(old), "ledger", "record", "--ledger", str(led), "--series", "rot",
                 "--as-of", "2019-12-01", "--horizon", "2"]) == 0
    assert "recorded 2 entries" in capsys.readouterr().out
    monkeypatch.setattr(analysis, "today", lambda: dt.date(2020, 10, 1))
    monkeypatch.setattr(ledger_module, "_utcnow", lambda: dt.datetime(2020, 10, 1, 12, tzinfo=UTC))
    assert main(["--catalogue", str(new), "ledger", "record", "--ledger", str(led), "--series", "rot",
                 "--as-of", "2020-10-01", "--horizon", "1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc["recorded"]] == [3] and doc["recorded"][0]["replayed"] is False
    assert main(["ledger", "verify", "--ledger", str(led)]) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    assert main(["--catalogue", str(new), "ledger", "score", "--ledger", str(led), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["summary"]) == {"live", "replayed"}
    e = doc["entries"][1]
    assert {"id", "series", "year", "model", "as_of", "recorded_at", "replayed", "status", "scores"} <= set(e)
    assert e["status"] == "resolved" and {"log_score", "brier", "crps_days", "covered_80"} <= set(e["scores"])
    assert main(["--catalogue", str(new), "ledger", "score", "--ledger", str(led), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("id,series,year")
    assert main(["--catalogue", str(new), "ledger", "diff", "--ledger", str(led), "--series", "rot",
                 "--year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "1 event added" in out and "+ R-2020" in out
    assert main(["ledger", "diff", "--ledger", str(led), "--series", "rot", "--year", "2020", "--format", "json"]) == 0
    moves = json.loads(capsys.readouterr().out)["moves"]
    assert [m["catalogue_diff"]["counts"]["added"] if m["catalogue_diff"] else None for m in moves] == [None, 1]


def test_cli_refusals(tmp_path, capsys, rot_catalogue):
    led = tmp_path / "l.jsonl"
    assert main(["ledger", "verify", "--ledger", str(led)]) == 2
    assert "no such ledger" in capsys.readouterr().err
    assert main(["ledger", "record", "--ledger", str(led), "--as-of", "2999-01-01"]) == 2
    assert "after today" in capsys.readouterr().err
    assert not led.exists()
    assert main(["--catalogue", rot_catalogue.path, "ledger", "record", "--ledger", str(led), "--series", "rot",
                 "--as-of", "2020-01-01", "--horizon", "1"]) == 0
    capsys.readouterr()
    assert main(["ledger", "diff", "--ledger", str(led), "--series", "rot", "--year", "1999"]) == 2
    assert "no entry for rot 1999; its questions: rot 2020" in capsys.readouterr().err


def test_ledger_option_errors_import_no_heavy_module():
    assert heavy_modules_after("try:\n    main(['ledger', 'record', '--help'])\nexcept SystemExit:\n    pass") == "[]"
    assert heavy_modules_after("main(['ledger', 'record', '--horizon', '0'])") == "[]"


def test_public_api_name():
    import drillcast

    assert drillcast.Ledger is Ledger


def test_done_when_record_today_add_the_outcome_get_the_live_score(tmp_path, capsys, monkeypatch):
    """The README's workflow: record today's forecast, later `data add` the outcome, score it live."""
    import drillcast.analysis as analysis
    import drillcast.ledger as ledger_module

    series = [dict(ROT_SERIES, checked_through="2020-01-10"), dict(REC_SERIES, checked_through="2020-01-10")]
    cat = write_catalogue(tmp_path / "cat", cycle_events(last=2019), series)
    led = str(tmp_path / "ledger.jsonl")
    monkeypatch.setattr(analysis, "today", lambda: dt.date(2020, 1, 10))
    monkeypatch.setattr(ledger_module, "_utcnow", lambda: dt.datetime(2020, 1, 10, 9, tzinfo=UTC))
    assert main(["--catalogue", str(cat), "ledger", "record", "--ledger", led, "--series", "rot"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(analysis, "today", lambda: dt.date(2020, 10, 1))
    assert main(["--catalogue", str(cat), "ledger", "score", "--ledger", led, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [e["status"] for e in doc["entries"]] == ["pending", "pending", "pending"]
    assert main(["--catalogue", str(cat), "data", "add", "--id", "R-2020", "--name", "R-2020", "--series", "rot",
                 "--direction", "d", "--start", "2020-09-15", "--status", "held", "--first-reported", "2020-09-01",
                 "--source", "https://example.org/r-2020", "--confidence", "high"]) == 0
    assert main(["--catalogue", str(cat), "ledger", "score", "--ledger", led, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    first = doc["entries"][0]
    assert (first["year"], first["replayed"], first["status"], first["observed"]) == (2020, False, "resolved", "d")
    live = doc["summary"]["live"]
    assert (live["n_resolved"], live["n_pending"]) == (1, 2)
    assert [r["model"] for r in live["overall"]][0] == first["model"]
    assert doc["summary"]["replayed"]["n_entries"] == 0
