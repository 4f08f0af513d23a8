"""The project's own live record, ``reports/ledger.jsonl``: verified on every run, append-only.

It was started on 2026-12-07 (issue 23) with ``drillcast ledger record --series all`` and six
``drillcast ask --record`` questions about 2027, made live on that day (not replayed).
"""

from __future__ import annotations

import datetime as dt
import json

from drillcast import analysis
from drillcast.data.catalogue import load_catalogue
from drillcast.ledger import Ledger

from .conftest import REPO

LEDGER = REPO / "reports" / "ledger.jsonl"
# The 36th entry's sha256 seals the 36 entries of 2026-12-07 (each entry hashes the one before):
# rewriting any of them, or the order, changes it. Later entries are appended after it, never before.
SEALED = (36, "a7f52389f103b4d754d6e17813d674deaaf8ac4db970bd00d59bf6e10cef6d37")


def _entries():
    with open(LEDGER, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_live_record_verifies():
    v = Ledger(LEDGER, archive=False).verify()
    assert v.ok, v.text()


def test_first_entries_are_never_rewritten():
    n, sha = SEALED
    entries = _entries()
    assert len(entries) >= n
    assert entries[n - 1]["id"] == n and entries[n - 1]["sha256"] == sha


def test_every_forecastable_series_has_a_live_forecast_of_the_first_day():
    cat = load_catalogue()
    first = [e for e in _entries() if e["recorded_at"].startswith("2026-12-07")]
    recorded = {e["series"] for e in first if e.get("kind") != "question" and not e["replayed"]}
    assert all(e["as_of"] == "2026-12-07" for e in first)
    fs = analysis.forecast(cat, None, as_of=dt.date(2026, 12, 7), horizon=1)
    forecastable = {f.series for f in fs if f.ok}
    assert forecastable and forecastable <= recorded


def test_at_least_five_questions_about_2027():
    qs = [e for e in _entries() if e.get("kind") == "question" and not e["replayed"]]
    about_2027 = [q for q in qs if q["question"]["start"].startswith("2027")]
    assert len(about_2027) >= 5
    assert {q["question"]["series"] for q in about_2027} >= {"russia-strategic", "joint-air-patrol", "joint-sea",
                                                            "union-shield"}
    assert all(0.0 <= q["probability"] <= 1.0 for q in about_2027)
