"""Forecasts: invariants, no peeking, announcements, recovery of simulated rotations, sampling."""

from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import pytest

from drillcast.data.catalogue import load_catalogue
from drillcast.forecasting import Forecaster, forecast
from drillcast.data.history import series_history
from drillcast.models import MODELS

from .conftest import REC_SERIES, REPO, ROT_SERIES, codebook_known_from, cycle_events, write_catalogue

D = dt.date


@pytest.mark.parametrize("model", list(MODELS))
def test_invariants_every_model_every_series(bundled, model):
    snap = bundled.as_of(D(2025, 3, 1))
    for sid in bundled.series_ids():
        fc = forecast(snap, sid, model=model, horizon=3)
        if not fc.ok:
            assert fc.status == "insufficient_data" and fc.reason
            continue
        for y in fc.years:
            if y.outcomes is not None:
                assert sum(y.outcomes.values()) == pytest.approx(1.0, abs=1e-9)
                assert all(0 <= p <= 1 for p in y.outcomes.values())
                assert y.p_held == pytest.approx(1 - y.outcomes["none"])
            assert 0 <= y.p_held <= 1 and y.expected_count >= 0
            assert y.count_interval[0] <= y.count_interval[1]
            if y.start:
                qs = [y.start[k] for k in ("q025", "q10", "q25", "median", "q75", "q90", "q975")]
                assert qs == sorted(qs) and all(q.startswith(str(y.year)) for q in qs)
            for p in y.participants.values():
                assert 0 <= p <= y.p_held + 1e-12


def _drop_later_reports(src, folder, as_of):
    """Copy the bundled catalogue without the events first reported after ``as_of``."""
    folder.mkdir()
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keep = {r["id"] for r in rows if codebook_known_from(r) <= as_of}
    with open(folder / "exercises.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows([r for r in rows if r["id"] in keep])
    (folder / "series.csv").write_bytes((src.parent / "series.csv").read_bytes())
    return load_catalogue(folder / "exercises.csv"), len(rows) - len(keep)


@pytest.mark.parametrize("as_of", [D(2016, 1, 1), D(2023, 8, 1), D(2023, 9, 1), D(2025, 12, 20)])
def test_no_peeking_deleting_later_reports_changes_nothing(tmp_path, bundled, as_of):
    trimmed, n_dropped = _drop_later_reports(REPO / "data" / "exercises.csv", tmp_path / "t", as_of)
    assert n_dropped > 0  # the check is not vacuous
    for sid in bundled.series_ids():
        for model in ("ensemble", "climatology", "strict-rotation", "pooled"):
            a = forecast(bundled.as_of(as_of), sid, model=model).to_dict()
            b = forecast(trimmed.as_of(as_of), sid, model=model).to_dict()
            assert a == b, (sid, model)


def test_announcement_moves_forecast_but_not_to_certainty(bundled):
    before = forecast(bundled.as_of(D(2025, 12, 17)), "russia-strategic", model="calendar").year(2026)
    after = forecast(bundled.as_of(D(2025, 12, 18)), "russia-strategic", model="calendar").year(2026)
    assert after.outcomes["tsentr"] > before.outcomes["tsentr"] + 0.2
    assert 0.6 < after.outcomes["tsentr"] < 0.99
    assert "Tsentr-2026" in after.known


def test_cancellation_counts_only_once_reported(bundled):
    zap = [r for r in bundled.events("russia-strategic") if r["start"].year == 2023 and r["primary"]][0]
    reported = zap["status_reported"].high
    before = forecast(bundled.as_of(reported - dt.timedelta(days=1)), "russia-strategic", model="climatology").year(2023)
    after = forecast(bundled.as_of(reported), "russia-strategic", model="climatology").year(2023)
    assert before.outcomes["zapad"] > 0.5
    # once the cancellation is known and nothing else is announced, only a late-year start remains
    assert after.outcomes["zapad"] < before.outcomes["zapad"] and after.outcomes["none"] > 0.3


def test_current_year_start_never_before_as_of(bundled):
    as_of = D(2025, 9, 5)
    fc = forecast(bundled.as_of(D(2025, 8, 1)), "russia-strategic")
    y = fc.year(2025)
    assert y.start is not None and y.start["q025"] > "2025-08-01"
    fc = forecast(bundled.as_of(as_of), "joint-air-patrol")
    y = fc.year(2025)
    if y.start:
        assert y.start["q025"] > as_of.isoformat() or y.known.startswith("already held")


def test_held_this_year_is_certain(bundled):
    y = forecast(bundled.as_of(D(2025, 9, 20)), "russia-strategic").year(2025)
    assert y.outcomes["zapad"] == 1.0 and y.start["median"] == "2025-09-12"


def test_insufficient_data_for_a_short_series(tmp_path):
    path = write_catalogue(tmp_path, cycle_events(2019, 2019), [ROT_SERIES, REC_SERIES])
    fc = forecast(load_catalogue(path).as_of(D(2021, 1, 1)), "rot")
    assert fc.status == "insufficient_data" and "1 event" in fc.reason and fc.years == ()


def test_same_seed_same_json(bundled):
    snap = bundled.as_of(D(2024, 1, 1))
    a = json.dumps(forecast(snap, "russia-strategic", model="markov", seed=3).to_dict())
    b = json.dumps(forecast(snap, "russia-strategic", model="markov", seed=3).to_dict())
    assert a == b


def test_sample_marginals_match_forecast(bundled):
    snap = bundled.as_of(D(2026, 1, 1))
    for model in ("calendar", "changepoint", "markov", "ensemble", "climatology", "pooled"):
        fc = forecast(snap, "russia-strategic", model=model, horizon=3, seed=5)
        s = fc.sample(40_000, seed=11)
        assert s.outcomes.shape == (40_000, 3)
        for i, y in enumerate(fc.years):
            for j, c in enumerate(fc.categories):
                freq = np.mean(s.outcomes[:, i] == j)
                p = y.outcomes[c]
                assert abs(freq - p) < 4 * np.sqrt(p * (1 - p) / 40_000) + 0.012, (model, y.year, c)
        held = s.outcomes != len(fc.categories) - 1
        assert np.all((s.start_day >= 0) == held)


# --------------------------------------------------------------------------- recovery


def _simulate(tmp_path, n_years, q, seed, mu=258, kappa=60.0):
    """A 4-direction calendar rotation with disruption rate q and von Mises start days."""
    rng = np.random.default_rng(seed)
    events = []
    for i, y in enumerate(range(1950, 1950 + n_years)):
        if rng.random() < q:
            continue
        doy = int(round(mu + 365.25 / (2 * np.pi) * rng.vonmises(0.0, kappa))) % 365
        start = D(y, 1, 1) + dt.timedelta(days=doy)
        events.append({"id": f"S-{y}", "series": "rot", "direction": "abcd"[i % 4], "start_date": start.isoformat()})
    path = write_catalogue(tmp_path / f"sim{n_years}_{seed}", events, [ROT_SERIES, REC_SERIES])
    return load_catalogue(path).as_of(D(1950 + n_years, 1, 1))


@pytest.mark.parametrize("n_years", [16, 64])
def test_recovery_of_disruption_rate_and_rotation(tmp_path, n_years):
    q = 0.2
    errs_q, errs_hit, errs_mu = [], [], []
    for seed in range(6):
        snap = _simulate(tmp_path, n_years, q, seed)
        fc = forecast(snap, "rot", model="calendar", horizon=1)
        y = fc.years[0]
        nxt = "abcd"[n_years % 4]
        errs_hit.append(y.outcomes[nxt] - (1 - q))
        errs_q.append(y.outcomes["none"] - q)
        med = D.fromisoformat(y.start["median"]).timetuple().tm_yday - 1
        errs_mu.append(med - 258)
    # posterior predictive within a tolerance that shrinks like 1/sqrt(n): sd of a rate ~ sqrt(q(1-q)/n_phase)
    tol = 3 * np.sqrt(q * (1 - q) / (n_years / 4)) + 0.05
    assert abs(np.mean(errs_q)) < tol and abs(np.mean(errs_hit)) < tol
    assert abs(np.mean(errs_mu)) < 3 * (365.25 / (2 * np.pi) / np.sqrt(60)) * 3 / np.sqrt(n_years) + 2


def test_calendar_posterior_finds_period_four_and_changepoint_finds_break(tmp_path):
    ev = cycle_events(1990, 2013) + [{"id": f"B-{y}", "series": "rot", "direction": "a", "start_date": f"{y}-09-10"}
                                      for y in range(2014, 2024)]
    snap = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES])).as_of(D(2024, 1, 1))
    h = series_history(snap, "rot")
    cal = MODELS["calendar"].fit(series_history(snap.as_of(D(2014, 1, 1)), "rot")).describe()["period_posterior"]
    assert max(cal, key=cal.get) == "4"
    cp = MODELS["changepoint"].fit(h).describe()["change_year_posterior"]
    best = max(cp, key=cp.get)
    assert best in ("2013", "2014", "2015") and cp["none"] < 0.05
    y = forecast(snap, "rot", model="changepoint").year(2024)
    assert y.outcomes["a"] > 0.7


def test_ended_series_is_not_forecast_as_alive(tmp_path):
    ev = [{"id": f"E-{y}", "series": "rec", "start_date": f"{y}-05-10"} for y in range(1990, 2006)]
    snap = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES])).as_of(D(2020, 1, 1))
    y = forecast(snap, "rec", model="changepoint").year(2020)
    assert y.p_held < 0.2


def test_vectorised_evidence_equals_plain_formula():
    """_bma_components (lgamma tables, vectorised over alpha) vs calendar_evidence (math.lgamma per alpha)."""
    from drillcast.models.calendar import _bma_components, calendar_evidence

    rng = np.random.default_rng(4)
    years = np.arange(1990, 2015)
    outcomes = rng.integers(0, 5, size=len(years))
    ev, periods, post = _bma_components(years, outcomes, 5, (0.1, 0.5, 2.0), 6)
    for i, a in enumerate((0.1, 0.5, 2.0)):
        ref, counts = calendar_evidence(years, outcomes, 5, a, 6)
        np.testing.assert_allclose(ev[i * 6:(i + 1) * 6], ref, rtol=1e-12)
        for k in range(1, 7):
            np.testing.assert_allclose(post[i * 6 + k - 1, :k], counts[k - 1] + a)
    # hand check: one phase, counts (2, 0) with K = 2, alpha = 1: evidence = 1/2 * 2/3 = 1/3
    ev, _, _ = _bma_components(np.array([2000, 2001]), np.array([0, 0]), 2, (1.0,), 1)
    assert ev[0] == pytest.approx(np.log(1 / 3))


def test_day_draws_are_exact_inverse_cdf():
    """The guide-table sampler against the pmf it samples, by a chi-square test (scipy)."""
    from scipy import stats

    from drillcast.forecasting import _draw_days

    rng = np.random.default_rng(0)
    p = rng.random(366) ** 8
    p[:100] = 0.0  # days that cannot occur (e.g. before the as-of date) are never drawn
    p /= p.sum()
    q = p[::-1].copy()
    d = _draw_days([p, q], 200_000, np.random.default_rng(1))
    for i, pmf in enumerate((p, q)):
        f = np.bincount(d[:, i], minlength=366)
        assert f[pmf == 0].sum() == 0
        expected = pmf * len(d)
        keep = expected > 5
        chi2 = (((f - expected) ** 2)[keep] / expected[keep]).sum()
        assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_changepoint_equals_reference_loop(tmp_path, seed):
    from drillcast.models import ChangePoint

    rng = np.random.default_rng(seed)
    ev = [{"id": f"E{y}", "series": "rot", "direction": "abcd"[rng.integers(4)] if rng.random() < 0.8 else "other",
           "start_date": f"{y}-05-01"} for y in range(1980, 2000 + seed * 7) if rng.random() < 0.85]
    snap = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES])).as_of(D(2030, 1, 1))
    h = series_history(snap, "rot")
    m = ChangePoint(min_segment=1 + seed % 3)
    a, b = m.fit(h), m._fit_reference(h)
    years = list(range(2030, 2036))
    np.testing.assert_allclose(a.marginals(years), b.marginals(years), atol=1e-12)
    assert a.describe() == b.describe()


def test_count_distribution_is_the_gamma_poisson_mixture(bundled):
    """The predictive count, 1 + NegBin(a, 1/(b+1)) when held, against scipy.stats.nbinom."""
    from scipy import stats

    fitted = Forecaster(counts="gamma-poisson").fit(bundled.as_of(D(2026, 1, 1)), "joint-air-patrol")
    a, b = fitted.counts.a, fitted.counts.b
    dist = fitted._count_dist(2026, 0.8)
    k = np.arange(40)
    assert dist[0] == pytest.approx(0.2)
    np.testing.assert_allclose(dist[1:41], 0.8 * stats.nbinom.pmf(k, a, b / (b + 1)), atol=1e-12)


def test_glm_trend_counts_recover_a_growing_rate(tmp_path):
    """Simulated counts with rate exp(0.2 + 0.08 (year - 1990)): the GLM finds the trend, the forecast grows."""
    rng = np.random.default_rng(2)
    ev = []
    for y in range(1990, 2020):
        for j in range(1 + rng.poisson(np.exp(0.2 + 0.08 * (y - 1990)))):
            ev.append({"id": f"C-{y}-{j}", "series": "rec", "start_date": f"{y}-{1 + (j % 12):02d}-10"})
    snap = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES]), warn=False).as_of(D(2020, 1, 1))
    fc = Forecaster(counts="glm-trend").fit(snap, "rec").forecast(horizon=3)
    assert 1.06 < fc.model_info["trend_per_year"] < 1.10 + 0.05
    counts = [y.expected_count for y in fc.years]
    assert counts == sorted(counts) and counts[0] > 8
    truth = 1 + np.exp(0.2 + 0.08 * 30)
    assert abs(counts[0] - truth) < 0.35 * truth
    flat = Forecaster(counts="gamma-poisson").fit(snap, "rec").forecast(horizon=3)
    assert flat.years[2].expected_count < counts[2]


def test_count_pmf_is_a_distribution(bundled):
    for counts in ("gamma-poisson", "glm-trend"):
        fc = Forecaster(counts=counts).fit(bundled.as_of(D(2026, 1, 1)), "joint-air-patrol").forecast(horizon=3)
        for y in fc.years:
            assert y.count_pmf.sum() == pytest.approx(1.0) and y.count_pmf[0] == pytest.approx(1 - y.p_held)
            assert y.expected_count == pytest.approx(np.arange(len(y.count_pmf)) @ y.count_pmf)


@pytest.mark.parametrize("sid", ["russia-strategic", "union-shield", "joint-sea"])
def test_strict_rotation_exact_recursion_matches_simulation(bundled, sid):
    """The forward recursion over the rule's state (per theta node) against simulated paths,
    with and without a known first year."""
    from drillcast.models import StrictRotation

    h = series_history(bundled.as_of(D(2026, 1, 1)), sid)
    fit = StrictRotation().fit(h)
    years = [2026, 2027, 2028, 2029]
    o = np.zeros(len(h.categories))
    o[0], o[-1] = 0.8, 0.2
    for ovr in (None, [o, None, None, None]):
        exact = fit.marginals_with(years, ovr)
        paths = fit.sample(years, 200_000, np.random.default_rng(3), ovr)
        mc = np.stack([np.bincount(paths[:, i], minlength=len(h.categories)) for i in range(4)]) / len(paths)
        # binomial noise of the paths plus the noise of the 4,096 shared posterior draws of theta
        np.testing.assert_allclose(exact, mc, atol=4 * np.sqrt(0.25 / len(paths)) + 0.004)
        np.testing.assert_allclose(exact.sum(axis=1), 1.0)


def test_more_events_can_follow_in_the_current_year(bundled):
    """As of 2024-08-01 one 2024 air patrol is known (24 Jul); half the past patrols started later in the
    year, so a second one is expected with a sizeable probability (it came on 29 Nov)."""
    fc = forecast(bundled.as_of(D(2024, 8, 1)), "joint-air-patrol", horizon=1)
    y = fc.years[0]
    assert y.settled and y.known.startswith("held: ") and y.count_pmf[0] == 0
    assert 1.2 < y.expected_count < 2.5 and 0.2 < 1 - y.count_pmf[1] < 0.9
    late = forecast(bundled.as_of(D(2024, 12, 30)), "joint-air-patrol", horizon=1).years[0]
    assert late.expected_count < y.expected_count + 1  # two held by then; little of the year is left
    assert late.count_pmf[:2].sum() == 0 and late.count_pmf[2] > 0.8
