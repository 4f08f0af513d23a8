"""Backtests: vintage-correct folds, perfect forecaster, baselines on the same folds, determinism."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import pytest

from drillcast.analysis import track_records
from drillcast.evaluation.backtest import backtest, default_cutoffs
from drillcast.models.base import IndependentFit, OutcomeModel

from .conftest import codebook_known_from

D = dt.date


@pytest.fixture(scope="module")
def russia(request):
    from drillcast.data.catalogue import load_catalogue

    cat = load_catalogue()
    return cat, backtest(cat, "russia-strategic", truth_as_of=D(2026, 11, 27),
                         models=["uniform", "climatology", "persistence", "strict-rotation", "calendar", "ensemble"])


def test_default_cutoffs_start_after_five_years_of_history(bundled):
    cuts = default_cutoffs(bundled, "russia-strategic", D(2026, 11, 27))
    assert cuts[0] == D(2013, 1, 1) and cuts[-1] == D(2025, 1, 1)


def test_every_fold_is_vintage_correct(russia):
    cat, res = russia
    assert res.folds
    for f in res.folds:
        cutoff = D.fromisoformat(f["cutoff"])
        assert cutoff <= D(f["year"], 1, 1)
        assert f["latest_report_used"] is None or f["latest_report_used"] <= f["cutoff"]
    # and the snapshot used really excludes later reports (recomputed from the CSV by the codebook's rule)
    with open(cat.path, newline="", encoding="utf-8") as fh:
        known = {row["id"]: codebook_known_from(row) for row in csv.DictReader(fh)}
    for cut in {f["cutoff"] for f in res.folds}:
        snap = cat.as_of(D.fromisoformat(cut))
        assert {r["id"] for r in snap.records} == {i for i, k in known.items() if k <= D.fromisoformat(cut)}


def test_all_models_scored_on_the_same_folds(russia):
    _, res = russia
    keys = {}
    for f in res.folds:
        keys.setdefault(f["model"], set()).add((f["cutoff"], f["year"]))
    assert len({frozenset(v) for v in keys.values()}) == 1
    (n,) = {s["n"] for s in res.summary}
    assert n == 13


def test_fold_record_contract(russia):
    _, res = russia
    f = res.folds[0]
    for k in ("series", "model", "cutoff", "year", "outcomes", "observed", "p_held", "occurred", "start",
              "observed_start", "scores"):
        assert k in f
    assert f["observed"] in f["outcomes"]
    assert sum(f["outcomes"].values()) == pytest.approx(1, abs=1e-5)
    assert np.isclose(f["scores"]["log_score"], np.log(max(f["outcomes"][f["observed"]], 1e-4)), atol=1e-5)


def test_uniform_scores_log_one_sixth(russia):
    _, res = russia
    (u,) = [s for s in res.summary if s["model"] == "uniform"]
    assert u["mean_log_score"] == pytest.approx(np.log(1 / 6), abs=1e-4)
    assert u["mean_brier"] == pytest.approx(1 - 2 / 6 + 6 / 36, abs=1e-4)  # sum (1/6 - e_k)^2


def test_summary_sorted_best_first_with_skill_against_baselines(russia):
    _, res = russia
    scores = [s["mean_log_score"] for s in res.summary]
    assert scores == sorted(scores, reverse=True)
    best = res.summary[0]
    assert set(best["vs_baselines"]) >= {"uniform", "climatology"} - {best["model"]}
    for b in best["vs_baselines"].values():
        assert 0 < b["p_value"] <= 1 and b["n"] == best["n"]


@dataclass(frozen=True)
class Oracle(OutcomeModel):
    """Knows the truth: puts probability 1 on what happened."""

    truth: tuple = ()
    name = "oracle"
    uses_knowledge = False  # announcements would only blur a perfect forecast

    def fit(self, history):
        truth = dict(self.truth)
        cats = history.categories

        class _Fit(IndependentFit):
            name = "oracle"
            categories = cats

            def marginals(self, years):
                out = np.zeros((len(years), len(cats)))
                for i, y in enumerate(years):
                    out[i, cats.index(truth[int(y)])] = 1.0
                return out

            def _param_draws(self, years, n, rng):
                return np.repeat(self.marginals(years)[None], n, axis=0)

        return _Fit()


def test_perfect_forecaster_scores_perfectly(bundled):
    from drillcast.data.history import series_history

    h = series_history(bundled.as_of(D(2026, 1, 1)), "russia-strategic")
    oracle = Oracle(truth=tuple((int(y), lab) for y, lab in zip(h.years, h.labels)))
    res = backtest(bundled, "russia-strategic", models=[oracle, "uniform"], truth_as_of=D(2026, 1, 1))
    (o,) = [s for s in res.summary if s["model"] == "oracle"]
    assert o["mean_log_score"] == 0 and o["mean_brier"] == 0 and o["mean_held_brier"] == 0
    assert o["vs_baselines"]["uniform"]["skill"] == 1.0


def test_identical_results_across_runs(bundled):
    kw = dict(models=["markov", "climatology"], truth_as_of=D(2026, 1, 1), horizon=2)
    a = json.dumps(backtest(bundled, ["joint-sea", "russia-strategic"], **kw).to_dict(), sort_keys=True)
    b = json.dumps(backtest(bundled, ["joint-sea", "russia-strategic"], **kw).to_dict(), sort_keys=True)
    assert a == b


def test_track_record_uses_only_the_past(bundled):
    tr = track_records(bundled, ["russia-strategic"], D(2020, 1, 1), model="calendar")["russia-strategic"]
    assert tr["to"] == 2019 and tr["n"] == 2019 - 2013 + 1
    assert tr["mean_log_score"] > tr["uniform_mean_log_score"]


def test_default_cutoffs_are_the_last_15_years_unless_from_is_given(tmp_path):
    from drillcast.data.catalogue import load_catalogue
    from tests.conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

    cat = load_catalogue(write_catalogue(tmp_path, cycle_events(1970, 2020), [ROT_SERIES, REC_SERIES]))
    cuts = default_cutoffs(cat, "rot", D(2021, 6, 1))
    assert cuts == [D(y, 1, 1) for y in range(2006, 2021)]  # 2006..2020: 15 years, not 1975..2020
    assert default_cutoffs(cat, "rot", D(2021, 6, 1), from_year=1990)[0] == D(1990, 1, 1)
    short = load_catalogue(write_catalogue(tmp_path / "s", cycle_events(2010, 2020), [ROT_SERIES, REC_SERIES]))
    assert default_cutoffs(short, "rot", D(2021, 6, 1))[0] == D(2015, 1, 1)  # 5 years of history first
