"""Issue 24: the prior's scale set by the data, stacking of the default's components, calibrated starts, no peeking."""

from __future__ import annotations

import csv
import datetime as dt
import itertools

import numpy as np
import pytest

from drillcast.data.catalogue import load_catalogue
from drillcast.data.history import series_history
from drillcast.evaluation.backtest import backtest
from drillcast.forecasting import forecast
from drillcast.models.baselines import StrictRotation
from drillcast.models.pooled import (PRIOR_RULES, Pooled, _design_rows, _fit_at, _prior, choose_prior_sd,
                                     log_evidence, pooled_design)
from drillcast.models.stacking import rule_one_step, stack_weights

from .conftest import REPO, ROT_SERIES, cycle_events, write_catalogue

D = dt.date


# -- the prior's scale: the data, not a grid edge, set it


def test_evidence_search_finds_the_brute_force_maximum_below_the_old_grid(bundled):
    snap = bundled.as_of(D(2026, 1, 1))
    X, y, _ = pooled_design([series_history(snap, s) for s in snap.series_ids()])
    fine = np.geomspace(1e-3, 10.0, 400)
    for rule in PRIOR_RULES:
        ev = []
        for sd in fine:  # brute force: the evidence at 400 scales, each fitted from the prior mean
            mean, prec = _prior(float(sd), rule)
            beta, cov = _fit_at(X, y, float(sd), None, rule)[:2]
            ev.append(log_evidence(X, y, beta, cov, mean, prec))
        sd, _, _, best = choose_prior_sd(X, y, rule=rule)
        assert best >= max(ev) - 1e-6  # the search is at least as good as the finest grid
        assert abs(np.log(sd) - np.log(fine[int(np.argmax(ev))])) < 0.05 or best > max(ev)
    # the old grid's edge (0.25) is not where the maximum is: the evidence rises below it
    sd, *_ = choose_prior_sd(X, y, rule="recent_rate")
    assert sd < 0.25


def test_evidence_search_is_interior_when_the_data_call_for_it():
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(3000), rng.normal(size=(3000, 14))])
    beta = np.zeros(15)
    beta[1], beta[0] = 0.6, 0.3
    y = (rng.random(3000) < 1 / (1 + np.exp(-(X @ beta)))).astype(float)
    sd, *_ = choose_prior_sd(X, y, rule="recent_rate")
    fine = np.geomspace(0.01, 10, 300)
    ev = [_fit_at(X, y, float(s), None, "recent_rate")[2] for s in fine]
    assert fine[0] < sd < fine[-1]
    assert abs(np.log(sd) - np.log(fine[int(np.argmax(ev))])) < 0.05


# -- stacking


def _objective(L, w, n0=0.0, prior=None):
    return float(np.sum(np.log(L @ w))) + (n0 * float(prior @ np.log(w)) if n0 else 0.0)


def test_stack_weights_maximise_the_log_score_against_a_simplex_grid():
    rng = np.random.default_rng(0)
    L = rng.uniform(0.05, 1.0, size=(60, 3))
    L[:20, 1] *= 3  # component 1 better on the first group
    groups = np.repeat(np.array(["a", "b", "c"], dtype=object), 20)
    pooled, per = stack_weights(L, groups, n0=5.0)
    grid = [np.array(w) / 100 for w in itertools.product(range(1, 100), repeat=2) if sum(w) < 100]
    grid = [np.append(w, 1 - w.sum()) for w in grid]
    flat = np.full(3, 1 / 3)
    best = max(grid, key=lambda w: _objective(L, w, 1.0, flat))
    assert _objective(L, pooled, 1.0, flat) >= _objective(L, best, 1.0, flat) - 1e-6
    for g in ("a", "b", "c"):
        m = groups == g
        best = max(grid, key=lambda w: _objective(L[m], w, 5.0, pooled))
        assert _objective(L[m], per[g], 5.0, pooled) >= _objective(L[m], best, 5.0, pooled) - 1e-6
    assert per["a"][1] > pooled[1]  # shrunk toward the pooled weights, but moved by the group's own record


def test_rule_one_step_is_the_strict_rule_fitted_on_the_years_before(tmp_path):
    rng = np.random.default_rng(5)
    ev = [e for e in cycle_events(2001, 2020) if rng.random() < 0.85]
    ev = [dict(e, direction="abcd"[int(rng.integers(4))]) if rng.random() < 0.2 else e for e in ev]
    cat = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES]), warn=False)
    one = rule_one_step(series_history(cat.as_of(D(2021, 1, 1)), "rot"))
    for y in range(2003, 2021):
        h = series_history(cat.as_of(D(y, 1, 1)), "rot")
        want = StrictRotation().fit(h).marginals([y])[0]
        np.testing.assert_allclose(one[y][1], want, rtol=1e-12)


def test_a_series_that_keeps_its_cycle_gets_the_rotation_rule(bundled):
    fc = forecast(bundled.as_of(D(2019, 1, 1)), "russia-strategic", model="pooled")
    w = fc.model_info["stack_weights"]
    assert w["strict-rotation"] > max(w["pooled"], w["uniform"])


def test_default_meets_issue_24_on_the_bundled_catalogue(bundled):
    truth = D(2026, 11, 27)
    res = backtest(bundled, ["russia-strategic"], from_year=2013, to_year=2025, truth_as_of=truth,
                   models=["pooled", "strict-rotation"], summary=False)
    score = {r["model"]: r["mean_log_score"] for r in res.summary}
    assert all(r["n"] == 13 for r in res.summary)
    assert score["pooled"] >= -0.355
    res = backtest(bundled, ["joint-sea"], truth_as_of=truth, models=["pooled", "uniform"], summary=False)
    score = {r["model"]: r["mean_log_score"] for r in res.summary}
    assert score["pooled"] >= score["uniform"] - 0.05


# -- no peeking: what happens after the cutoff changes nothing


def _perturbed_after(tmp_path, when):
    """The bundled rows with every event starting after ``when`` moved by 20 days, and one in two dropped."""
    with open(REPO / "data" / "exercises.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, r in enumerate(rows):
        start = r["start_date"]
        if len(start) == 10 and D.fromisoformat(start) > when + dt.timedelta(days=400):
            if i % 2:
                continue
            r = dict(r, start_date=(D.fromisoformat(start) + dt.timedelta(days=20)).isoformat(), end_date="",
                     first_reported="", dates_reported="", status_reported="")
        out.append(r)
    tmp_path.mkdir()
    with open(tmp_path / "exercises.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    (tmp_path / "series.csv").write_bytes((REPO / "data" / "series.csv").read_bytes())
    return load_catalogue(tmp_path / "exercises.csv", warn=False)


@pytest.mark.parametrize("as_of", [D(2019, 1, 1), D(2022, 1, 1)])
def test_weights_and_calibration_use_nothing_after_the_cutoff(tmp_path, bundled, as_of):
    later = _perturbed_after(tmp_path / "p", as_of)
    for sid in ("russia-strategic", "joint-sea", "peace-mission"):
        a = forecast(bundled.as_of(as_of), sid).to_dict()
        b = forecast(later.as_of(as_of), sid).to_dict()
        assert a == b
    # the perturbation is not empty: seen from after it, the forecast moves
    end = D(2026, 1, 1)
    assert forecast(bundled.as_of(end), "joint-sea").to_dict() != forecast(later.as_of(end), "joint-sea").to_dict()


def test_one_step_rows_are_before_the_cutoff(bundled):
    snap = bundled.as_of(D(2020, 6, 1))
    hists = [series_history(snap, s) for s in snap.series_ids()]
    _, _, years, _, _ = _design_rows(hists, None)
    assert years.max() <= 2019


# -- calibrated start intervals


def test_start_intervals_hold_80_percent_of_the_pooled_one_step_errors(tmp_path):
    from drillcast.models.pooled_timing import PooledTiming
    from drillcast.models.timing import quantile_days

    from .test_pooled import _markov_catalogue

    cat = _markov_catalogue(tmp_path, 40, (1990, 2012), 0.95, 0.5, seed=7, sd_days=15.0)
    hits = n = 0
    for year in range(2004, 2013):
        snap, truth = cat.as_of(D(year, 1, 1)), cat.as_of(D(year + 1, 1, 1))
        for sid in cat.series_ids():
            h, t = series_history(snap, sid), series_history(truth, sid)
            if np.isnan(t.start_lo[-1]) or h.n_events < 2:
                continue
            lo, hi = quantile_days(PooledTiming().fit_in(snap, h).pooled, [0.1, 0.9])
            hits += int(lo <= t.start_lo[-1] <= hi)
            n += 1
    assert n > 150
    assert 0.74 <= hits / n <= 0.86


def test_conformal_factor_is_one_when_switched_off_and_moves_with_the_errors(bundled):
    from drillcast.models.pooled_timing import PooledTiming

    snap = bundled.as_of(D(2026, 1, 1))
    assert PooledTiming(calibrate=False).pooled(snap).width == 1.0
    w = PooledTiming().pooled(snap).width
    assert 0.5 <= w <= 2.0


# -- recalibration of the regression's one-step-ahead forecasts


def test_recalibration_recovers_a_known_map_and_keeps_calibrated_forecasts():
    from drillcast.models.pooled import recalibration

    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, 40_000)
    logit = np.log(p / (1 - p))
    age = np.zeros(len(p))
    y = (rng.random(len(p)) < 1 / (1 + np.exp(-(0.5 + 0.8 * logit)))).astype(float)
    a, b = recalibration(p, y, age, sd=100.0)  # a flat prior: the maximum likelihood map
    assert a == pytest.approx(0.5, abs=0.05) and b == pytest.approx(0.8, abs=0.05)
    y = (rng.random(len(p)) < p).astype(float)
    a, b = recalibration(p, y, age)
    assert abs(a) < 0.05 and abs(b - 1) < 0.05
