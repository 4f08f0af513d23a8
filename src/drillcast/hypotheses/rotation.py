"""Rotation: do the yearly outcomes follow a fixed cyclic order of directions? (exact permutation test)"""

from __future__ import annotations

import itertools
import math

import numpy as np

from drillcast.data.catalogue import NONE, OTHER
from drillcast.hypotheses._checks import _check_alpha, _check_choice, _check_draws, _parse_order, _rng, _seed_int
from drillcast.hypotheses._labels import _known, _label_years
from drillcast.hypotheses._permutation import _enumerate_tables, _exact_p, _mc_p, _mc_p_randomised, _perm_index
from drillcast.hypotheses.power import _grid, _power_details, _power_search, _sim_cycle
from drillcast.hypotheses.result import (CYCLE_KEPT, DEFAULT_DRAWS, EXACT_LIMIT, POWER_PERMS, POWER_SIMS,
                                         TestResult, _skipped)
from drillcast.hypotheses.wording import _evidence, _fmt_p, _number_word, _power_clause

__all__ = ["rotation_test", "rotation_test_labels"]


def _cycle_counts(Y: np.ndarray, L: int, res=None) -> np.ndarray:
    """G[r, c, row] = number of entries t with residue ``res[t]`` (default t % L) == r showing direction c (< L)."""
    Y = np.atleast_2d(Y)
    n = Y.shape[1]
    res = np.arange(n) % L if res is None else res
    G = np.zeros((L, L, Y.shape[0]), dtype=np.int16)
    YT = np.ascontiguousarray(Y.T)
    for t in range(n):
        g = G[res[t]]
        row = YT[t]
        for c in range(L):
            g[c] += row == c
    return G


def _cycle_best(G: np.ndarray, mode: str) -> np.ndarray:
    """Most positions matched by one cycle template, per row.

    ``mode="phases"``: the L rotations of the given order. ``mode="search"``:
    every assignment of the L residues to distinct directions (all L!
    orders x phases), by a bitmask dynamic programme over used directions.
    """
    L = G.shape[0]
    if mode == "phases":
        best = None
        for phi in range(L):
            s = G[0, phi % L].astype(np.int32)
            for r in range(1, L):
                s = s + G[r, (r + phi) % L]
            best = s if best is None else np.maximum(best, s)
        return best
    dp = np.full((1 << L, G.shape[2]), -(1 << 20), dtype=np.int32)
    dp[0] = 0
    for mask in range(1 << L):
        r = bin(mask).count("1")
        if r >= L:
            continue
        cur = dp[mask]
        for c in range(L):
            if not (mask >> c) & 1:
                nxt = mask | (1 << c)
                np.maximum(dp[nxt], cur + G[r, c], out=dp[nxt])
    return dp[-1]


def _best_assignment(G: np.ndarray, mode: str):
    """The best template for one observed table G (L, L): (residue -> direction, score, ties)."""
    L = G.shape[0]
    if mode == "phases":
        cands = [[(r + phi) % L for r in range(L)] for phi in range(L)]
    elif L <= 8:
        cands = [list(p) for p in itertools.permutations(range(L))]
    else:  # too many to list; a greedy description only
        cands = [list(np.argsort(-G.sum(0)))]
    scores = [int(sum(G[r, s[r]] for r in range(L))) for s in cands]
    best = max(scores)
    return cands[scores.index(best)], best, scores.count(best)


def _rotation_null_mc(code, L, mode, B, rng, res, block=100_000) -> np.ndarray:
    out = np.empty(B, dtype=np.int32)
    n = code.size
    for s in range(0, B, block):
        b = min(block, B - s)
        out[s:s + b] = _cycle_best(_cycle_counts(code[_perm_index(b, n, rng)], L, res), mode)
    return out


def _rotation_power_fn(L, mode, miss_rate, alpha, seed):
    def power_at(n):
        rng = np.random.default_rng([seed, n])
        Y = _sim_cycle(POWER_SIMS, n, np.arange(L), CYCLE_KEPT, miss_rate, L, rng)
        P = _perm_index(POWER_PERMS, n, rng)
        t = _cycle_best(_cycle_counts(Y, L), mode)
        tn = _cycle_best(_cycle_counts(Y[:, P].reshape(-1, n), L), mode).reshape(POWER_SIMS, POWER_PERMS)
        p = (1.0 + (tn >= t[:, None]).sum(1)) / (POWER_PERMS + 1.0)
        return float(np.mean(p <= alpha))
    return power_at


def rotation_test_labels(labels, directions=None, order=None, *, years=None, anchor="calendar",
                         none_label=NONE, alpha=0.05, draws=None, seed=0, power=True,
                         exact_limit=EXACT_LIMIT) -> TestResult:
    """Test whether yearly outcomes follow a fixed cyclic order of directions.

    H0: the outcomes are exchangeable: every ordering of the observed
    outcomes (directions, ``other`` and ``none`` years) is equally likely.
    H1: the outcomes follow a fixed cycle ``d_0 -> d_1 -> ... -> d_{L-1}``:
    the year at position t shows ``d_{(t + phase) mod L}``. The cycle is the
    user's ``order`` (its phase fitted), or, if ``order`` is None, the best of
    all ``L!`` orders and phases of ``directions``.

    Statistic: the number of years matched by the best template,

    .. math:: T = \\max_{\\sigma} \\sum_t [y_t = \\sigma(t \\bmod L)],

    the maximum running over the L phases of the given order or over all
    L! bijections from residues to directions. Taking the maximum inside the
    statistic, and computing its null distribution the same way, accounts for
    the search over orders and phases. A ``none`` or ``other`` year never
    matches: it counts as a miss (``anchor="calendar"``, the default), or
    ``none`` years are dropped and the cycle advances only with held events
    (``anchor="sequence"``).

    The null distribution is exact where feasible: T depends on the data only
    through the residue-by-outcome table N, whose permutation distribution is
    multivariate hypergeometric, ``P(N) = prod_r m_r! prod_c c_c! / (n!
    prod_rc N_rc!)``; all tables are enumerated. Otherwise ``draws`` random
    permutations are used (Monte Carlo, > 1 million permutations per second).

    Parameters
    ----------
    labels : sequence of str
        One outcome per year (or per held event).
    directions : sequence of str, optional
        The directions of the cycle (default: the distinct labels other than
        ``none`` and ``other``, in order of first appearance).
    order : sequence of str or str, optional
        A claimed cyclic order ("zapad,vostok,tsentr,kavkaz"), possibly of a
        subset of the directions. Unknown directions raise ParameterError.
    years : sequence of int, optional
        Year of each label, increasing; default 0..n-1. Calendar phases are
        ``year - years[0]``, so a gap (a year whose outcome is unknown) is
        left out without shifting the cycle.
    anchor : {"calendar", "sequence"}
    alpha : float
        Level for the power and the reading.
    draws : int, optional
        Monte Carlo permutations if enumeration is infeasible (default 10 000).
    seed : int or numpy.random.Generator
    power : bool
        Compute power and ``n_for_80`` (against a cycle kept in 75 % of years).

    Returns
    -------
    TestResult
        ``statistic`` = T; ``effect_size`` = kappa, the share of the years not
        matched by chance that the cycle matches, ``(T - E0 T) / (n - E0 T)``.

    References
    ----------
    Good, P. (2005). Permutation, Parametric and Bootstrap Tests of
    Hypotheses, 3rd ed., Springer (ch. 3, exact permutation distributions).
    Agresti, A. (1992). A survey of exact inference for contingency tables.
    Statistical Science 7, 131-153 (enumeration of tables with fixed margins).

    Examples
    --------
    Twelve years of a clean cycle: 24 of the 12!/(3!)^4 = 369 600 equally
    likely arrangements match a cycle in every year.

    >>> r = rotation_test_labels(list("abcdabcdabcd"), power=False)
    >>> r.statistic, r.method, round(r.p_value * 369600, 6)
    (12.0, 'exact', 24.0)
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    _check_choice("anchor", anchor, ("calendar", "sequence"))
    labels = [str(x) for x in labels]
    years = _label_years(labels, years)
    if directions is None:
        directions = list(dict.fromkeys(x for x in labels if x not in (none_label, OTHER)))
    directions = [str(d) for d in directions]
    order = _parse_order(order, directions) if order is not None else None
    return _rotation(labels, directions, order, years=years, anchor=anchor, none_label=none_label, alpha=alpha,
                     draws=draws, rng=rng, power=power, exact_limit=exact_limit)


SEARCH_MAX_DIRECTIONS = 8
"""Most directions whose every cyclic order is searched (2^L x L work per table); beyond, the declared order."""


def _rotation(labels, directions, order, *, years, anchor, none_label, alpha, draws, rng, power,
              exact_limit=EXACT_LIMIT) -> TestResult:
    """:func:`rotation_test_labels` on checked arguments (``order`` parsed, or None: search every order)."""
    n_draws = DEFAULT_DRAWS if draws is None else draws
    cycle = order if order is not None else directions
    mode = "phases" if order is not None else "search"
    L = len(cycle)
    budget_note = ""
    if mode == "search" and L > SEARCH_MAX_DIRECTIONS:  # 2^L x L work per table: choose by budget
        mode = "phases"
        budget_note = (f"; the search over all {L}! orders is beyond the budget ({SEARCH_MAX_DIRECTIONS} "
                       "directions), so the declared order was tested at its best phase")
    keep = [i for i, x in enumerate(labels) if anchor == "calendar" or x != none_label]
    lab = [labels[i] for i in keep]
    yrs = [years[i] for i in keep]
    unit = "years" if anchor == "calendar" else "held years"
    code = np.array([cycle.index(x) if x in cycle else L for x in lab], dtype=np.int64)
    n = int(code.size)
    n_dir = int((code < L).sum())
    word = _number_word(L)
    h0 = "the outcomes are exchangeable: every ordering of the observed outcomes is equally likely (no rotation)"
    h1 = (f"the outcomes follow a fixed cycle of {word} directions (order and phase found from the data)"
          if mode == "search" else
          f"the outcomes follow the cycle {' -> '.join(cycle)} (phase found from the data)")
    if L < 2:
        return _skipped("rotation", "Rotation does not apply: a cycle needs at least two directions.", n,
                        h0=h0, h1=h1, alpha=alpha, unit=unit)
    if n_dir < 2:
        return _skipped("rotation", f"Rotation cannot be tested: only {n_dir} of {n} {unit} show one of the "
                        "cycle's directions; at least two are needed.", n, h0=h0, h1=h1, alpha=alpha, unit=unit)
    pos = (np.asarray(yrs) - yrs[0]) if anchor == "calendar" else np.arange(n)
    res = pos % L
    G_obs = _cycle_counts(code[None, :], L, res)
    t_obs = int(_cycle_best(G_obs, mode)[0])
    res_sizes = np.bincount(res, minlength=L)
    col = np.bincount(code, minlength=L + 1)
    nz = np.flatnonzero(col)
    enum = _enumerate_tables(res_sizes, col[nz], exact_limit)
    details: dict = {"unit": unit, "anchor": anchor, "cycle": list(cycle), "search": mode == "search",
                     "templates": math.factorial(L) if mode == "search" else L,
                     "budget_note": budget_note.lstrip("; ")}
    if enum is not None:
        tab, logw = enum
        full = np.zeros((tab.shape[0], L, L + 1), dtype=np.int16)
        full[:, :, nz] = tab
        T = _cycle_best(np.ascontiguousarray(full[:, :, :L].transpose(1, 2, 0)), mode).astype(float)
        p, p_rand, mean0 = _exact_p(T, logw, t_obs, rng)
        method, used, mc_se = "exact", None, None
        details["tables_enumerated"] = int(tab.shape[0])
    else:
        T = _rotation_null_mc(code, L, mode, n_draws, rng, res).astype(float)
        p = float(_mc_p(T, t_obs)[0])
        p_rand = _mc_p_randomised(T, t_obs, rng)
        mean0 = float(T.mean())
        method, used, mc_se = "monte-carlo", n_draws, math.sqrt(p * (1 - p) / n_draws)
    kappa = (t_obs - mean0) / (n - mean0) if n > mean0 else 0.0
    sigma, _, ties = _best_assignment(G_obs[:, :, 0], mode)
    pred = [cycle[sigma[res[t]]] for t in range(n)]
    details.update({
        "best_order": [cycle[s] for s in sigma], "best_order_starts": yrs[0] if yrs else None,
        "best_templates_tied": ties,
        "mismatch_years": [yrs[t] for t in range(n) if lab[t] != pred[t]],
        "years_without_direction": n - n_dir, "null_mean": mean0, "p_randomised": p_rand,
    })
    miss_rate = 1.0 - n_dir / n
    alt = (f"a fixed {word}-direction cycle kept in {CYCLE_KEPT:.0%} of the {unit} that show a direction "
           f"(otherwise another direction), {n - n_dir} of {n} {unit} without one as observed; "
           f"permutation test at level {alpha:g}")
    pw = n80 = None
    if power:
        fn = _rotation_power_fn(L, mode, miss_rate, alpha, _seed_int(rng))
        pw, n80, curve = _power_search(fn, n, 2, grid=_grid(power))
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    what = (f"the best {word}-direction cycle ({details['templates']} orders and phases searched)"
            if mode == "search" else f"the cycle {' -> '.join(cycle)} at its best phase")
    reading = (f"{n} {unit}; {what} matches {t_obs} of {n} ({_fmt_p(p)}, {method}): "
               f"{_evidence(p, alpha)} of rotation{_power_clause(p, alpha, pw, n80, n, unit)}{budget_note}.")
    return TestResult(
        test="rotation", h0=h0, h1=h1, statistic=float(t_obs), p_value=p, method=method,
        effect_size=float(kappa), effect_size_name="kappa: share of non-chance years the cycle matches",
        n=n, power=pw, power_alternative=alt, n_for_80=n80, reading=reading, details=details,
        draws=used, mc_se=mc_se, alpha=alpha,
    )


def rotation_test(history, order=None, *, anchor="calendar", alpha=0.05, draws=None, seed=0,
                  power=True) -> TestResult:
    """Rotation test on a series' history (see :func:`rotation_test_labels`).

    H0: the yearly outcomes are exchangeable (no rotation). H1: they follow
    a fixed cycle of the series' directions (``order``, or the best order).
    Years whose outcome is unknown (``history.known`` False) are left out as
    gaps. ``none`` years count as misses (calendar anchor); ``other`` years (an
    event off the declared directions, e.g. Okean-2024) always count as
    misses. With ``order=None`` the best of all orders is searched and the
    p-value accounts for the search. Skipped (not raised) for a non-rotating
    series.
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    _check_choice("anchor", anchor, ("calendar", "sequence"))
    order = _parse_order(order, history.info.directions if history.info.rotating else ())
    return _rotation_history(history, order, anchor=anchor, alpha=alpha, draws=draws, rng=rng, power=power)


def _rotation_history(history, order, *, anchor="calendar", alpha, draws, rng, power) -> TestResult:
    """:func:`rotation_test` on checked arguments."""
    info = history.info
    if not info.rotating:
        return _skipped("rotation", f"Rotation does not apply: series '{info.id}' is not rotating "
                        "(it declares no directions).", history.n_years, alpha=alpha)
    labels, years, _ = _known(history)
    return _rotation(labels, list(info.directions), order, years=years, anchor=anchor,
                     none_label=history.categories[-1], alpha=alpha, draws=draws, rng=rng, power=power)
