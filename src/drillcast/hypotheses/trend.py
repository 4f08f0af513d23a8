"""Frequency trend: is the yearly number of events rising or falling? (Poisson LR, permutation p-value)"""

from __future__ import annotations

import math

import numpy as np

from drillcast.errors import ParameterError
from drillcast.hypotheses._checks import _check_alpha, _check_draws, _rng, _seed_int
from drillcast.hypotheses._labels import _known
from drillcast.hypotheses._permutation import (_exact_p, _logmeanexp, _mc_p, _mc_p_randomised,
                                               _multiset_permutations, _perm_index)
from drillcast.hypotheses.power import _grid, _power_details, _power_search
from drillcast.hypotheses.result import DEFAULT_DRAWS, EXACT_LIMIT, POWER_PERMS, POWER_SIMS, TestResult, _skipped
from drillcast.hypotheses.wording import _evidence, _fmt_p, _nu, _power_clause

__all__ = ["trend_test", "trend_test_counts"]

def _poisson_slope_lr(Y, x, iters=60, tol=1e-9):
    """Poisson log-linear trend fit by profile Newton, per row.

    ``log mu_t = a + b x_t``; a is profiled out (``e^a = S / sum e^{b x}``), b
    solves ``sum_t x_t w_t(b) = sum_t x_t y_t / S`` with ``w = softmax(b x)``.
    Returns ``(G2, b)``: ``G2 = 2 [b sum x y - S log(mean_t e^{b x_t})]``, the
    likelihood-ratio statistic against a constant rate. |b| is bounded by
    30 / range(x) (all events at one end: the MLE is infinite). Rows are
    iterated until their own step is below ``tol``.
    """
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    x = np.asarray(x, dtype=float)
    S = Y.sum(1)
    sxy = Y @ x
    target = np.divide(sxy, S, out=np.zeros_like(sxy), where=S > 0)
    bound = 30.0 / max(np.ptp(x), 1e-12)
    b = np.zeros(Y.shape[0])
    active = np.flatnonzero(S > 0)
    for _ in range(iters):
        if active.size == 0:
            break
        ba = b[active]
        z = ba[:, None] * x[None, :]
        z -= z.max(1, keepdims=True)
        w = np.exp(z)
        w /= w.sum(1, keepdims=True)
        m1 = w @ x
        var = np.maximum(w @ (x * x) - m1 * m1, 1e-12)
        new = np.clip(ba - np.clip((m1 - target[active]) / var, -bound, bound), -bound, bound)
        b[active] = new
        active = active[np.abs(new - ba) > tol]
    G2 = 2.0 * (b * sxy - S * _logmeanexp(b[:, None] * x[None, :], axis=1))
    return np.maximum(np.where(S > 0, G2, 0.0), 0.0), b


def _glm_summary(y, x) -> dict:
    """Poisson and negative binomial GLM fits (statsmodels) for the details."""
    import warnings

    import statsmodels.api as sm

    out: dict = {}
    X = sm.add_constant(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pois = sm.GLM(y, X, family=sm.families.Poisson()).fit()
            pois0 = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Poisson()).fit()
            lr = 2 * (pois.llf - pois0.llf)
            from scipy import stats

            ci = np.exp(pois.conf_int()[1])
            out["poisson"] = {"slope": float(pois.params[1]), "se": float(pois.bse[1]), "lr": float(lr),
                              "p_asymptotic": float(stats.chi2.sf(lr, 1)),
                              "rate_ratio": float(np.exp(pois.params[1])),
                              "rate_ratio_ci95": [float(ci[0]), float(ci[1])],
                              "dispersion": float(pois.pearson_chi2 / max(pois.df_resid, 1))}
        except Exception as exc:  # a degenerate fit must not stop the test
            out["poisson"] = {"error": f"{type(exc).__name__}: {exc}"}
        if out.get("poisson", {}).get("dispersion", 0) > 1.5 and len(y) >= 4:
            try:
                nb = sm.NegativeBinomial(y, X).fit(disp=0, maxiter=200)
                nb0 = sm.NegativeBinomial(y, np.ones((len(y), 1))).fit(disp=0, maxiter=200)
                lr = 2 * (nb.llf - nb0.llf)
                from scipy import stats

                ci = np.exp(nb.conf_int()[1])
                out["negative_binomial"] = {"slope": float(nb.params[1]), "alpha": float(nb.params[-1]),
                                            "lr": float(lr), "p_asymptotic": float(stats.chi2.sf(max(lr, 0), 1)),
                                            "rate_ratio": float(np.exp(nb.params[1])),
                                            "rate_ratio_ci95": [float(ci[0]), float(ci[1])]}
            except Exception as exc:
                out["negative_binomial"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


TREND_RATE_RATIO = 1.15
"""Yearly rate ratio of the frequency-trend power alternative."""


def trend_test_counts(counts, years=None, *, alpha=0.05, draws=None, seed=0, power=True, glm=True,
                      exact_limit=EXACT_LIMIT) -> TestResult:
    """Is the yearly number of events trending? (multi-event series)

    H0: the yearly counts are exchangeable (in particular: Poisson or
    negative binomial with a constant rate). H1: the rate changes
    log-linearly with the year, ``log mu_t = a + b t``, b != 0.

    Statistic: the Poisson GLM likelihood-ratio statistic
    ``G2 = 2 [l(a-hat, b-hat) - l(a-tilde, 0)]`` for the slope. Its p-value is
    a permutation p-value (counts permuted over years: exact enumeration of
    the distinct arrangements when feasible, else Monte Carlo), valid for any
    constant-rate count distribution, overdispersed or not; the chi-square(1)
    p-values of the Poisson and (if Pearson dispersion > 1.5) negative
    binomial LR tests from statsmodels are in ``details["glm"]``.

    Returns
    -------
    TestResult
        ``effect_size`` = rate ratio per year ``exp(b-hat)``.

    References
    ----------
    McCullagh, P. & Nelder, J. A. (1989). Generalized Linear Models, 2nd ed.,
    ch. 6. Cameron, A. C. & Trivedi, P. K. (2013). Regression Analysis of
    Count Data, 2nd ed. Good, P. (2005). Permutation, Parametric and
    Bootstrap Tests of Hypotheses (permutation tests for trend).
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    y = np.asarray(counts, dtype=np.int64)
    years = np.arange(y.size, dtype=float) if years is None else np.asarray(years, dtype=float)
    if years.shape != y.shape:
        raise ParameterError("years", f"{years.size} years given for {y.size} counts; give one year per count")
    return _trend_counts(y, years, alpha=alpha, draws=draws, rng=rng, power=power, glm=glm, exact_limit=exact_limit)


def _trend_counts(y, years, *, alpha, draws, rng, power, glm=True, exact_limit=EXACT_LIMIT) -> TestResult:
    """:func:`trend_test_counts` on checked arguments."""
    B = DEFAULT_DRAWS if draws is None else draws
    n = y.size
    h0 = "the yearly number of events has no trend (counts exchangeable over years, constant rate)"
    h1 = "the yearly rate rises or falls log-linearly with the year"
    S = int(y.sum())
    if n < 3 or S == 0:
        why = f"only {_nu(n, 'years')} (at least 3 are needed)" if n < 3 else "no events"
        return _skipped("trend", f"Trend test not applicable: {why}.", n, h0=h0, h1=h1, alpha=alpha)
    x = years - years.mean()
    g_obs, b_obs = _poisson_slope_lr(y[None, :], x)
    g_obs, b_obs = float(g_obs[0]), float(b_obs[0])
    arr = _multiset_permutations(y, limit=exact_limit)
    if arr is not None:
        G = _poisson_slope_lr(arr, x)[0]
        p, p_rand, _ = _exact_p(G, np.zeros(G.size), g_obs, rng)
        method, used, mc_se = "exact", None, None
    else:
        G = _poisson_slope_lr(y[_perm_index(B, n, rng)], x)[0]
        p = float(_mc_p(G, g_obs)[0])
        p_rand = _mc_p_randomised(G, g_obs, rng)
        method, used, mc_se = "monte-carlo", B, math.sqrt(p * (1 - p) / B)
    bound = 30.0 / max(np.ptp(x), 1e-12)
    at_bound = abs(b_obs) >= bound * (1 - 1e-9)
    rr = math.inf if at_bound and b_obs > 0 else (0.0 if at_bound else math.exp(b_obs))
    details = {"unit": "years", "events": S, "slope_log_rate_per_year": b_obs, "p_randomised": p_rand,
               "slope_unbounded": bool(at_bound)}
    if glm:
        details["glm"] = _glm_summary(y.astype(float), x)
    mean = S / n
    alt = (f"the yearly rate grows by a factor {TREND_RATE_RATIO:g} a year from the observed mean "
           f"({mean:.2g} a year at mid-period), later years added at the same growth; permutation test at "
           f"level {alpha:g}")
    pw = n80 = None
    if power:
        seed2 = _seed_int(rng)
        mid = (n - 1) / 2.0

        def power_at(m):
            r2 = np.random.default_rng([seed2, m])
            t = np.arange(m, dtype=float)
            lam = np.minimum(mean * TREND_RATE_RATIO ** (t - mid), 1e4)
            Y = r2.poisson(lam, size=(POWER_SIMS, m)).astype(float)
            xm = t - t.mean()
            # With consecutive years x is symmetric, and G2 is then an increasing function of
            # |sum x y| within a permutation distribution: the same test, without the Newton fits.
            g = np.abs(Y @ xm)
            P = _perm_index(POWER_PERMS, m, r2)
            gn = np.abs(Y[:, P] @ xm)
            pv = (1.0 + (gn >= g[:, None] - 1e-9).sum(1)) / (POWER_PERMS + 1.0)
            return float(np.mean(pv <= alpha))

        pw, n80, curve = _power_search(power_at, n, 3, grid=_grid(power))
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    if at_bound:
        change = "all events fall at one end of the period"
    else:
        change = f"the yearly rate changes by a factor {rr:.2f} a year"
    direction = "more" if b_obs > 0 else "fewer"
    reading = (f"{n} years, {S} events; {change} ({_fmt_p(p)}, {method} permutation of the Poisson "
               f"likelihood ratio): {_evidence(p, alpha)} of a trend towards {direction} events"
               f"{_power_clause(p, alpha, pw, n80, n, 'years')}.")
    return TestResult(
        test="trend", h0=h0, h1=h1, statistic=g_obs, p_value=p, method=method, effect_size=rr,
        effect_size_name="rate ratio per year (Poisson GLM)", n=n, power=pw, power_alternative=alt, n_for_80=n80,
        reading=reading, details=details, draws=used, mc_se=mc_se, alpha=alpha,
    )


def trend_test(history, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """Frequency trend of a multi-event series' yearly counts (see :func:`trend_test_counts`).

    H0: no trend in the yearly number of events. H1: a log-linear trend.
    Skipped for single-event series (their counts are 0/1: use ``period``
    or ``break``).
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    return _trend_history(history, alpha=alpha, draws=draws, rng=rng, power=power)


def _trend_history(history, *, alpha, draws, rng, power) -> TestResult:
    """:func:`trend_test` on checked arguments."""
    if not history.info.multi_event:
        return _skipped("trend", f"Trend test does not apply: series '{history.info.id}' holds at most one "
                        "event a year; test its pattern with 'period' or 'break'.", history.n_years, alpha=alpha)
    _, years, mask = _known(history)
    return _trend_counts(np.asarray(history.counts, dtype=np.int64)[mask], np.asarray(years, dtype=float),
                         alpha=alpha, draws=draws, rng=rng, power=power)
