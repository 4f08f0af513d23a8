"""Participation trend: does a participant take part more and more? (exact Cochran-Armitage test)"""

from __future__ import annotations

import math

import numpy as np

from drillcast.errors import ParameterError, did_you_mean
from drillcast.hypotheses._checks import _check_alpha, _rng, _seed_int
from drillcast.hypotheses._permutation import _perm_index
from drillcast.hypotheses.power import _grid, _power_details, _power_search
from drillcast.hypotheses.result import POWER_PERMS, POWER_SIMS, TestResult, _skipped
from drillcast.hypotheses.wording import _evidence, _fmt_p, _nu, _power_clause

__all__ = ["participation_test", "participation_test_binary"]

PARTICIPATION_ODDS_RATIO = 1.5
"""Yearly odds ratio of the participation-trend power alternative."""


def _subset_sum_counts(t: np.ndarray, s: int) -> np.ndarray:
    """Number of size-s subsets of the integer scores t with each total (index = total)."""
    total = int(t.sum())
    dp = np.zeros((s + 1, total + 1))
    dp[0, 0] = 1.0
    for v in t.astype(int):
        if v == 0:
            dp[1:] += dp[:-1].copy()
        else:
            dp[1:, v:] += dp[:-1, :-v].copy()
    return dp[s]


def participation_test_binary(x, years, *, participant="", alpha=0.05, seed=0, power=True) -> TestResult:
    """Exact test for a trend in participation (yes/no per held year).

    H0: participation is exchangeable over the held years (a constant
    probability). H1: the log-odds of taking part change linearly with the
    year (logistic trend).

    Statistic: ``S = sum_t year_t x_t``, sufficient for the slope of the
    logistic model; conditionally on the number of participations s, S is
    the sum of a random s-subset of the years, whose distribution is counted
    exactly (subset-sum dynamic programme). The reported statistic is the
    Cochran-Armitage ``Z = (S - E S) / sd(S)``; the p-value is the exact
    two-sided conditional one, ``P(|S - E S| >= |s_obs - E S|)``, i.e. the
    exact conditional logistic test, equivalent to the exact
    Cochran-Armitage trend test.

    Parameters
    ----------
    x : array_like of {0, 1, NaN}
        Participation per year; NaN (no event) years are dropped.
    years : array_like of int

    References
    ----------
    Cochran, W. G. (1954). Biometrics 10, 417-451. Armitage, P. (1955).
    Biometrics 11, 375-386. Mehta, C. R. & Patel, N. R. (1995). Exact
    logistic regression. Statistics in Medicine 14, 2143-2160.
    """
    alpha = _check_alpha(alpha)
    rng = _rng(seed)
    x = np.asarray(x, dtype=float)
    years = np.asarray(years, dtype=np.int64)
    if years.shape != x.shape:
        raise ParameterError("years", f"{years.size} years given for {x.size} participations; give one year each")
    return _participation_binary(x, years, participant=participant, alpha=alpha, rng=rng, power=power)


def _participation_binary(x, years, *, participant, alpha, rng, power) -> TestResult:
    """:func:`participation_test_binary` on checked arguments (float ``x``, int ``years``)."""
    ok = ~np.isnan(x)
    x, years = x[ok].astype(int), years[ok]
    n, s = int(x.size), int(x.sum())
    who = participant or "the participant"
    h0 = f"{who}'s participation has no trend (constant probability over the held years)"
    h1 = f"{who}'s odds of taking part change steadily with the year"
    if n < 3 or s in (0, n):
        why = (f"only {_nu(n, 'held years')}" if n < 3 else
               f"{who} took part in {'every one' if s == n else 'none'} of the {n} held years: no variation to test")
        return _skipped("participation", f"Participation trend not testable: {why}.", n, h0=h0, h1=h1, alpha=alpha,
                        unit="held years")
    t = years - years.min()
    counts = _subset_sum_counts(t, s)
    sums = np.arange(counts.size, dtype=float)
    w = counts / counts.sum()
    mean_t = t.mean()
    E = s * mean_t
    var = s * (n - s) / (n * (n - 1)) * float(((t - mean_t) ** 2).sum())
    S_obs = float((t * x).sum())
    dev = np.abs(sums - E)
    d_obs = abs(S_obs - E)
    tol = 1e-7
    p = float(min(1.0, w[dev >= d_obs - tol].sum()))
    p_rand = float(w[dev > d_obs + tol].sum() + rng.random() * w[np.abs(dev - d_obs) <= tol].sum())
    z = (S_obs - E) / math.sqrt(var) if var > 0 else 0.0
    slope = float(np.polyfit(years.astype(float), x.astype(float), 1)[0])
    details = {"unit": "held years", "participant": participant, "participations": s, "S": S_obs,
               "expected_S": E, "p_randomised": p_rand, "years_taken_part": [int(v) for v in years[x == 1]]}
    share = s / n
    alt = (f"the odds of taking part multiply by {PARTICIPATION_ODDS_RATIO:g} a year (centred on the observed "
           f"share {share:.2f} at mid-period), later years added on the same trend; level {alpha:g}")
    pw = n80 = None
    if power:
        seed2 = _seed_int(rng)
        mid = (n - 1) / 2.0
        logit0 = math.log(share / (1 - share))

        def power_at(m):
            r2 = np.random.default_rng([seed2, m])
            tt = np.arange(m, dtype=float)
            pr = 1.0 / (1.0 + np.exp(-(logit0 + math.log(PARTICIPATION_ODDS_RATIO) * (tt - mid))))
            X = (r2.random((POWER_SIMS, m)) < pr).astype(float)
            tc = tt - tt.mean()
            stat = np.abs(X @ tc)
            P = _perm_index(POWER_PERMS, m, r2)
            nullv = np.abs((X[:, P] * tc[None, None, :]).sum(-1))
            pv = (1.0 + (nullv >= stat[:, None] - 1e-9).sum(1)) / (POWER_PERMS + 1.0)
            return float(np.mean(pv <= alpha))

        pw, n80, curve = _power_search(power_at, n, 3, grid=_grid(power))
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    trend = "rising" if z > 0 else "falling"
    reading = (f"{who} took part in {s} of {n} held years; participation is {trend} "
               f"(Cochran-Armitage Z = {z:.2f}, {_fmt_p(p)}, exact): {_evidence(p, alpha)} of a trend"
               f"{_power_clause(p, alpha, pw, n80, n, 'held years')}.")
    return TestResult(
        test="participation", h0=h0, h1=h1, statistic=float(z), p_value=p, method="exact", effect_size=slope,
        effect_size_name="change in participation probability per year (least-squares slope)", n=n, power=pw,
        power_alternative=alt, n_for_80=n80, reading=reading, details=details, alpha=alpha,
    )


def participation_test(history, participant=None, *, alpha=0.05, seed=0, power=True) -> TestResult:
    """Participation trend of one regular participant (see :func:`participation_test_binary`).

    H0: constant probability of taking part over the held years. H1: the
    odds change steadily with the year. ``participant`` defaults to the first regular participant whose
    participation varies. Skipped if the series has no regular participants
    or none varies.
    """
    alpha = _check_alpha(alpha)
    rng = _rng(seed)
    participant = _check_participant(history, participant)
    return _participation_history(history, participant, alpha=alpha, rng=rng, power=power)


def _check_participant(history, participant) -> str | None:
    """``participant`` as the ISO3 code the history tracks (None stays None)."""
    if participant is None:
        return None
    parts = dict(history.participation)
    key = str(participant).upper()
    if key not in parts:
        raise ParameterError("participant", f"unknown participant {participant!r}{did_you_mean(key, parts)}; "
                                            f"series '{history.info.id}' tracks: {', '.join(parts) or '(none)'}")
    return key


def _participation_history(history, participant, *, alpha, rng, power) -> TestResult:
    """:func:`participation_test` on checked arguments."""
    parts = dict(history.participation)
    codes = list(history.info.regular_participants) or list(parts)
    if participant is not None:
        return _binary(history, parts, participant, alpha, rng, power)
    if not codes:
        return _skipped("participation", f"Participation trend does not apply: series '{history.info.id}' has "
                        "no regular participants.", 0, alpha=alpha, unit="held years")
    for c in codes:
        v = np.asarray(parts.get(c, []), dtype=float)
        v = v[~np.isnan(v)]
        if v.size >= 3 and 0 < v.sum() < v.size:
            return _binary(history, parts, c, alpha, rng, power)
    return _binary(history, parts, codes[0], alpha, rng, power)


def _binary(history, parts, code, alpha, rng, power) -> TestResult:
    """The participation test of one participant ``code`` over the history's years."""
    return _participation_binary(np.asarray(parts[code], dtype=float), np.asarray(history.years, dtype=np.int64),
                                 participant=code, alpha=alpha, rng=rng, power=power)
