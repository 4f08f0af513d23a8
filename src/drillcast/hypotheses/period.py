"""Period: which period k best explains a sequence of yearly outcomes? (Bayes factors, permutation p-value)"""

from __future__ import annotations

import math

import numpy as np

from drillcast.data.catalogue import NONE
from drillcast.errors import ParameterError
from drillcast.hypotheses._checks import _check_alpha, _check_choice, _check_draws, _rng, _seed_int
from drillcast.hypotheses._labels import _codes, _known, _label_categories, _label_years
from drillcast.hypotheses._permutation import (_exact_p, _lgamma_table, _mc_p, _mc_p_randomised,
                                               _multiset_permutations, _perm_index)
from drillcast.hypotheses.power import _grid, _power_details, _power_search, _sim_cycle
from drillcast.hypotheses.result import (CYCLE_KEPT, DEFAULT_DRAWS, EXACT_LIMIT, POWER_NULL, POWER_SIMS,
                                         TestResult, _skipped)
from drillcast.hypotheses.wording import _evidence, _fmt_p, _nu, _power_clause

__all__ = ["period_test", "period_test_labels"]


def _period_logml(Y, C, ks, anchors, none_code, a, pos=None) -> np.ndarray:
    """Log marginal likelihoods (rows x (anchor, k)) of periodic Dirichlet-categorical models.

    Model (anchor "calendar", period k): the outcome of year t is drawn from
    theta_{t mod k}, each theta_r ~ Dirichlet(a, ..., a) over the C outcomes;
    ``log p(y) = sum_r [lnG(Ca) - lnG(Ca + m_r) + sum_c (lnG(a + N_rc) - lnG(a))]``.
    Anchor "sequence": ``none`` years are Bernoulli (Beta(a, a)), and the held
    events follow the periodic model indexed by their own count.
    """
    Y = np.atleast_2d(Y)
    R, n = Y.shape
    pos = np.arange(n) if pos is None else np.asarray(pos)
    lgA = _lgamma_table(a, n)
    rows = np.arange(R)[:, None]
    cols = []
    for anc in anchors:
        if anc == "calendar":
            lgC = _lgamma_table(C * a, n)
            for k in ks:
                res = pos % k
                N = np.bincount(((rows * k + res) * C + Y).ravel(), minlength=R * k * C).reshape(R, k, C)
                m = np.bincount(res, minlength=k)
                cols.append((lgC[0] - lgC[m]).sum() + (lgA[N] - lgA[0]).sum((1, 2)))
        else:
            C1 = C - 1
            lgC1 = _lgamma_table(C1 * a, n)
            lg2a = _lgamma_table(2 * a, n)
            held = Y != none_code
            nh = held.sum(1)
            none_part = lgA[n - nh] + lgA[nh] - 2 * lgA[0] - lg2a[n] + lg2a[0]
            seqpos = np.cumsum(held, axis=1) - 1
            Yc = np.where(held, Y, 0)
            for k in ks:
                res = np.where(held, seqpos % k, k)
                N = np.bincount(((rows * (k + 1) + res) * C1 + Yc).ravel(),
                                minlength=R * (k + 1) * C1).reshape(R, k + 1, C1)[:, :k]
                cols.append(none_part + (lgC1[0] - lgC1[N.sum(2)]).sum(1) + (lgA[N] - lgA[0]).sum((1, 2)))
    return np.stack(cols, axis=1)


def _period_stat(lml, n_anchor, nk) -> np.ndarray:
    """max over anchors and k >= 2 of log10 BF(k : 1) within the anchor."""
    lml = lml.reshape(lml.shape[0], n_anchor, nk)
    return (lml[:, :, 1:] - lml[:, :, :1]).max(axis=(1, 2)) / math.log(10)


def _kmax(n: int) -> int:
    return max(2, min(8, n // 2))


def _period_power_fn(C, anchors, none_code, a, freqs, pattern, miss_rate, alpha, seed):
    def stat(Y, n):
        ks = list(range(1, _kmax(n) + 1))
        return _period_stat(_period_logml(Y, C, ks, anchors, none_code, a), len(anchors), len(ks))

    def power_at(n):
        rng = np.random.default_rng([seed, n])
        s0 = stat(rng.choice(C, size=(POWER_NULL, n), p=freqs), n)
        s1 = stat(_sim_cycle(POWER_SIMS, n, pattern, CYCLE_KEPT, miss_rate, none_code, rng), n)
        return float(np.mean(_mc_p(s0, s1) <= alpha))
    return power_at


def period_test_labels(labels, categories=None, *, years=None, none_label=NONE, kmax=None, prior=0.5,
                       anchors=None, alpha=0.05, draws=None, seed=0, power=True, power_pattern=None,
                       exact_limit=EXACT_LIMIT) -> TestResult:
    """Which period k best explains a sequence of yearly outcomes?

    H0: no period: the outcomes are exchangeable (k = 1).
    H1: the outcome depends on the phase of a period k >= 2 (k = 2..kmax),
    counted in calendar years (``calendar``) or in held events, skipping
    years without one (``sequence``).

    Each (anchor, k) is a Dirichlet-categorical model whose marginal
    likelihood is closed-form (see :func:`_period_logml`; Dirichlet(prior)
    on each phase's outcome probabilities). Bayes factors ``BF_k = p(y | k) /
    p(y | k = 1)`` compare periods (Kass & Raftery 1995); the posterior over
    all (anchor, k) uses a uniform prior. The test statistic is the largest
    ``log10 BF_k`` over k >= 2 and anchors; its p-value comes from the
    permutation distribution of the same maximum (exact by enumerating the
    distinct arrangements when few, else Monte Carlo), which accounts for
    the search over k.

    Parameters
    ----------
    labels : sequence of str
    categories : sequence of str, optional
        All possible outcomes (default: those observed, plus ``none``).
    kmax : int, optional
        Largest period tried (default ``min(8, n // 2)``, at least 2).
    prior : float
        Dirichlet concentration per outcome (0.5, Jeffreys); 0.25 and 1 are
        shown in ``details["prior_sensitivity"]``.
    anchors : sequence of {"calendar", "sequence"}, optional
        Default: both when some years have no event and at least two other
        outcomes occur, else calendar only.
    power_pattern : sequence of str, optional
        The cycle of the power alternative (default: the observed outcomes
        other than ``none`` if there are two or more, else the outcome and
        ``none`` alternating: held every other year).

    Returns
    -------
    TestResult
        ``statistic`` = max log10 BF; ``effect_size`` = posterior probability
        that some period k >= 2 holds; ``details["models"]`` lists every
        (anchor, k) with its log10 BF and posterior; ``details["best_k"]``.

    References
    ----------
    Kass, R. E. & Raftery, A. E. (1995). Bayes factors. JASA 90, 773-795.
    Gelman, A. et al. (2013). Bayesian Data Analysis, 3rd ed., ch. 2 and 5
    (Dirichlet-multinomial marginal likelihood).
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    if anchors is not None:
        anchors = list(anchors)
        for anc in anchors:
            _check_choice("anchors", anc, ("calendar", "sequence"))
    kmax = _check_kmax(kmax)
    labels = [str(x) for x in labels]
    years = _label_years(labels, years)
    return _period(labels, categories, years=years, none_label=none_label, kmax=kmax, prior=prior, anchors=anchors,
                   alpha=alpha, draws=draws, rng=rng, power=power, power_pattern=power_pattern,
                   exact_limit=exact_limit)


def _check_kmax(kmax) -> int | None:
    """``kmax`` unchanged if None (the default applies) or a whole number >= 2."""
    if kmax is None:
        return None
    if isinstance(kmax, bool) or not isinstance(kmax, (int, np.integer)) or kmax < 2:
        raise ParameterError("kmax", f"{kmax!r} is not allowed; give a whole number >= 2, e.g. 4")
    return int(kmax)


def _period(labels, categories, *, years, none_label, kmax, prior, anchors, alpha, draws, rng, power,
            power_pattern, exact_limit=EXACT_LIMIT) -> TestResult:
    """:func:`period_test_labels` on checked arguments."""
    n_draws = DEFAULT_DRAWS if draws is None else draws
    cats = _label_categories(labels, categories, none_label)
    C = len(cats)
    none_code = C - 1
    code = _codes(labels, cats)
    n = code.size
    h0 = "no period: the yearly outcomes are exchangeable (k = 1)"
    h1 = "the outcome depends on the year's phase in a cycle of k >= 2 years (or held events)"
    present = sorted(set(code.tolist()))
    if n < 4 or len(present) < 2:
        why = (f"only {_nu(n, 'years')} (at least 4 are needed)" if n < 4
               else f"every year had the same outcome ('{cats[present[0]]}'), so no period can show")
        return _skipped("period", f"Period test not applicable: {why}.", n, h0=h0, h1=h1, alpha=alpha)
    non_none = [c for c in present if c != none_code]
    if anchors is None:
        anchors = ["calendar"] + (["sequence"] if none_code in present and len(non_none) >= 2 else [])
    kmax = _kmax(n) if kmax is None else kmax
    ks = list(range(1, kmax + 1))
    nA, nK = len(anchors), len(ks)

    pos = np.asarray(years) - years[0]

    def analyse(a):
        lml = _period_logml(code[None, :], C, ks, anchors, none_code, a, pos)[0].reshape(nA, nK)
        post = np.exp(lml - lml.max())
        post /= post.sum()
        bf = (lml - lml[:, :1]) / math.log(10)
        return lml, post, bf

    lml, post, bf = analyse(prior)
    s_obs = float(bf[:, 1:].max())
    ia, ik = np.unravel_index(np.argmax(post), post.shape)
    best_k, best_anchor = ks[ik], anchors[ia]
    p_periodic = float(post[:, 1:].sum())
    models = [{"anchor": anchors[i], "k": ks[j], "log10_bf_vs_no_period": float(bf[i, j]),
               "posterior": float(post[i, j])} for i in range(nA) for j in range(nK)]
    sens = []
    for a in (0.25, 0.5, 1.0):
        _, po, b = analyse(a)
        i2, j2 = np.unravel_index(np.argmax(po), po.shape)
        sens.append({"dirichlet": a, "best_k": ks[j2], "best_anchor": anchors[i2],
                     "posterior_best": float(po[i2, j2]), "posterior_periodic": float(po[:, 1:].sum()),
                     "max_log10_bf": float(b[:, 1:].max())})

    def stat(Y):
        return _period_stat(_period_logml(Y, C, ks, anchors, none_code, prior, pos), nA, nK)

    arr = _multiset_permutations(code, limit=min(exact_limit, 200_000 * max(n, 1)))
    if arr is not None:
        T = stat(arr)
        p, p_rand, _ = _exact_p(T, np.zeros(T.size), s_obs, rng)
        method, used, mc_se = "exact", None, None
    else:
        T = np.concatenate([stat(code[_perm_index(min(20_000, n_draws - s), n, rng)])
                            for s in range(0, n_draws, 20_000)])
        p = float(_mc_p(T, s_obs)[0])
        p_rand = _mc_p_randomised(T, s_obs, rng)
        method, used, mc_se = "monte-carlo", n_draws, math.sqrt(p * (1 - p) / n_draws)
    details = {"unit": "years", "anchors": anchors, "ks": ks, "dirichlet": prior, "models": models,
               "best_k": int(best_k), "best_anchor": best_anchor, "posterior_best": float(post[ia, ik]),
               "prior_sensitivity": sens, "p_randomised": p_rand,
               "years": [years[0], years[-1]]}
    if power_pattern is None:
        pattern = non_none if len(non_none) >= 2 else [non_none[0] if non_none else 0, none_code]
    else:
        pattern = [cats.index(str(x)) for x in power_pattern]
    miss_rate = float(np.mean(code == none_code)) if none_code not in pattern else 0.0
    freqs = np.bincount(code, minlength=C) / n
    pat_txt = " -> ".join(cats[c] for c in pattern)
    alt = (f"a {len(pattern)}-year cycle {pat_txt} kept in {CYCLE_KEPT:.0%} of years"
           + (f", {miss_rate:.0%} of years without an event as observed" if miss_rate else "")
           + f"; critical value from {POWER_NULL} sequences with the observed outcome frequencies, level {alpha:g}")
    pw = n80 = None
    if power:
        fn = _period_power_fn(C, anchors, none_code, prior, freqs, pattern, miss_rate, alpha, _seed_int(rng))
        pw, n80, curve = _power_search(fn, n, 4, grid=_grid(power))
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    bf_best = 10 ** float(bf[ia, ik])
    if best_k >= 2:
        reading = (f"{n} years; period {best_k} ({best_anchor}-anchored) explains the sequence best: Bayes factor "
                   f"{bf_best:.3g} against no period, posterior {post[ia, ik]:.2f} ({_fmt_p(p)}, {method} "
                   f"permutation): {_evidence(p, alpha)} of a period{_power_clause(p, alpha, pw, n80, n, 'years')}.")
    else:
        reading = (f"{n} years; no period explains the sequence better than chance ordering (largest Bayes factor "
                   f"{10 ** s_obs:.2g}; {_fmt_p(p)}, {method} permutation): {_evidence(p, alpha)} of a period"
                   f"{_power_clause(p, alpha, pw, n80, n, 'years')}.")
    return TestResult(
        test="period", h0=h0, h1=h1, statistic=s_obs, p_value=p, method=method, effect_size=p_periodic,
        effect_size_name="posterior probability of a period k >= 2 (uniform prior over models)", n=n,
        power=pw, power_alternative=alt, n_for_80=n80, reading=reading, details=details, draws=used,
        mc_se=mc_se, alpha=alpha,
    )


def period_test(history, *, kmax=None, prior=0.5, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """Period test on a series' history (see :func:`period_test_labels`).

    H0: no period (exchangeable yearly outcomes). H1: the outcome depends
    on the phase of a k-year period, k >= 2. Uses the yearly outcome labels (directions, ``other``, ``none`` for a
    rotating series; ``held``/``none`` otherwise). The power alternative is
    the declared K-direction cycle (rotating series) or an event every other
    year (other series).
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    kmax = _check_kmax(kmax)
    return _period_history(history, kmax=kmax, prior=prior, alpha=alpha, draws=draws, rng=rng, power=power)


def _period_history(history, *, kmax=None, prior=0.5, alpha, draws, rng, power) -> TestResult:
    """:func:`period_test` on checked arguments."""
    info = history.info
    pattern = list(info.directions) if info.rotating else [history.categories[0], history.categories[-1]]
    labels, years, _ = _known(history)
    return _period(labels, history.categories, years=years, none_label=history.categories[-1], kmax=kmax,
                   prior=prior, anchors=None, alpha=alpha, draws=draws, rng=rng, power=power, power_pattern=pattern)
