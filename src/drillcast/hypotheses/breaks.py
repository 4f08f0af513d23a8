"""Break: has the pattern of a series changed, and when? (exact change-point posterior, parametric bootstrap)"""

from __future__ import annotations

import math

import numpy as np

from drillcast.data.catalogue import NONE
from drillcast.hypotheses._checks import _check_alpha, _check_draws, _rng, _seed_int
from drillcast.hypotheses._labels import _codes, _known, _label_categories, _label_inputs, _label_years
from drillcast.hypotheses._permutation import _lgamma_table, _logmeanexp, _mc_p, _mc_p_randomised
from drillcast.hypotheses._spec import _parse_segment, _Segment, _segment_logml, _sim_segment
from drillcast.hypotheses.power import _grid, _power_details, _power_search, _sim_cycle
from drillcast.hypotheses.result import CYCLE_KEPT, POWER_NULL, POWER_SIMS, TestResult, _skipped
from drillcast.hypotheses.wording import _evidence, _fmt_p, _nu, _power_clause

__all__ = ["break_test", "break_test_counts", "break_test_labels"]


BREAK_DRAWS = 2000
"""Parametric-bootstrap draws of the break test when ``draws`` is None."""


def _change_posterior(pre, suf, taus, p0):
    """log posterior over (no change, change at each tau) and log BF(change : none), per row."""
    n = pre.shape[1] - 1
    l0 = pre[:, n]
    lt = pre[:, taus] + suf[:, taus]
    logp = np.concatenate([(math.log(p0) + l0)[:, None], math.log((1 - p0) / len(taus)) + lt], axis=1)
    logp = logp - _logmeanexp(logp, axis=1)[:, None] - math.log(logp.shape[1])
    return logp, _logmeanexp(lt, axis=1) - l0


def _poisson_gamma_prefix(Y, a0, b0):
    """Poisson-Gamma segment log marginal likelihoods (without the common -sum ln y!)."""
    Y = np.atleast_2d(Y).astype(np.int64)
    R, n = Y.shape
    S = np.zeros((R, n + 1), dtype=np.int64)
    np.cumsum(Y, axis=1, out=S[:, 1:])
    m = np.arange(n + 1)
    lg = _lgamma_table(a0, int(S[:, -1].max()) if S.size else 0)

    def f(s, mm):
        return a0 * math.log(b0) - math.lgamma(a0) + lg[s] - (a0 + s) * np.log(b0 + mm)

    return f(S, m), f(S[:, -1:] - S, n - m)


def _break_result(kind, years, logp, bf_obs, taus, T_null, p0, alpha, n, unit, alt, power_fn, rng,
                  h0, h1, extra, grid=(), n_min=4) -> TestResult:
    """The result of a break test from its posterior over change years and its bootstrap null."""
    post = np.exp(logp[0])
    B = T_null.size
    p = float(_mc_p(T_null, bf_obs)[0])
    p_rand = _mc_p_randomised(T_null, bf_obs, rng)
    mc_se = math.sqrt(p * (1 - p) / B)
    change_years = [int(years[t]) for t in taus]
    posterior = {"no change": float(post[0])} | {str(y): float(v) for y, v in zip(change_years, post[1:])}
    j = int(np.argmax(post[1:]))
    details = {"unit": unit, "data": kind, "posterior": posterior, "prior_no_change": p0,
               "most_likely_change_year": change_years[j], "posterior_change": float(1 - post[0]),
               "log10_bf_change": float(bf_obs), "p_randomised": p_rand} | extra
    pw = n80 = None
    if power_fn is not None:
        pw, n80, curve = _power_search(power_fn, n, n_min, grid=grid)
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    pc = 1 - post[0]
    if pc >= 0.5:
        head = (f"{n} {unit}; the pattern has probably changed (posterior {pc:.2f}; most likely from "
                f"{change_years[j]}, {post[1 + j]:.2f})")
    else:
        head = (f"{n} {unit}; most of the posterior is on no change ({post[0]:.2f}; the likeliest change year, "
                f"{change_years[j]}, has {post[1 + j]:.2f})")
    reading = (f"{head}, Bayes factor {10 ** bf_obs:.3g} for a change ({_fmt_p(p)}, Monte Carlo): "
               f"{_evidence(p, alpha)} of a break{_power_clause(p, alpha, pw, n80, n, unit)}.")
    return TestResult(
        test="break", h0=h0, h1=h1, statistic=float(bf_obs), p_value=p, method="monte-carlo",
        effect_size=float(pc), effect_size_name="posterior probability of a change", n=n, power=pw,
        power_alternative=alt, n_for_80=n80, reading=reading, details=details, draws=B, mc_se=mc_se,
        alpha=alpha,
    )


def _fitted_sampler(seg: _Segment, spec: str, ctx: dict, code, C, a, beta):
    """A sampler of sequences from the no-change model at its posterior-mean parameters."""
    n = code.size
    freqs = (np.bincount(code, minlength=C) + a) / (n + C * a)
    if seg.kind == "climatology":
        return lambda D, m, r: r.choice(C, size=(D, m), p=freqs)
    if seg.kind == "period":
        k = seg.k
        N = np.zeros((k, C))
        np.add.at(N, (seg.res, code), 1)
        cum = np.cumsum((N + a) / (N.sum(1, keepdims=True) + C * a), axis=1)

        def sample(D, m, r):
            c = cum[seg.res if m == n else np.arange(m) % k]
            return (r.random((D, m))[:, :, None] > c[None, :, :-1]).sum(-1)
        return sample
    T = seg.templates
    pred = T >= 0
    hits = ((code[None, :] == T) & pred).sum(1)
    tries = pred.sum(1)
    lg = [math.lgamma(beta[0] + h) + math.lgamma(beta[1] + t - h) - math.lgamma(beta[0] + beta[1] + t)
          - (t - h) * math.log(max(C - 1, 1)) for h, t in zip(hits, tries)]
    best = int(np.argmax(lg))
    rho = (hits[best] + beta[0]) / (tries[best] + beta[0] + beta[1])

    def sample(D, m, r):
        if m == n:
            tm = T[best]
        else:
            tm = _parse_segment(spec, dict(ctx, n=m, pos=np.arange(m), spec=spec)).templates[best]
        one = _Segment("predict", tm[None, :])
        return _sim_segment(one, D, m, C, rho, freqs, r)
    return sample


def break_test_labels(labels, categories=None, *, model="period:1", directions=None, years=None,
                      none_label=NONE, min_segment=2, prior_no_change=0.5, prior=0.5, beta=(1.0, 1.0),
                      alpha=0.05, draws=None, seed=0, power=True, power_pattern=None) -> TestResult:
    """Has the pattern of yearly outcomes changed, and when?

    H0: no change: one model of the pattern for all years. H1: a change at
    year tau: the years before and from tau follow the same kind of model
    with independent parameters. The model of the pattern is a segment of
    the :func:`compare_test_labels` language: ``"period:k"`` (a Dirichlet-
    categorical distribution per phase of a k-year period; ``period:1`` is
    plain outcome frequencies), ``"cycle:*"`` (some cycle of the
    directions, kept with probability rho; each segment has its own order,
    phase and rho), ``"cycle"``, ``"every:2:d"``, ``"climatology"``.

    The posterior over {no change} and every change year tau (prior:
    ``prior_no_change`` on no change, the rest uniform over years leaving
    ``min_segment`` years on each side) is exact (closed-form marginal
    likelihoods). The statistic is ``log10 BF = log10 [mean_tau p(y | tau) /
    p(y | no change)]``; its p-value is a parametric bootstrap: ``draws``
    sequences (default 2 000) simulated from the no-change model at its
    posterior-mean parameters (the most probable template for a cycle).

    Returns
    -------
    TestResult
        ``effect_size`` = posterior probability of a change;
        ``details["posterior"]`` = {"no change": p, "2019": p, ...}, the
        years being the first year of the new pattern.

    References
    ----------
    Barry, D. & Hartigan, J. A. (1993). A Bayesian analysis for change point
    problems. JASA 88, 309-319. Fearnhead, P. (2006). Exact and efficient
    Bayesian inference for multiple changepoint problems. Statistics and
    Computing 16, 203-213.
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    labels, years, cats, directions = _label_inputs(labels, years, categories, none_label, directions)
    return _break_labels(labels, cats, model=model, directions=directions, years=years, min_segment=min_segment,
                         prior_no_change=prior_no_change, prior=prior, beta=beta, alpha=alpha, draws=draws, rng=rng,
                         power=power, power_pattern=power_pattern)


def _break_labels(labels, cats, *, model, directions, years, min_segment, prior_no_change, prior, beta, alpha, draws,
                  rng, power, power_pattern) -> TestResult:
    """:func:`break_test_labels` on checked arguments (``cats`` with ``none`` last)."""
    B = BREAK_DRAWS if draws is None else draws
    C = len(cats)
    code = _codes(labels, cats)
    n = code.size
    h0 = f"no change: one pattern ({model}) for all years"
    h1 = "the pattern changed in some year: different parameters before and after"
    if n < 2 * min_segment or len(set(code.tolist())) < 2:
        why = (f"only {_nu(n, 'years')} (at least {2 * min_segment} are needed)" if n < 2 * min_segment
               else "every year had the same outcome")
        return _skipped("break", f"Break test not applicable: {why}.", n, h0=h0, h1=h1, alpha=alpha)
    ctx = {"categories": cats, "directions": list(directions), "order": list(directions), "n": n,
           "years": years, "spec": model, "parameter": "model", "pos": np.asarray(years) - years[0]}
    seg = _parse_segment(model, ctx)
    taus = np.arange(min_segment, n - min_segment + 1)

    def stat(Y, s, tt):
        pre, suf = _segment_logml(s, Y, C, prior, beta)
        return _change_posterior(pre, suf, tt, prior_no_change)

    logp, bf = stat(code[None, :], seg, taus)
    bf_obs = float(bf[0] / math.log(10))
    sim_null = _fitted_sampler(seg, model, ctx, code, C, prior, beta)
    T_null = stat(sim_null(B, n, rng), seg, taus)[1] / math.log(10)
    counts = np.bincount(code, minlength=C)
    if power_pattern is not None:
        pattern = [cats.index(str(x)) for x in power_pattern]
    elif len(directions) >= 2:
        pattern = [cats.index(d) for d in directions]
    else:
        pattern = [int(np.argmax(counts))]
    miss_rate = float(counts[C - 1] / n) if (C - 1) not in pattern else 0.0
    if len(pattern) >= 2:
        alt = (f"a {len(pattern)}-direction cycle kept in {CYCLE_KEPT:.0%} of years that stops half way "
               "(random directions after)" + (f", {miss_rate:.0%} of years without an event" if miss_rate else ""))
    else:
        alt = f"'{cats[pattern[0]]}' in 90 % of years until half way, then in 40 %"
    alt += f"; critical value from {POWER_NULL} sequences simulated from the fitted no-change model, level {alpha:g}"
    power_fn = None
    if power:
        seed2 = _seed_int(rng)
        pat = np.array(pattern)

        def power_fn(m):
            r2 = np.random.default_rng([seed2, m])
            tm = np.arange(min_segment, m - min_segment + 1)
            s_m = _parse_segment(model, dict(ctx, n=m, years=list(range(m)), pos=np.arange(m)))
            s0 = stat(sim_null(POWER_NULL, m, r2), s_m, tm)[1]
            h = m // 2
            if pat.size >= 2:
                first = _sim_cycle(POWER_SIMS, h, pat, CYCLE_KEPT, miss_rate, C - 1, r2)
                second = _sim_cycle(POWER_SIMS, m - h, pat, 1.0 / pat.size, miss_rate, C - 1, r2)
            else:
                others = np.array([c for c in range(C) if c != pat[0]])

                def part(D, length, keep):
                    alt_c = others[r2.integers(others.size, size=(D, length))]
                    return np.where(r2.random((D, length)) < keep, pat[0], alt_c)

                first, second = part(POWER_SIMS, h, 0.9), part(POWER_SIMS, m - h, 0.4)
            s1 = stat(np.concatenate([first, second], axis=1), s_m, tm)[1]
            return float(np.mean(_mc_p(s0, s1) <= alpha))

    return _break_result("labels", years, logp, bf_obs, taus, T_null, prior_no_change, alpha, n, "years", alt,
                         power_fn, rng, h0, h1, {"model": model, "dirichlet": prior, "beta": list(beta)},
                         _grid(power), 2 * min_segment)


def break_test_counts(counts, *, years=None, min_segment=2, prior_no_change=0.5, alpha=0.05, draws=None,
                      seed=0, power=True) -> TestResult:
    """Has the yearly event rate changed, and when? (multi-event series)

    H0: the counts are Poisson with one rate for all years. H1: the rate
    changed at some year tau (Poisson with independent rates before and
    after). Rates have Gamma(1, 1/mean) priors (centred on the observed mean
    rate); the marginal likelihood of a segment with total S over m years is
    ``b^a Gamma(a + S) / (Gamma(a) (b + m)^(a + S))`` (times a common
    factor). Posterior, statistic and parametric-bootstrap p-value as in
    :func:`break_test_labels` (bootstrap from Poisson(mean)).
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    y = np.asarray(counts, dtype=np.int64)
    return _break_counts(y, _label_years(y, years), min_segment=min_segment, prior_no_change=prior_no_change,
                         alpha=alpha, draws=draws, rng=rng, power=power)


def _break_counts(y, years, *, min_segment, prior_no_change, alpha, draws, rng, power) -> TestResult:
    """:func:`break_test_counts` on checked arguments."""
    B = BREAK_DRAWS if draws is None else draws
    n = y.size
    h0 = "the yearly event count is Poisson with one rate for all years"
    h1 = "the rate changed in some year"
    if n < 2 * min_segment or y.sum() == 0:
        why = f"only {_nu(n, 'years')}" if n < 2 * min_segment else "no events"
        return _skipped("break", f"Break test not applicable: {why}.", n, h0=h0, h1=h1, alpha=alpha)
    mean = float(y.mean())
    a0, b0 = 1.0, 1.0 / mean
    taus = np.arange(min_segment, n - min_segment + 1)

    def stat(Y, tt):
        pre, suf = _poisson_gamma_prefix(Y, a0, b0)
        return _change_posterior(pre, suf, tt, prior_no_change)

    logp, bf = stat(y[None, :], taus)
    bf_obs = float(bf[0] / math.log(10))
    T_null = stat(rng.poisson(mean, size=(B, n)), taus)[1] / math.log(10)
    alt = (f"the yearly rate doubles half way (from {2 * mean / 3:.2g} to {4 * mean / 3:.2g} a year); critical "
           f"value from {POWER_NULL} Poisson({mean:.2g}) sequences, level {alpha:g}")
    power_fn = None
    if power:
        seed2 = _seed_int(rng)

        def power_fn(m):
            r2 = np.random.default_rng([seed2, m])
            tm = np.arange(min_segment, m - min_segment + 1)
            s0 = stat(r2.poisson(mean, size=(POWER_NULL, m)), tm)[1]
            lam = np.where(np.arange(m) < m // 2, 2 * mean / 3, 4 * mean / 3)
            s1 = stat(r2.poisson(lam, size=(POWER_SIMS, m)), tm)[1]
            return float(np.mean(_mc_p(s0, s1) <= alpha))

    return _break_result("counts", years, logp, bf_obs, taus, T_null, prior_no_change, alpha, n, "years", alt,
                         power_fn, rng, h0, h1, {"gamma_prior": [a0, b0]}, _grid(power), 2 * min_segment)


def break_test(history, *, min_segment=2, prior_no_change=0.5, alpha=0.05, draws=None, seed=0,
               power=True) -> TestResult:
    """Break test on a series' history.

    H0: one pattern for all years; H1: the pattern changed in some year.

    Multi-event series: the yearly counts (:func:`break_test_counts`; a
    change of the Poisson rate). Rotating series: the outcome labels under
    ``cycle`` (the declared cycle kept with probability rho; a change of
    phase or of rho is a break, and so is a switch to another order, which
    lowers rho). Other series: held/none under ``period:1`` (a change in how
    often the event is held).
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    return _break_history(history, min_segment=min_segment, prior_no_change=prior_no_change, alpha=alpha,
                          draws=draws, rng=rng, power=power)


def _break_history(history, *, min_segment=2, prior_no_change=0.5, alpha, draws, rng, power) -> TestResult:
    """:func:`break_test` on checked arguments."""
    info = history.info
    labels, years, mask = _known(history)
    if info.multi_event:
        return _break_counts(np.asarray(history.counts, dtype=np.int64)[mask], years, min_segment=min_segment,
                             prior_no_change=prior_no_change, alpha=alpha, draws=draws, rng=rng, power=power)
    model = "cycle" if info.rotating else "period:1"
    return _break_labels(labels, _label_categories(labels, history.categories, history.categories[-1]), model=model,
                         directions=[str(d) for d in info.directions], years=years, min_segment=min_segment,
                         prior_no_change=prior_no_change, prior=0.5, beta=(1.0, 1.0), alpha=alpha, draws=draws,
                         rng=rng, power=power, power_pattern=None)
