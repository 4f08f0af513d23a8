"""The pooled model: recovery of simulated persistence, no peeking across series, calibration, Russia."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from drillcast.data.catalogue import load_catalogue
from drillcast.data.history import series_history
from drillcast.evaluation.backtest import backtest
from drillcast.forecasting import forecast
from drillcast.models import DEFAULT_MODEL
from drillcast.models.pooled import FEATURES, RATE_FEATURES, Pooled, fit_logistic, pooled_design, rotation_evidence
from drillcast.models.pooled_timing import PooledTiming

from .conftest import write_catalogue

D = dt.date


def _markov_catalogue(tmp_path, n_series, years, p_stay, p_back, seed, sd_days=10.0):
    """Recurring series held with P(held | held last year) = p_stay, P(held | not) = p_back."""
    rng = np.random.default_rng(seed)
    events, series = [], []
    for s in range(n_series):
        sid = f"s{s:03d}"
        series.append({"id": sid, "name": sid, "kind": "recurring", "directions": "", "events_per_year": "single",
                       "regular_participants": "",
                       "checked_through": D(years[1], 12, 31).isoformat()})  # simulated: complete
        mu = rng.uniform(60, 300)
        held = True
        for y in range(years[0], years[1] + 1):
            if y > years[0]:
                held = rng.random() < (p_stay if held else p_back)
            if held:
                day = int(np.clip(round(mu + rng.normal(0, sd_days)), 0, 364))
                events.append({"id": f"{sid.upper()}-{y}", "series": sid,
                               "start_date": (D(y, 1, 1) + dt.timedelta(days=day)).isoformat()})
    return load_catalogue(write_catalogue(tmp_path, events, series), warn=False)


def test_recovers_simulated_persistence(tmp_path):
    cat = _markov_catalogue(tmp_path, 60, (1980, 2009), 0.9, 0.3, seed=4)
    snap = cat.as_of(D(2010, 1, 1))
    hists = [series_history(snap, s) for s in snap.series_ids()]
    X, y, n_series = pooled_design(hists)
    # every series-year with a known outcome after the series' first year (years the catalogue's
    # evidence does not cover are unknown and left out)
    assert n_series == 60 and len(y) == sum(int(np.sum(h.known[1:])) for h in hists)
    assert 60 * 27 <= len(y) <= 60 * 29
    m = Pooled()
    from drillcast.models.pooled import _prior

    beta, _ = fit_logistic(X, y, *_prior(2.0))
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    h1 = X[:, FEATURES.index("held_1")] > 0
    # the fitted model's mean probability after a held / a missed year recovers 0.9 / 0.3
    assert p[h1].mean() == pytest.approx(0.9, abs=0.03)
    assert p[~h1].mean() == pytest.approx(0.3, abs=0.05)
    # and the forecast of a series one year ahead is the conditional probability of its last year
    for sid in snap.series_ids()[:10]:
        h = series_history(snap, sid)
        want = 0.9 if h.outcomes[-1] != h.none_index else 0.3
        assert forecast(snap, sid, model=m).year(2010).p_held == pytest.approx(want, abs=0.1)


def test_calibration_in_the_large_on_the_training_series(tmp_path):
    # at the maximum of a logistic likelihood with an intercept, predicted and observed totals agree;
    # the prior moves it by little when the data are many
    cat = _markov_catalogue(tmp_path, 40, (1980, 2005), 0.85, 0.4, seed=9)
    snap = cat.as_of(D(2006, 1, 1))
    X, y, _ = pooled_design([series_history(snap, s) for s in snap.series_ids()])
    from drillcast.models.pooled import _prior

    beta, _ = fit_logistic(X, y, *_prior(1.0))
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    assert abs(p.mean() - y.mean()) < 0.01


def test_start_intervals_cover_about_80_percent(tmp_path):
    cat = _markov_catalogue(tmp_path, 60, (1990, 2012), 0.95, 0.5, seed=2, sd_days=12.0)
    hits = n = 0
    for year in (2008, 2009, 2010, 2011, 2012):
        snap = cat.as_of(D(year, 1, 1))
        truth = cat.as_of(D(year + 1, 1, 1))
        for sid in cat.series_ids():
            h = series_history(snap, sid)
            t = series_history(truth, sid)
            if np.isnan(t.start_lo[-1]) or h.n_events < 2:
                continue
            pmf = PooledTiming().fit_in(snap, h).pooled
            c = np.cumsum(pmf)
            lo, hi = np.searchsorted(c, 0.1), np.searchsorted(c, 0.9)
            hits += int(lo <= t.start_lo[-1] <= hi)
            n += 1
    assert n > 200
    assert 0.72 <= hits / n <= 0.90


def _add_later_event(tmp_path, series, when):
    """The bundled rows plus one event of ``series`` reported only after ``when``."""
    import csv

    from .conftest import REPO

    with open(REPO / "data" / "exercises.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    extra = dict(rows[0], id="LATE-1", series=series, direction="", primary="yes",
                 start_date=(when + dt.timedelta(days=40)).isoformat(), end_date="", status="held",
                 first_reported="", status_reported="", dates_reported="")
    tmp_path.mkdir()
    with open(tmp_path / "exercises.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows + [extra])
    (tmp_path / "series.csv").write_bytes((REPO / "data" / "series.csv").read_bytes())
    return load_catalogue(tmp_path / "exercises.csv", warn=False)


@pytest.mark.parametrize("as_of", [D(2018, 1, 1), D(2020, 3, 1)])  # joint-sea held nothing in 2018, 2020
def test_no_peeking_across_series(tmp_path, bundled, as_of):
    # an event of ANOTHER series reported after the as-of date changes nothing of Russia's forecast...
    later = _add_later_event(tmp_path / "a", "joint-sea", as_of)
    a = forecast(bundled.as_of(as_of), "russia-strategic", model="pooled").to_dict()
    b = forecast(later.as_of(as_of), "russia-strategic", model="pooled").to_dict()
    assert a == b
    # ... while the same event, once its year is complete, does move the pooled fit (the test can fail)
    c = forecast(later.as_of(D(as_of.year + 1, 1, 1)), "russia-strategic", model="pooled")
    d = forecast(bundled.as_of(D(as_of.year + 1, 1, 1)), "russia-strategic", model="pooled")
    assert c.model_info != d.model_info


def test_model_info_names_what_the_pool_learnt_from(bundled):
    as_of = D(2026, 1, 1)
    snap = bundled.as_of(as_of)
    fc = forecast(snap, "joint-sea", model="pooled")
    # count independently: series-years with a known outcome after each series' first year
    n_series = n_rows = 0
    for sid in bundled.series_ids():
        h = series_history(snap, sid)
        rows = int(np.sum(h.known[1:]))
        n_series += rows > 0
        n_rows += rows
    assert fc.model_info["pooled"] == f"pooled over {n_series} series, {n_rows} series-years before {as_of}"
    from drillcast.present.render import forecast_text

    assert f"pooled over {n_series} series" in forecast_text([fc], bundled)


def test_rotation_weight_only_where_the_series_rotates(tmp_path):
    from .conftest import REC_SERIES, ROT_SERIES, cycle_events

    clean = load_catalogue(write_catalogue(tmp_path / "c", cycle_events(2001, 2016), [ROT_SERIES, REC_SERIES]))
    ev, hits, trials = rotation_evidence(series_history(clean.as_of(D(2017, 1, 1)), "rot"))
    assert (hits, trials) == (15, 15) and ev == pytest.approx(((16 / 17) - 0.25) / 0.75)
    order = "abcd"
    rng = np.random.default_rng(0)
    shuffled = [dict(e, direction=order[int(rng.integers(4))]) for e in cycle_events(2001, 2016)]
    noisy = load_catalogue(write_catalogue(tmp_path / "n", shuffled, [ROT_SERIES, REC_SERIES]))
    fit = Pooled().fit_in(noisy.as_of(D(2017, 1, 1)), series_history(noisy.as_of(D(2017, 1, 1)), "rot"))
    assert fit.weights["strict-rotation"] < 0.2


def test_default_keeps_russia_log_score(bundled):
    res = backtest(bundled, ["russia-strategic"], from_year=2013, to_year=2025, truth_as_of=D(2026, 11, 27),
                   models=[DEFAULT_MODEL["rotating"], "persistence", "climatology"], summary=False)
    score = {r["model"]: r["mean_log_score"] for r in res.summary}
    assert all(r["n"] == 13 for r in res.summary)
    assert score[DEFAULT_MODEL["rotating"]] >= -0.40
    assert score[DEFAULT_MODEL["rotating"]] > max(score["persistence"], score["climatology"])


# -- the one-pass design against the per-prefix definition

def _reference_period(held_years):
    if len(held_years) < 2:
        return 1, 0.0
    gaps = np.diff(held_years)
    P = max(1, int(round(float(np.median(gaps)))))
    return P, float(np.sum(gaps == P)) / (len(gaps) + 1.0)


def _reference_row(years, held, t, multi):
    """The feature row of year ``t`` recomputed from ``held[:t]`` alone (the model's definition)."""
    from drillcast.models.pooled import _features

    return _features(held[None, :t], multi, _reference_period(years[:t][held[:t] > 0]))[0]


def _random_records(seed, n=400):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        L = int(rng.choice([1, 2, 3, 4, 5, 8, 13, 30, 60, 130]))
        kind = i % 5
        if kind == 0:
            held = np.ones(L)
        elif kind == 1:
            held = np.zeros(L)
        elif kind == 2:  # periodic with noise: gaps of 2-4 years
            P = int(rng.integers(2, 5))
            held = ((np.arange(L) % P == 0) ^ (rng.random(L) < 0.1)).astype(float)
        else:
            held = (rng.random(L) < rng.uniform(0.1, 0.9)).astype(float)
        start = int(rng.integers(1950, 2000))
        years = np.arange(start, start + L)
        if i % 7 == 0:  # years need not be consecutive for the period
            years = start + np.cumsum(rng.integers(1, 3, size=L))
        out.append((years, held, bool(i % 3 == 0)))
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_prefix_features_equal_the_per_prefix_definition(seed):
    from drillcast.models.pooled import _prefix_features

    recent = [FEATURES.index(name) for name in RATE_FEATURES]  # recursions: equal up to rounding
    exact = [j for j in range(len(FEATURES)) if j not in recent]
    for years, held, multi in _random_records(seed):
        F = _prefix_features(years, held, multi)
        ref = np.array([_reference_row(years, held, t, multi) for t in range(1, len(held))]).reshape(-1, len(FEATURES))
        np.testing.assert_array_equal(F[1:, exact], ref[:, exact])
        np.testing.assert_allclose(F[1:, recent], ref[:, recent], rtol=1e-12, atol=1e-14)  # a logit: absolute near 0


def _reference_design(histories):
    """``pooled_design`` as first written: every prefix's row recomputed from scratch."""
    from drillcast.models.pooled import _base_record

    Xs, ys = [], []
    for h in histories:
        held, known = _base_record(h)
        rows = [(_reference_row(h.years, held, t, h.info.multi_event), held[t])
                for t in range(1, len(held)) if known[t]]
        if rows:
            Xs.append(np.array([r[0] for r in rows]))
            ys.append(np.array([r[1] for r in rows]))
    return np.concatenate(Xs), np.concatenate(ys), len(Xs)


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_pooled_design_equals_the_per_prefix_design(which, bundled, tmp_path):
    from drillcast.data.catalogue import load_catalogue as load
    from drillcast.data.simulate import write_synthetic

    if which == "bundled":  # unknown years (catalogue coverage), multi-event, rotating series
        cat, as_ofs = bundled, [D(2026, 1, 1), D(2019, 6, 30), D(2012, 1, 1)]
    else:
        cat = load(write_synthetic(tmp_path, n_series=14, first_year=1960, last_year=2020, seed=3), warn=False)
        as_ofs = [D(2021, 1, 1), D(1990, 7, 1)]
    recent = [FEATURES.index(name) for name in RATE_FEATURES]
    for as_of in as_ofs:
        snap = cat.as_of(as_of)
        hists = [series_history(snap, s) for s in snap.series_ids()]
        X, y, n = pooled_design(hists)
        X0, y0, n0 = _reference_design(hists)
        assert n == n0 and X.shape == X0.shape
        np.testing.assert_array_equal(y, y0)
        np.testing.assert_array_equal(np.delete(X, recent, axis=1), np.delete(X0, recent, axis=1))
        np.testing.assert_allclose(X[:, recent], X0[:, recent], rtol=1e-12, atol=1e-14)  # a logit: absolute near 0


# -- pooled timing: one-step-ahead deviations of every prefix at once

def _reference_one_step(ys, days, precise, rule):
    """Each day-precision start against the location of the starts before it, one prefix at a time."""
    from drillcast.models.pooled_timing import _location, _wrap

    return np.array([_wrap(days[j] - _location(ys[:j], days[:j], ys[j], rule))
                     for j in range(1, len(ys)) if precise[j]])


def _assert_same_deviations(a, b):
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)  # days; the median's picks are exactly equal


def test_one_step_deviations_equal_the_per_prefix_definition():
    from drillcast.models.pooled_timing import RULES, _one_step

    rng = np.random.default_rng(11)
    for i in range(150):
        m = int(rng.choice([1, 2, 3, 4, 7, 20, 60]))
        ys = np.sort(rng.choice(np.arange(1950, 2030), size=m, replace=False))
        if i % 4 == 0:  # integer days, many ties among candidate medians
            days = rng.integers(0, 365, size=m).astype(float)
        elif i % 4 == 1:  # clustered across the new year
            days = (rng.normal(0, 12, size=m).round() * 0.5) % 365
        else:
            days = (rng.vonmises(0, 3, size=m) * 365 / (2 * np.pi)).round() % 365
        precise = rng.random(m) < 0.8
        for rule in RULES:
            _assert_same_deviations(_one_step(ys, days, precise, rule), _reference_one_step(ys, days, precise, rule))


def test_one_step_deviations_equal_per_prefix_on_the_bundled_catalogue(bundled):
    from drillcast.models.pooled_timing import RULES, _one_step, series_starts

    for as_of in (D(2014, 1, 1), D(2020, 1, 1), D(2026, 1, 1)):
        snap = bundled.as_of(as_of)
        for sid in snap.series_ids():
            s = series_starts(series_history(snap, sid))
            for rule in RULES:
                _assert_same_deviations(_one_step(*s, rule), _reference_one_step(*s, rule))


def test_window_leaves_the_bundled_design_unchanged_and_bounds_long_catalogues(bundled, tmp_path):
    from drillcast.data.catalogue import load_catalogue as load
    from drillcast.data.simulate import write_synthetic
    from drillcast.models.pooled import WINDOW, _fit_snapshot

    for as_of in (D(2026, 1, 1), D(2015, 1, 1)):  # the bundled series are younger than the window
        snap = bundled.as_of(as_of)
        hists = [series_history(snap, s) for s in snap.series_ids()]
        full, windowed = pooled_design(hists), pooled_design(hists, since=as_of.year - WINDOW)
        for a, b in zip(full, windowed):
            np.testing.assert_array_equal(a, b)
        assert "since" not in _fit_snapshot(Pooled(), snap).describe()["pooled"]
    cat = load(write_synthetic(tmp_path, n_series=7, first_year=1950, last_year=2020, seed=1), warn=False)
    snap = cat.as_of(D(2021, 1, 1))
    hists = [series_history(snap, s) for s in snap.series_ids()]
    X, y, _ = pooled_design(hists, since=2021 - WINDOW)
    # rows: known years from 1981 on (every synthetic year is known), features from the whole record
    assert len(y) == sum(int(np.sum(h.known & (h.years >= 1981))) for h in hists)
    assert X[:, FEATURES.index("log_age")].min() == pytest.approx(min(np.log(1981 - h.years[0]) for h in hists))
    params = _fit_snapshot(Pooled(), snap)
    assert params.n_rows == len(y)
    assert params.describe()["pooled"] == f"pooled over 7 series, {len(y)} series-years since 1981, before 2021-01-01"
    assert _fit_snapshot(Pooled(window=None), snap).n_rows == len(pooled_design(hists)[1])
