"""Fast paths give the numbers of the plain code they replaced, bit for bit.

Each test keeps the former, obvious implementation (from the commit before issue 24's speed work)
as the reference and compares on the bundled catalogue and on random inputs, with the same seeds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from drillcast.data.history import series_history
from drillcast.forecasting import Forecaster, _draw_days, announcement_reliability

D = dt.date
AS_OF = D(2026, 1, 1)


# --------------------------------------------------------------------------- sampling


def _reference_days(pmfs, n, rng):
    """Inverse CDF of every path and year: the first day whose CDF exceeds the uniform."""
    cdf = np.stack([np.cumsum(p) / p.sum() if p.sum() > 0 else np.linspace(1 / 366, 1, 366) for p in pmfs])
    cdf[:, -1] = 1.0
    u = rng.random((n, len(pmfs)))
    return np.stack([np.searchsorted(cdf[h], u[:, h], side="right") for h in range(len(pmfs))], axis=1)


def test_start_days_are_the_inverse_cdf_draws():
    rng = np.random.default_rng(3)
    pmfs = [rng.random(366) ** 8, np.r_[np.zeros(200), np.ones(10), np.zeros(156)], np.zeros(366),
            np.r_[np.full(365, 1e-9), 0.0], np.r_[1.0, np.zeros(365)]]
    pmfs[0][[5, 300, 365]] = 0.0
    for seed in range(5):
        got = _draw_days(pmfs, 3000, np.random.default_rng(seed))
        ref = _reference_days(pmfs, 3000, np.random.default_rng(seed))
        assert got.dtype == np.int64 and np.array_equal(got, ref)


def test_pooled_leaf_search_is_the_shifted_searchsorted():
    from drillcast.models.base import leaf_search, leaf_table
    from drillcast.models.pooled import N_DRAWS

    rng = np.random.default_rng(5)
    for L in (2, 8, 1024):
        prob = rng.random((L, N_DRAWS)) ** 12
        prob[rng.random((L, N_DRAWS)) < 0.3] = 0.0
        prob[0] = 0.0  # a first leaf that cannot happen
        prob[-1] += 1e-300
        c = np.cumsum(prob, axis=0)
        c /= c[-1:]
        flat = (c + np.arange(N_DRAWS)[None, :]).T.ravel()
        fast_flat, guide = leaf_table(prob)
        assert fast_flat.tobytes() == flat.tobytes()
        draw = rng.integers(N_DRAWS, size=20_000)
        u = rng.random(20_000)
        u[:100] = np.nextafter(1.0, 0.0)  # u + draw rounds up to the next draw's start
        u[100:200] = np.minimum(c[rng.integers(L, size=100), draw[100:200]], u[0])  # exactly on a CDF value
        u[200:300] = 0.0
        ref = np.clip(np.searchsorted(flat, u + draw, side="right") - draw * L, 0, L - 1)
        assert np.array_equal(leaf_search(flat, guide, L, draw, u), ref)


@pytest.mark.parametrize("sid", ["russia-strategic", "joint-sea", "peace-mission"])
def test_strict_rotation_fast_loop_draws_the_same_paths(bundled, sid):
    for as_of in (D(2012, 1, 1), AS_OF, D(2026, 10, 1)):
        fitted = Forecaster("strict-rotation").fit(bundled.as_of(as_of), sid)
        if fitted.status != "ok":
            continue
        fit, years = fitted.outcome_fit, list(range(as_of.year, as_of.year + 7))
        overrides, _ = fitted._overrides(years)
        theta = np.random.default_rng(1).beta(fit.a, fit.b, size=5000)
        for ovr in (None, overrides):
            a = fit._sample_loop(years, 5000, np.random.default_rng(2), ovr, theta)
            if fit.rotating and fit.anchor is not None:
                b = fit._sample_anchored(years, 5000, np.random.default_rng(2), ovr, theta)
                assert np.array_equal(a, b)


def _reference_pooled_sample(fit, years, n, rng, overrides):
    """PooledFit.sample_clustered before the guide tables: one search over every draw's shifted leaf CDF,
    and the direction of a held year the members left empty drawn for every path and year."""
    from drillcast.models.pooled import N_DRAWS

    span, fixed = fit._fixed(years, overrides)
    prob, paths = fit._tree(span, fixed)
    c = np.cumsum(prob, axis=0)
    c /= c[-1:]
    draw = rng.integers(N_DRAWS, size=n)
    u = rng.random(n)
    L = len(paths)
    flat = (c + np.arange(N_DRAWS)[None, :]).T.ravel()
    leaf = np.searchsorted(flat, u + draw, side="right") - draw * L
    held = paths[np.clip(leaf, 0, L - 1)][:, [int(y) - span[0] for y in years]] > 0
    K = len(fit.categories)
    if fit.directions is None:
        return np.where(held, 0, K - 1)
    lab, _ = fit.directions.sample_clustered(years, n, rng, overrides)
    cond = np.cumsum(fit._direction_marginals(years, overrides), axis=1)
    redraw = np.minimum((rng.random((n, len(years), 1)) >= cond[None, :, :]).sum(axis=-1), K - 2)
    return np.where(held, np.where(lab == K - 1, redraw, lab), K - 1)


@pytest.mark.parametrize("sid", ["russia-strategic", "joint-sea", "china-russia-interaction"])
def test_pooled_paths_equal_the_former_sampler(bundled, sid):
    for as_of in (D(2015, 6, 1), AS_OF, D(2026, 10, 1)):
        fitted = Forecaster("pooled").fit(bundled.as_of(as_of), sid)
        if fitted.status != "ok":
            continue
        core = getattr(fitted.outcome_fit, "core", fitted.outcome_fit)  # the regression inside the stack
        years = list(range(as_of.year, as_of.year + 5))
        overrides, _ = fitted._overrides(years)
        for seed, n in ((0, 3000), (1, 9000)):
            got, _ = core.sample_clustered(years, n, np.random.default_rng(seed), overrides)
            ref = _reference_pooled_sample(core, years, n, np.random.default_rng(seed), overrides)
            assert np.array_equal(got, ref)


# --------------------------------------------------------------------------- snapshots


def test_one_step_deviations_reused_across_records_that_begin_alike():
    from drillcast.models import pooled_timing as pt

    rng = np.random.default_rng(8)
    for i in range(40):
        n = int(rng.integers(2, 50))
        ys = np.sort(rng.choice(np.arange(1600, 2030), size=n, replace=False)).astype(int)  # spans past 350 years too
        days = (rng.integers(0, 12, size=n) * 30.0) if i % 2 else rng.integers(0, 365, size=n) + rng.choice([0, 0.5], n)
        precise = rng.random(n) < 0.8
        revised = days.copy()
        revised[n // 2] = (revised[n // 2] + 40) % 365
        # longest first (a forecast, then its backtest), then growing (a backtest alone), then a revision
        for m, d in [(n, days)] + [(m, days) for m in range(2, n + 1, 3)] + [(n, revised), (n, days)]:
            memo = {}
            for rule in pt.RULES:
                got = pt._one_step_reused(f"s{i % 5}", ys[:m], d[:m], precise[:m], rule, memo)
                assert got.tobytes() == pt._one_step(ys[:m], d[:m], precise[:m], rule).tobytes()


def _reference_history_arrays(snap, sid):
    """The yearly arrays as series_history built them before issue 24 (per-year dates and writes)."""
    info = snap.get_series(sid)
    cur = snap.as_of_date.year
    events = [r for r in snap.events(sid) if r["primary"]]
    held_by_year, unresolved = {}, set()
    for r in events:
        if r["status"] == "held":
            held_by_year.setdefault(r["start"].year, []).append(r)
        elif r["status"] == "announced" and r["start"].year < cur:
            unresolved.add(r["start"].year)
    known_years = [r["start"].year for r in events if r["status"] in ("held", "cancelled", "postponed")]
    first = min(min(known_years) if known_years else cur, cur)
    years = np.arange(first, cur)
    evidence = snap.evidence_date(sid)
    known = np.array([int(y) in held_by_year or (int(y) not in unresolved and evidence >= D(int(y), 12, 31))
                      for y in years], dtype=bool)
    while len(years) and not known[-1] and evidence < D(int(years[-1]), 12, 31):
        years, known = years[:-1], known[:-1]
    cats = info.categories
    out = {"years": years, "known": known, "outcomes": np.full(len(years), len(cats) - 1),
           "counts": np.zeros(len(years), dtype=int), "start_lo": np.full(len(years), np.nan),
           "start_hi": np.full(len(years), np.nan)}
    parts = {c: np.full(len(years), np.nan) for c in info.regular_participants}
    for i, y in enumerate(years):
        rs = held_by_year.get(int(y))
        if rs:
            r0 = rs[0]
            label = (r0["direction"] if r0["direction"] in info.directions else "other") if info.rotating else "held"
            out["outcomes"][i], out["counts"][i] = cats.index(label), len(rs)
            out["start_lo"][i], out["start_hi"][i] = r0["doy"]
            who = set().union(*(r["participants"] for r in rs))
            for c in parts:
                parts[c][i] = 1.0 if c in who else 0.0
    return out, parts


def test_series_history_arrays_equal_the_former_loop(bundled):
    for as_of in (D(2005, 1, 1), D(2016, 12, 31), D(2021, 7, 1), AS_OF, D(2026, 12, 7)):
        snap = bundled.as_of(as_of)
        for sid in snap.series_ids():
            h = series_history(snap, sid)
            ref, parts = _reference_history_arrays(snap, sid)
            for name, arr in ref.items():
                np.testing.assert_array_equal(getattr(h, name), arr, err_msg=f"{sid} {as_of} {name}")
                assert getattr(h, name).dtype == arr.dtype
            assert h.participation.keys() == parts.keys()
            for c, arr in parts.items():
                np.testing.assert_array_equal(h.participation[c], arr)


def _reference_reliability(snapshot):
    cancelled = held = replaced = not_replaced = 0
    year = snapshot.as_of_date.year
    held_years = {(r["series"], r["start"].year) for r in snapshot.records if r["status"] == "held" and r["primary"]}
    for r in snapshot.records:
        if r["status"] in ("cancelled", "postponed"):
            cancelled += 1
            if r["primary"] and r["start"].year < year:
                replaced += (r["series"], r["start"].year) in held_years
                not_replaced += (r["series"], r["start"].year) not in held_years
        elif r["status"] == "held" and r["first_reported"] is not None and r["first_reported"].high < r["start"].low:
            held += 1
    return cancelled, held, replaced, not_replaced


def test_announcement_reliability_equals_the_two_pass_count(bundled):
    for as_of in (D(2010, 1, 1), D(2018, 6, 1), AS_OF, D(2026, 12, 7)):
        snap = bundled.as_of(as_of)
        assert announcement_reliability(snap) == _reference_reliability(snap)


def test_snapshots_with_settled_records_equal_the_rule_by_rule_snapshots(bundled, monkeypatch):
    import drillcast.data.catalogue as catalogue

    dates = [D(y, m, 1) for y in range(2003, 2027, 2) for m in (1, 5, 9)] + [D(2026, 12, 7)]
    fast = {d: bundled._as_of(d).records for d in dates}
    settled = catalogue._settled
    monkeypatch.setattr(catalogue, "_settled", lambda cat: [(r, k, None) for r, k, _ in settled(cat)])
    for d in dates:
        slow = _fresh_copy(bundled)._as_of(d).records
        assert [sorted(r.items()) for r in fast[d]] == [sorted(r.items()) for r in slow], d
    assert any(s is not None for _, _, s in settled(bundled))


def _fresh_copy(cat):
    """The same records in a new catalogue object (the memo of settled dates is per object)."""
    from drillcast.data.catalogue import Catalogue

    return Catalogue(cat.records, cat.series, cat.path, cat.sha256, cat.as_of_date, cat.warnings)
