"""Hypothesis tests about a series: rotation, period, competing claims, breaks,
season, frequency trend and participation trend.

Every test answers one kind of press claim and returns one
:class:`TestResult`:

==================  ==========================================================  ==============================
test                claim it answers                                            statistic / p-value
==================  ==========================================================  ==============================
``rotation``        "the exercises rotate through four directions"              cycle matches; exact permutation
``period``          "Zapad comes every two years"                               max log Bayes factor over k;
                                                                                permutation
``compare``         four-direction cycle vs biennial Zapad vs disrupted         posterior model probabilities
``break``           "the pattern changed in 2022"                               posterior over the change year;
                                                                                parametric bootstrap
``seasonality``     "the exercises are held in September"                       Rayleigh / V-test / Kuiper;
                                                                                Monte Carlo
``trend``           "joint air patrols are becoming more frequent"              Poisson GLM likelihood ratio;
                                                                                permutation
``participation``   "China takes part more and more"                            exact conditional (Cochran-
                                                                                Armitage) trend test
==================  ==========================================================  ==============================

Each history-level function (``rotation_test(history)`` ...) has a
lower-level twin on plain arrays (``rotation_test_labels(labels, ...)`` ...).
:func:`run_test` dispatches by name (the command line uses it) and
:func:`run_battery` runs several tests and corrects their p-values for
multiplicity (Holm by default, Benjamini-Hochberg on request).

Conventions
-----------
Small n, honestly
    Where the permutation distribution can be enumerated it is (``method =
    "exact"``); otherwise it is sampled (``"monte-carlo"``, with ``draws``
    and the standard error ``mc_se`` of the p-value). Monte Carlo p-values
    are ``(1 + #{T* >= t}) / (draws + 1)``, never zero (Davison & Hinkley
    1997, ch. 4). Discrete statistics also get a randomised p-value in
    ``details["p_randomised"]``, exactly uniform under H0; the reported
    p-value is the usual, conservative one.
Power
    Every test reports its power at the observed n against an alternative
    stated in ``power_alternative``, by simulation (fixed seed, small
    budgets: :data:`POWER_SIMS` simulated data sets), and ``n_for_80``: the
    total n (years or events) at which the power reaches 80 %, found by
    bisection over n up to ``n + N_CAP`` (None means "more than N_CAP more").
    Power is a step function of n for discrete tests, so ``n_for_80`` is
    approximate ("about").
Tests that do not apply
    (rotation on a non-rotating series, trend on a single-event series,
    participation without a regular participant whose participation varies,
    too few years) are not raised: they return a :class:`TestResult` whose
    ``skipped`` field holds the reason, which is also the ``reading``;
    ``statistic``, ``p_value`` and ``power`` are None and ``method`` is
    ``"none"``. :func:`run_battery` keeps them so a report can say why a test
    is missing. ``compare`` is Bayesian: its ``p_value`` is None although it
    is not skipped.
Seeds
    ``seed`` is an int (or a :class:`numpy.random.Generator`); the same seed
    gives identical results. :func:`run_test` and :func:`run_battery` derive
    one stream per test name (``numpy.random.default_rng([seed, k])``), so a
    test's result does not depend on which other tests run beside it.
Imports
    The module imports numpy only; scipy and statsmodels are imported inside
    the functions that need them.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from dataclasses import dataclass, field, replace

import numpy as np

from drillcast.data.catalogue import NONE, OTHER
from drillcast.errors import OptionError, did_you_mean

__all__ = [
    "TestResult",
    "TEST_NAMES",
    "run_test",
    "run_battery",
    "power_curve",
    "results_frame",
    "adjust_pvalues",
    "rotation_test",
    "rotation_test_labels",
    "period_test",
    "period_test_labels",
    "compare_test",
    "compare_test_labels",
    "break_test",
    "break_test_labels",
    "break_test_counts",
    "seasonality_test",
    "rayleigh_test_angles",
    "v_test_angles",
    "kuiper_test_angles",
    "trend_test",
    "trend_test_counts",
    "participation_test",
    "participation_test_binary",
]

TEST_NAMES = ("rotation", "period", "compare", "break", "seasonality", "trend", "participation")
"""Names accepted by :func:`run_test` and :func:`run_battery`, in battery order."""

DEFAULT_DRAWS = 10_000
"""Monte Carlo draws for a p-value when ``draws`` is None."""
POWER_SIMS = 200
"""Simulated data sets per power evaluation."""
POWER_PERMS = 199
"""Permutations per simulated data set when power needs a permutation p-value."""
POWER_NULL = 1000
"""Simulated null data sets for a critical value in power calculations."""
N_CAP = 100
"""``n_for_80`` is searched up to ``n + N_CAP``; beyond it, None ("more than N_CAP more")."""
SEARCH_MAX_DIRECTIONS = 8
"""Most directions whose every cyclic order is searched (2^L x L work per table); beyond, the declared order."""
EXACT_LIMIT = 20_000_000
"""Largest enumeration done exactly (candidate table cells, or arrangements x years)."""
POWER_TARGET = 0.8
CYCLE_KEPT = 0.75
"""Share of years following the cycle under the power alternatives."""
BF_STRONG = 20.0
"""Bayes factor counted as strong evidence (Kass & Raftery 1995: 20 to 150 'strong')."""

HELD = "held"  # the outcome label of a held event in a non-rotating series (see drillcast.data.history)
_STREAM = {name: i for i, name in enumerate(TEST_NAMES)}
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


# --------------------------------------------------------------------------- result type


@dataclass(frozen=True)
class TestResult:
    """The result of one hypothesis test.

    Attributes
    ----------
    test : str
        Test name: ``rotation``, ``period``, ``compare``, ``break``,
        ``seasonality`` (or ``rayleigh``/``v-test``/``kuiper``), ``trend``,
        ``participation``.
    h0, h1 : str
        Null and alternative hypotheses in words.
    statistic : float or None
        The test statistic (defined in each test's docstring).
    p_value : float or None
        None for skipped tests and for the Bayesian ``compare``.
    method : {"exact", "monte-carlo", "asymptotic", "none"}
        How ``p_value`` was obtained; ``"none"`` for a skipped test.
    effect_size : float or None
    effect_size_name : str
    n : int
        Years, events or dated starts the test used (the unit is named in
        ``details["unit"]``).
    power : float or None
        Power at ``n`` and level ``alpha`` against ``power_alternative``.
    power_alternative : str
        The alternative the power refers to.
    n_for_80 : int or None
        Total n giving 80 % power against that alternative; None if more than
        ``n + N_CAP`` would be needed (or no power was computed).
    reading : str
        One plain-language sentence with the numbers.
    details : dict
        JSON-ready extras (per-k Bayes factors, posterior over change years,
        prior sensitivity, randomised p-value, the power curve, ...).
    draws : int or None
        Monte Carlo draws behind ``p_value`` (None if exact).
    mc_se : float or None
        Monte Carlo standard error of ``p_value``.
    p_adjusted : float or None
        Multiplicity-adjusted p-value, set by :func:`run_battery`.
    alpha : float
        Level used for the power and the reading.
    skipped : str or None
        Why the test does not apply to this series (None if it ran).
    """

    __test__ = False  # not a pytest test class, despite the name

    test: str
    h0: str
    h1: str
    statistic: float | None
    p_value: float | None
    method: str
    effect_size: float | None
    effect_size_name: str
    n: int
    power: float | None
    power_alternative: str
    n_for_80: int | None
    reading: str
    details: dict = field(default_factory=dict, repr=False)
    draws: int | None = None
    mc_se: float | None = None
    p_adjusted: float | None = None
    alpha: float = 0.05
    skipped: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict: keys ``test, h0, h1, statistic, p_value, method,
        effect_size, n, power, reading`` then the other fields."""
        d = {
            "test": self.test, "h0": self.h0, "h1": self.h1, "statistic": self.statistic,
            "p_value": self.p_value, "method": self.method, "effect_size": self.effect_size,
            "n": self.n, "power": self.power, "reading": self.reading,
            "effect_size_name": self.effect_size_name, "power_alternative": self.power_alternative,
            "n_for_80": self.n_for_80, "draws": self.draws, "mc_se": self.mc_se,
            "p_adjusted": self.p_adjusted, "alpha": self.alpha, "skipped": self.skipped,
            "details": self.details,
        }
        return _jsonable(d)


def results_frame(results) -> "pandas.DataFrame":  # noqa: F821
    """One row per :class:`TestResult` (details left out), for printing and reports."""
    import pandas as pd

    cols = ["test", "n", "statistic", "p_value", "p_adjusted", "method", "draws", "mc_se",
            "effect_size", "effect_size_name", "power", "n_for_80", "power_alternative",
            "reading", "skipped", "h0", "h1"]
    rows = []
    for r in results:
        d = r.to_dict()
        rows.append({c: d[c] for c in cols})
    return pd.DataFrame(rows, columns=cols)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, (_dt.date,)):
        return x.isoformat()
    return x


def _skipped(test, reason, n=0, *, h0="", h1="", alpha=0.05, unit="years") -> TestResult:
    return TestResult(
        test=test, h0=h0, h1=h1, statistic=None, p_value=None, method="none", effect_size=None,
        effect_size_name="", n=int(n), power=None, power_alternative="", n_for_80=None,
        reading=reason, details={"unit": unit}, alpha=alpha, skipped=reason,
    )


def _known(history):
    """Labels, years and mask of the years whose outcome is known.

    A past year whose only event is still reported as announced has an
    unknown outcome (``history.known`` False); it is left out, and since
    calendar phases are computed from the years, it becomes a gap rather
    than shifting the cycle.
    """
    known = getattr(history, "known", None)
    mask = np.ones(len(history.years), dtype=bool) if known is None else np.asarray(known, dtype=bool)
    labels = [history.categories[i] for i in np.asarray(history.outcomes)[mask]]
    return labels, [int(y) for y in np.asarray(history.years)[mask]], mask


# --------------------------------------------------------------------------- validation


def _check_alpha(alpha) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        a = float("nan")
    if isinstance(alpha, bool) or not 0.0 < a < 1.0:
        raise OptionError(f"--alpha: found {alpha!r}; expected a significance level between 0 and 1, e.g. 0.05")
    return a


def _check_draws(draws, default: int = DEFAULT_DRAWS) -> int:
    if draws is None:
        return default
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise OptionError(
            f"--draws: found {draws!r}; expected a positive whole number of Monte Carlo draws, e.g. {DEFAULT_DRAWS}"
        )
    return int(draws)


def _rng(seed, *stream: int) -> np.random.Generator:
    """``default_rng([seed, *stream])``; a Generator passed as ``seed`` is used as it is."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OptionError(f"--seed: found {seed!r}; expected a whole number >= 0, e.g. 0")
    return np.random.default_rng([int(seed), *(int(k) for k in stream or (0,))])


def _seed_int(rng: np.random.Generator) -> int:
    """A child seed for power simulations (so they are reproducible per n)."""
    return int(rng.integers(2**31))


def _parse_order(order, directions) -> list[str] | None:
    """Validate a user's cyclic order against the series' directions."""
    if order is None:
        return None
    if isinstance(order, str):
        items = [s.strip() for s in order.split(",") if s.strip()]
    else:
        items = [str(s).strip() for s in order]
    valid = list(directions)
    if not valid:
        raise OptionError("--order: this series is not rotating, so it has no directions to order; drop --order")
    by_lower = {v.lower(): v for v in valid}
    for d in items:
        if d.lower() not in by_lower:
            raise OptionError(
                f"--order: unknown direction {d!r}{did_you_mean(d, valid)}; expected a comma-separated "
                f"list of the series' directions: {', '.join(valid)}"
            )
    items = [by_lower[d.lower()] for d in items]
    dup = sorted({d for d in items if items.count(d) > 1})
    example = ",".join(valid)
    if dup:
        raise OptionError(f"--order: direction {dup[0]!r} appears twice; name each direction once, e.g. {example}")
    if len(items) < 2:
        raise OptionError(f"--order: found {len(items)} direction(s); a cycle needs at least two, e.g. {example}")
    return items


# --------------------------------------------------------------------------- small numerics


def _lgamma_table(base: float, size: int) -> np.ndarray:
    """``lnGamma(base + j)`` for j = 0..size, a lookup table for integer counts."""
    return np.array([math.lgamma(base + j) for j in range(int(size) + 1)])


def _logmeanexp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = m + np.log(np.mean(np.exp(a - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def _mc_p(null: np.ndarray, obs, tol: float = 1e-9) -> np.ndarray:
    """Monte Carlo p-value ``(1 + #{null >= obs}) / (B + 1)`` for each obs (vectorised)."""
    null = np.sort(np.asarray(null, float))
    obs = np.atleast_1d(np.asarray(obs, float))
    ge = null.size - np.searchsorted(null, obs - tol * np.maximum(1.0, np.abs(obs)), side="left")
    return (1.0 + ge) / (null.size + 1.0)


def _mc_p_randomised(null: np.ndarray, obs: float, rng, tol: float = 1e-9) -> float:
    """Randomised Monte Carlo p-value: ``(#{>} + U (#{=} + 1)) / (B + 1)``, uniform under H0."""
    t = tol * max(1.0, abs(obs))
    gt = np.sum(null > obs + t)
    eq = np.sum(np.abs(null - obs) <= t)
    return float((gt + rng.random() * (eq + 1)) / (null.size + 1))


def _exact_p(values: np.ndarray, logw: np.ndarray, obs: float, rng, tol: float = 1e-9):
    """p = P(T >= obs) and its randomised version from an enumerated distribution."""
    w = np.exp(logw - logw.max())
    w /= w.sum()
    t = tol * max(1.0, abs(obs))
    gt = w[values > obs + t].sum()
    eq = w[np.abs(values - obs) <= t].sum()
    return float(min(1.0, gt + eq)), float(gt + rng.random() * eq), float(np.dot(w, values))


def _perm_index(B: int, n: int, rng) -> np.ndarray:
    """B random permutations of range(n), one per row (argsort of uniform keys)."""
    return rng.random((B, n), dtype=np.float32).argsort(axis=1)


def _compositions(m: int, c: int) -> np.ndarray:
    """All ways to write m as an ordered sum of c non-negative integers, shape (Q, c)."""
    if c == 1:
        return np.array([[m]])
    out = []
    for bars in itertools.combinations(range(m + c - 1), c - 1):
        prev = -1
        row = []
        for b in bars:
            row.append(b - prev - 1)
            prev = b
        row.append(m + c - 1 - prev - 1)
        out.append(row)
    return np.array(out, dtype=np.int64)


def _enumerate_tables(row_sizes, col_totals, limit: int = EXACT_LIMIT):
    """All tables with the given margins and their log-probabilities under random allocation.

    Under H0 (outcomes exchangeable) the residue-by-outcome table of a
    random permutation is multivariate hypergeometric:
    ``P(N) = prod_r m_r! prod_c c_c! / (n! prod_rc N_rc!)``. Returns
    ``(tables (M, R, C), logp (M,))`` or None if the enumeration would exceed
    ``limit`` candidate cells.
    """
    rows = [int(m) for m in row_sizes]
    col = np.asarray(col_totals, dtype=np.int64)
    n = int(col.sum())
    lgf = _lgamma_table(1.0, n)  # ln k!
    rem = col[None, :].copy()
    tab = np.zeros((1, 0, col.size), dtype=np.int16)
    logw = np.zeros(1)
    for r, m in enumerate(rows):
        if r == len(rows) - 1:
            comp = rem
            tab = np.concatenate([tab, comp[:, None, :].astype(np.int16)], axis=1)
            logw = logw - lgf[comp].sum(1)
            break
        comps = _compositions(m, col.size)
        if rem.shape[0] * comps.shape[0] * col.size > limit:
            return None
        ok = (comps[None, :, :] <= rem[:, None, :]).all(-1)
        mi, qi = np.nonzero(ok)
        rem = rem[mi] - comps[qi]
        tab = np.concatenate([tab[mi], comps[qi][:, None, :].astype(np.int16)], axis=1)
        logw = logw[mi] - lgf[comps[qi]].sum(1)
    const = sum(lgf[m] for m in rows) + lgf[col].sum() - lgf[n]
    return tab, logw + const


def _n_arrangements(values) -> int:
    _, counts = np.unique(np.asarray(values), return_counts=True)
    total = math.factorial(int(counts.sum()))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def _multiset_permutations(values, limit: int = EXACT_LIMIT):
    """Every distinct arrangement of ``values`` (equally likely under exchangeability).

    Returns an array (M, n), or None if M * n would exceed ``limit``.
    """
    values = np.asarray(values)
    n = values.size
    if _n_arrangements(values) * max(n, 1) > limit:
        return None
    vals, counts = np.unique(values, return_counts=True)
    out = np.empty((1, n), dtype=values.dtype)
    free = np.arange(n)[None, :]
    for v, c in zip(vals, counts):
        nf = free.shape[1]
        combos = np.array(list(itertools.combinations(range(nf), int(c))), dtype=np.intp).reshape(-1, int(c))
        q, m = combos.shape[0], out.shape[0]
        out = np.repeat(out, q, axis=0)
        chosen = free[:, combos].reshape(m * q, int(c))
        np.put_along_axis(out, chosen, v, axis=1)
        keep = np.ones((q, nf), dtype=bool)
        keep[np.arange(q)[:, None], combos] = False
        free = np.repeat(free[:, None, :], q, axis=1)[:, keep].reshape(m * q, nf - int(c))
    return out


def _grid(power):
    """Extra n at which to evaluate the power: ``power`` may be a bool or a sequence of total n."""
    if isinstance(power, (bool, np.bool_)) or power is None:
        return ()
    return tuple(int(v) for v in power)


def _power_search(power_at, n_obs: int, n_min: int, cap: int = N_CAP, target: float = POWER_TARGET, grid=()):
    """Power at ``n_obs`` and the smallest n with power >= target (bisection, power assumed monotone).

    ``grid``: further total n to evaluate (for power curves). Returns
    ``(power, n_for_target or None, curve {n: power})``.
    """
    curve: dict[int, float] = {}

    def f(n):
        if n not in curve:
            curve[n] = float(power_at(n))
        return curve[n]

    for m in grid:
        if m >= n_min:
            f(m)
    p_obs = f(n_obs)
    if p_obs >= target:
        lo, hi = n_min, n_obs
        if f(lo) >= target:
            return p_obs, lo, curve
    else:
        lo, hi = n_obs, n_obs + cap
        if f(hi) < target:
            return p_obs, None, curve
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if f(mid) >= target:
            hi = mid
        else:
            lo = mid
    return p_obs, hi, curve


def _power_details(curve, n, n80, sims) -> dict:
    return {
        "power_curve": {int(k): round(v, 4) for k, v in sorted(curve.items())},
        "power_sims": sims,
        "power_se": round(math.sqrt(max(curve[n] * (1 - curve[n]), 1e-12) / sims), 4) if n in curve else None,
        "n_more_for_80": None if n80 is None else max(0, n80 - n),
        "n_for_80_cap": n + N_CAP,
    }


# --------------------------------------------------------------------------- readings


def _fmt_p(p) -> str:
    if p is None:
        return "no p-value"
    if p < 1e-4:
        return "p < 0.0001"
    if p < 0.001:
        return f"p = {p:.1g}"
    return f"p = {p:.2g}"


def _evidence(p: float, alpha: float) -> str:
    """Words for a p-value; never stronger than "weak" when p > alpha."""
    if p > alpha:
        return f"weak evidence, not significant at {alpha:g}" if p < max(0.1, alpha) else "no evidence"
    if p < 0.001:
        return "very strong evidence"
    if p < 0.01:
        return "strong evidence"
    return "some evidence"


def _power_clause(p, alpha, power, n80, n, unit) -> str:
    """What the power says when the test did not reject."""
    if power is None or (p is not None and p <= alpha):
        return ""
    if power >= POWER_TARGET:
        return f" (power {power:.2f} against the stated alternative, so an effect that strong would likely have shown)"
    if n80 is None:
        return (f"; with {_nu(n, unit)} no test can yet tell (power {power:.2f}): more than {N_CAP} more {unit} "
                "would be needed for 80 % power")
    return (f"; with {_nu(n, unit)} the test cannot yet tell (power {power:.2f}): about {max(1, n80 - n)} more "
            f"{unit} would give 80 % power")


def _nu(n: int, unit: str) -> str:
    """``"1 year"``, ``"3 years"``, ``"1 held year"``: a count with its unit, singular when 1."""
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def _number_word(k: int) -> str:
    return _NUMBER_WORDS.get(k, str(k))


# --------------------------------------------------------------------------- shared label helpers


def _codes(labels, categories) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    return np.array([index[x] for x in labels], dtype=np.int64)


def _label_inputs(labels, years, categories, none_label, directions=None):
    """Common input handling of the label tests: labels as str, years (default 0..n-1), categories, directions."""
    labels = [str(x) for x in labels]
    years = list(range(len(labels))) if years is None else [int(y) for y in years]
    cats = _label_categories(labels, categories, none_label)
    if directions is None:
        directions = [c for c in cats if c not in (none_label, OTHER, HELD)]
    return labels, years, cats, [str(d) for d in directions]


def _label_categories(labels, categories, none_label) -> list[str]:
    """Outcome categories with ``none`` last (as in SeriesHistory)."""
    if categories is None:
        cats = list(dict.fromkeys(x for x in labels if x != none_label))
    else:
        cats = [str(c) for c in categories if str(c) != none_label]
        unknown = sorted({x for x in labels if x not in cats and x != none_label})
        if unknown:
            raise ValueError(f"labels {unknown} are not among the categories {cats + [none_label]}")
    return cats + [none_label]


def _sim_cycle(D: int, n: int, pattern, q: float, miss_rate: float, miss_code: int, rng) -> np.ndarray:
    """Noisy cycles: position t shows ``pattern[(t + phase) % L]`` with probability q,
    otherwise another entry of the pattern; with probability ``miss_rate`` the
    year shows ``miss_code`` instead. One random phase per data set."""
    pattern = np.asarray(pattern)
    L = pattern.size
    phase = rng.integers(L, size=(D, 1))
    pos = (np.arange(n)[None, :] + phase) % L
    u = rng.random((D, n))
    v = rng.random((D, n))
    shift = 1 + rng.integers(L - 1, size=(D, n)) if L > 1 else 0
    out = np.where(v < q, pattern[pos], pattern[(pos + shift) % L])
    return np.where(u < miss_rate, miss_code, out)


# --------------------------------------------------------------------------- rotation


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
        subset of the directions. Unknown directions raise OptionError.
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
    n_draws = _check_draws(draws)
    rng = _rng(seed)
    if anchor not in ("calendar", "sequence"):
        raise OptionError(f"anchor: found {anchor!r}; expected 'calendar' or 'sequence'")
    labels = [str(x) for x in labels]
    years = list(range(len(labels))) if years is None else [int(y) for y in years]
    if len(years) != len(labels):
        raise ValueError(f"years has {len(years)} entries but labels has {len(labels)}")
    if directions is None:
        directions = list(dict.fromkeys(x for x in labels if x not in (none_label, OTHER)))
    directions = [str(d) for d in directions]
    cycle = _parse_order(order, directions) if order is not None else directions
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
    _check_draws(draws)
    info = history.info
    if not info.rotating:
        if order is not None:
            _parse_order(order, ())
        return _skipped("rotation", f"Rotation does not apply: series '{info.id}' is not rotating "
                        "(it declares no directions).", history.n_years, alpha=alpha)
    order = _parse_order(order, info.directions)
    labels, years, _ = _known(history)
    return rotation_test_labels(labels, info.directions, order, years=years, anchor=anchor,
                                none_label=history.categories[-1], alpha=alpha, draws=draws, seed=seed,
                                power=power)


# --------------------------------------------------------------------------- period


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
    n_draws = _check_draws(draws)
    rng = _rng(seed)
    labels = [str(x) for x in labels]
    years = list(range(len(labels))) if years is None else [int(y) for y in years]
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
    anchors = list(anchors)
    for anc in anchors:
        if anc not in ("calendar", "sequence"):
            raise OptionError(f"anchors: found {anc!r}; expected 'calendar' and/or 'sequence'")
    kmax = _kmax(n) if kmax is None else int(kmax)
    if kmax < 2:
        raise OptionError(f"kmax: found {kmax}; expected a whole number >= 2")
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
    _check_draws(draws)
    info = history.info
    pattern = list(info.directions) if info.rotating else [history.categories[0], history.categories[-1]]
    labels, years, _ = _known(history)
    return period_test_labels(labels, history.categories, years=years,
                              none_label=history.categories[-1], kmax=kmax, prior=prior, alpha=alpha,
                              draws=draws, seed=seed, power=power, power_pattern=pattern)


# --------------------------------------------------------------------------- competing hypotheses

_SPEC_HELP = ("expected e.g. 'climatology', 'cycle', 'cycle:*', 'cycle:zapad,vostok,tsentr,kavkaz', "
              "'every:2:zapad', 'every:2:*', 'period:4', or a regime switch 'A>B@2021' / 'A>B@?'")


@dataclass(frozen=True)
class _Segment:
    kind: str  # "climatology", "predict" or "period"
    templates: np.ndarray | None = None  # (A, n) predicted category per year, -1 for none
    k: int = 1
    text: str = ""
    res: np.ndarray | None = None  # period: phase of each year


def _parse_segment(text: str, ctx: dict) -> _Segment:
    t = text.strip()
    cats, dirs, n = ctx["categories"], ctx["directions"], ctx["n"]
    pos = np.asarray(ctx.get("pos", np.arange(n)))
    where = f"hypotheses: {ctx['spec']!r}"
    if t.lower() == "climatology":
        return _Segment("climatology", text=t)
    head, _, rest = t.partition(":")
    head = head.lower()
    if head == "cycle":
        if rest == "*":
            if len(dirs) < 2:
                raise OptionError(f"{where}: 'cycle:*' needs at least two directions; the series has {dirs}")
            codes = [cats.index(d) for d in dirs]
            tm = np.array([[p[i % len(p)] for i in pos] for p in itertools.permutations(codes)])
            return _Segment("predict", tm, text=t)
        order = ctx["order"] if rest == "" else [s.strip() for s in rest.split(",") if s.strip()]
        if not order or len(order) < 2:
            raise OptionError(f"{where}: a cycle needs at least two outcomes; {_SPEC_HELP}")
        for d in order:
            if d not in cats:
                raise OptionError(f"{where}: unknown outcome {d!r}{did_you_mean(d, cats)}; "
                                  f"a cycle runs through the series' outcomes: {', '.join(cats)}")
        codes = [cats.index(d) for d in order]
        L = len(codes)
        tm = np.array([[codes[(i + ph) % L] for i in pos] for ph in range(L)])
        return _Segment("predict", tm, text=t)
    if head == "every":
        k_txt, _, d = rest.partition(":")
        if not k_txt.isdigit() or int(k_txt) < 1 or not d:
            raise OptionError(f"{where}: write every:K:OUTCOME with K a whole number >= 1; {_SPEC_HELP}")
        k = int(k_txt)
        targets = dirs if d == "*" else [d]
        if d == "*" and not dirs:
            targets = [c for c in cats if c not in (NONE, OTHER)]
        rows = []
        for tgt in targets:
            if tgt not in cats or tgt == NONE:
                raise OptionError(f"{where}: unknown outcome {tgt!r}{did_you_mean(tgt, cats)}; "
                                  f"expected one of: {', '.join(c for c in cats if c != NONE)}")
            for ph in range(k):
                rows.append([cats.index(tgt) if i % k == ph else -1 for i in pos])
        return _Segment("predict", np.array(rows), text=t)
    if head == "period":
        if not rest.isdigit() or int(rest) < 1:
            raise OptionError(f"{where}: write period:K with K a whole number >= 1; {_SPEC_HELP}")
        return _Segment("period", k=int(rest), text=t, res=pos % int(rest))
    raise OptionError(f"{where}: cannot read {text!r}; {_SPEC_HELP}")


def _parse_spec(spec: str, ctx: dict):
    """``("single", seg)`` or ``("switch", seg_before, seg_after, tau or None)``."""
    ctx = dict(ctx, spec=spec)
    if ">" not in spec:
        return ("single", _parse_segment(spec, ctx))
    before, _, after = spec.partition(">")
    after, at, when = after.partition("@")
    if not at:
        raise OptionError(f"hypotheses: {spec!r}: a regime switch needs '@YEAR' or '@?'; {_SPEC_HELP}")
    when = when.strip()
    years, n = ctx["years"], ctx["n"]
    if when == "?":
        tau = None
    else:
        if not when.isdigit() or not years[0] < int(when) <= years[-1]:
            raise OptionError(f"hypotheses: {spec!r}: switch year {when!r} is not within the series' years "
                              f"{years[0] + 1}-{years[-1]}; write '@YEAR' or '@?' (any year)")
        tau = next(i for i, y in enumerate(years) if y >= int(when))
        if not 0 < tau < n:
            raise OptionError(f"hypotheses: {spec!r}: the switch year must leave at least one year before it")
    return ("switch", _parse_segment(before, ctx), _parse_segment(after, ctx), tau)


def _segment_logml(seg: _Segment, Y, C, a, beta):
    """Log marginal likelihoods of the data before and after each split point.

    Returns ``(pre, suf)``, each (R, n + 1): ``pre[:, t]`` for years [0, t),
    ``suf[:, t]`` for years [t, n), each segment with its own parameters and
    its own template (template choice marginalised uniformly).
    """
    Y = np.atleast_2d(Y)
    R, n = Y.shape
    lgA = _lgamma_table(a, n)
    lgCa = _lgamma_table(C * a, n)

    def dm(N):
        return lgCa[0] - lgCa[N.sum(-1)] + (lgA[N] - lgA[0]).sum(-1)

    def prefix(x, axis):
        out = np.zeros(x.shape[:axis] + (x.shape[axis] + 1,) + x.shape[axis + 1:], dtype=np.int32)
        idx = [slice(None)] * x.ndim
        idx[axis] = slice(1, None)
        np.cumsum(x, axis=axis, out=out[tuple(idx)])
        return out

    if seg.kind == "climatology":
        P = prefix((Y[:, :, None] == np.arange(C)).astype(np.int32), 1)
        return dm(P), dm(P[:, -1:, :] - P)
    if seg.kind == "period":
        k = seg.k
        oh = np.zeros((R, n, k, C), dtype=np.int32)
        t = np.arange(n)
        res = t % k if seg.res is None else seg.res
        oh[np.arange(R)[:, None], t[None, :], res[None, :], Y] = 1
        P = prefix(oh, 1)
        return dm(P).sum(-1), dm(P[:, -1:] - P).sum(-1)
    T = seg.templates
    pred = T >= 0
    H = prefix((Y[:, None, :] == T[None, :, :]) & pred[None], 2)
    M = prefix(pred.astype(np.int32), 1)
    ab, bb = beta
    lga, lgb, lgab = _lgamma_table(ab, n), _lgamma_table(bb, n), _lgamma_table(ab + bb, n)
    const = lgab[0] - lga[0] - lgb[0]
    lmiss = math.log(C - 1) if C > 1 else 0.0

    def f(h, m):
        return lga[h] + lgb[m - h] - lgab[m] + const - (m - h) * lmiss

    pre, suf = f(H, M[None]), f(H[..., -1:] - H, (M[:, -1:] - M)[None])
    if not pred.all():
        rest = (~pred)[None, :, :, None] & (Y[:, None, :, None] == np.arange(C))
        RC = prefix(rest.astype(np.int32), 2)
        pre = pre + dm(RC)
        suf = suf + dm(RC[:, :, -1:, :] - RC)
    return _logmeanexp(pre, axis=1), _logmeanexp(suf, axis=1)


def _model_logml(parsed, Y, C, a, beta, min_segment=2) -> np.ndarray:
    if parsed[0] == "single":
        return _segment_logml(parsed[1], Y, C, a, beta)[0][:, -1]
    _, s1, s2, tau = parsed
    pre = _segment_logml(s1, Y, C, a, beta)[0]
    suf = _segment_logml(s2, Y, C, a, beta)[1]
    n = np.atleast_2d(Y).shape[1]
    if tau is not None:
        return pre[:, tau] + suf[:, tau]
    taus = np.arange(min_segment, n - min_segment + 1)
    return _logmeanexp(pre[:, taus] + suf[:, taus], axis=1)


def _sim_segment(seg: _Segment, D, n, C, q, freqs, rng) -> np.ndarray:
    """Data from a prediction model with hit rate q (misses spread evenly over the other outcomes)."""
    T = seg.templates[rng.integers(seg.templates.shape[0], size=D)]
    base = rng.choice(C, size=(D, n), p=freqs)
    other = (T + 1 + rng.integers(C - 1, size=(D, n))) % C
    hit = rng.random((D, n)) < q
    return np.where(T >= 0, np.where(hit, T, other), base)


def _bf_words(bf: float) -> str:
    """Kass & Raftery (1995) categories for a Bayes factor in favour of a hypothesis."""
    if bf < 1:
        return "the data favour no pattern over it"
    if bf < 3:
        return "evidence barely worth mentioning"
    if bf < 20:
        return "positive evidence"
    if bf < 150:
        return "strong evidence"
    return "very strong evidence"


_DESCRIPTIONS = {
    "climatology": "no pattern: each year's outcome drawn from fixed frequencies",
    "cycle": "the declared cycle of directions, kept with an unknown probability",
    "disrupted": "the cycle until some year, then no pattern",
    "biennial-after-break": "the cycle until some year, then one direction every other year",
    "biennial": "an event every other year, kept with an unknown probability",
    "changed-frequency": "no pattern, but the frequencies changed in some year",
}


def _default_hypotheses(rotating: bool, held_label: str = HELD) -> dict:
    if rotating:
        return {"climatology": "climatology", "cycle": "cycle", "disrupted": "cycle>climatology@?",
                "biennial-after-break": "cycle>every:2:*@?"}
    return {"climatology": "climatology", "biennial": f"cycle:{held_label},{NONE}",
            "changed-frequency": "climatology>climatology@?"}


def compare_test_labels(labels, hypotheses, categories=None, *, directions=None, order=None, years=None,
                        none_label=NONE, prior=0.5, beta=(1.0, 1.0), model_prior=None, alpha=0.05,
                        seed=0, power=True, power_model=None, min_segment=2) -> TestResult:
    """Compare named hypotheses about a label sequence by posterior probability.

    H0 (reference): ``climatology``: outcomes i.i.d. from unknown
    frequencies (Dirichlet(prior) over the outcomes). H1: each other named
    hypothesis. Hypotheses are written in a small language:

    - ``climatology``;
    - ``cycle`` (the declared order), ``cycle:a,b,c,d`` (a given order, of
      any outcomes: ``cycle:held,none`` is an event every other year) or
      ``cycle:*`` (any order of the directions): year t shows the cycle's
      outcome with an unknown probability rho ~ Beta(beta), otherwise one of
      the other outcomes uniformly; the phase (and for ``*`` the order) is
      averaged over uniformly;
    - ``every:K:d``: outcome d every K-th year (phase averaged), kept with
      probability rho, other years from climatology; ``d = *`` averages over
      the directions;
    - ``period:K``: the periodic Dirichlet model of :func:`period_test_labels`;
    - ``A>B@YEAR``: A before YEAR, B from YEAR on, independent parameters;
      ``A>B@?`` averages the switch year uniformly over the years leaving at
      least ``min_segment`` years on each side.

    All marginal likelihoods are closed-form, so the Bayes factors
    ``BF = p(y | H1) / p(y | H0)`` and posterior model probabilities are
    exact (Kass & Raftery 1995). Their sensitivity to the priors is shown in
    ``details["prior_sensitivity"]``: Dirichlet 0.5 vs 1, Beta(1, 1) vs
    Beta(0.5, 0.5), and a sceptical model prior giving climatology 1/2.

    Returns
    -------
    TestResult
        ``p_value`` None (Bayesian comparison); ``statistic`` = log10 BF
        against climatology of the most probable other hypothesis;
        ``effect_size`` = the posterior probability of the most probable
        hypothesis (``details["best"]``). ``power``: probability that the Bayes factor of
        ``power_model`` against climatology exceeds 20 ("strong") when the
        data come from that model with rho = 0.75.

    References
    ----------
    Kass, R. E. & Raftery, A. E. (1995). Bayes factors. JASA 90, 773-795.
    Schoenbrodt, F. D. & Wagenmakers, E.-J. (2018). Bayes factor design
    analysis. Psychonomic Bulletin & Review 25, 128-142 (power of a Bayes
    factor).
    """
    alpha = _check_alpha(alpha)
    rng = _rng(seed)
    labels, years, cats, directions = _label_inputs(labels, years, categories, none_label, directions)
    C = len(cats)
    order = _parse_order(order, directions) if order is not None else directions
    if isinstance(hypotheses, str):
        hypotheses = [hypotheses]
    if not isinstance(hypotheses, dict):
        hypotheses = {str(s): str(s) for s in hypotheses}
    if len(hypotheses) < 2:
        raise OptionError(f"hypotheses: found {len(hypotheses)}; compare needs at least two, e.g. "
                          "climatology and cycle")
    code = _codes(labels, cats)
    n = code.size
    h0 = "climatology: each year's outcome drawn independently from fixed, unknown frequencies"
    h1 = "one of: " + "; ".join(f"{k} ({v})" for k, v in hypotheses.items() if v != "climatology")
    if n == 0:
        return _skipped("compare", "Comparison not possible: no complete year of the series is known yet.",
                        h0=h0, h1=h1, alpha=alpha)
    ctx = {"categories": cats, "directions": directions, "order": order, "n": n, "years": years,
           "pos": np.asarray(years) - years[0]}
    parsed, dropped = {}, {}
    for name, spec in hypotheses.items():
        p = _parse_spec(str(spec), ctx)
        if p[0] == "switch" and p[3] is None and n < 2 * min_segment:
            dropped[name] = f"needs at least {2 * min_segment} years"
            continue
        parsed[name] = p
    if n < 3 or len(parsed) < 2 or len(set(code.tolist())) < 2:
        why = f"only {_nu(n, 'years')}" if n < 3 or len(parsed) < 2 else "every year had the same outcome"
        return _skipped("compare", f"Comparison not informative: {why}.", n, h0=h0, h1=h1, alpha=alpha)
    names = list(parsed)
    null_name = next((k for k in names if hypotheses[k].strip().lower() == "climatology"), None)

    def posterior(a, b, prior_kind="equal"):
        lml = np.array([_model_logml(parsed[k], code[None, :], C, a, b, min_segment)[0] for k in names])
        if prior_kind == "sceptical" and null_name is not None:
            lp = np.array([math.log(0.5) if k == null_name else math.log(0.5 / (len(names) - 1)) for k in names])
        elif model_prior is not None:
            lp = np.log(np.array([float(model_prior.get(k, 0.0)) for k in names]))
        else:
            lp = np.zeros(len(names))
        w = lml + lp
        post = np.exp(w - w.max())
        return lml, post / post.sum()

    with np.errstate(divide="ignore"):
        lml, post = posterior(prior, beta)
    ref = names.index(null_name) if null_name is not None else None
    log10 = lml / math.log(10)
    models = {k: {"spec": hypotheses[k], "description": _DESCRIPTIONS.get(k, hypotheses[k]),
                  "log10_marginal_likelihood": float(log10[i]), "posterior": float(post[i]),
                  "log10_bf_vs_climatology": None if ref is None else float(log10[i] - log10[ref])}
              for i, k in enumerate(names)}
    settings = [("Dirichlet 0.5, Beta(1,1), equal model priors", 0.5, (1.0, 1.0), "equal"),
                ("Dirichlet 1, Beta(1,1), equal model priors", 1.0, (1.0, 1.0), "equal"),
                ("Dirichlet 0.5, Beta(0.5,0.5), equal model priors", 0.5, (0.5, 0.5), "equal"),
                ("Dirichlet 1, Beta(0.5,0.5), equal model priors", 1.0, (0.5, 0.5), "equal")]
    if null_name is not None:
        settings.append(("Dirichlet 0.5, Beta(1,1), sceptical: climatology 1/2", 0.5, (1.0, 1.0), "sceptical"))
    sens = []
    for label, a, b, kind in settings:
        with np.errstate(divide="ignore"):
            _, po = posterior(a, b, kind)
        sens.append({"prior": label, "posterior": {k: float(po[i]) for i, k in enumerate(names)}})
    ib = int(np.argmax(post))
    best = names[ib]
    rng_post = [s["posterior"][best] for s in sens]
    if ref is not None:
        cand = ib if ib != ref else int(np.argmax(np.where(np.arange(len(names)) == ref, -np.inf, lml)))
        stat = float(log10[cand] - log10[ref])
    else:
        second = int(np.argsort(-post)[1])
        stat = float(log10[ib] - log10[second])
    details = {"unit": "years", "models": models, "best": best, "prior_sensitivity": sens,
               "dropped": dropped, "dirichlet": prior, "beta": list(beta)}
    if power_model is None:
        power_model = next((k for k in names if parsed[k][0] == "single" and parsed[k][1].kind == "predict"), None)
    pw = n80 = None
    alt = ""
    if power and power_model is not None and null_name is not None and power_model in parsed:
        seg = _parse_segment(hypotheses[power_model], dict(ctx, spec=hypotheses[power_model]))
        if seg.kind == "predict":
            freqs = np.bincount(code, minlength=C) / n
            alt = (f"data from '{power_model}' ({hypotheses[power_model]}) with the prediction kept in "
                   f"{CYCLE_KEPT:.0%} of years; power = chance that its Bayes factor against climatology "
                   f"exceeds {BF_STRONG:g} (strong evidence, Kass & Raftery 1995)")
            seed2 = _seed_int(rng)

            def power_at(m):
                r2 = np.random.default_rng([seed2, m])
                c2 = dict(ctx, n=m, years=list(range(m)), pos=np.arange(m), spec=hypotheses[power_model])
                s = _parse_segment(hypotheses[power_model], c2)
                Y = _sim_segment(s, POWER_SIMS, m, C, CYCLE_KEPT, freqs, r2)
                l1 = _segment_logml(s, Y, C, prior, beta)[0][:, -1]
                l0 = _segment_logml(_Segment("climatology"), Y, C, prior, beta)[0][:, -1]
                return float(np.mean(l1 - l0 > math.log(BF_STRONG)))

            pw, n80, curve = _power_search(power_at, n, 2, grid=_grid(power))
            details.update(_power_details(curve, n, n80, POWER_SIMS))
            details["power_model"] = power_model
    post_range = f"{min(rng_post):.2f}-{max(rng_post):.2f} across priors"
    if best == null_name:
        reading = (f"{n} years; of {len(names)} hypotheses, no pattern (climatology) is the most probable "
                   f"(posterior {post[ib]:.2f}, {post_range}): the data support none of the claims")
    else:
        bf = 10 ** stat if ref is not None else None
        vs = (f"; Bayes factor {bf:.3g} against no pattern: {_bf_words(bf)}" if bf is not None else "")
        reading = (f"{n} years; of {len(names)} hypotheses, '{best}' is the most probable (posterior "
                   f"{post[ib]:.2f}, {post_range}){vs}")
    if pw is not None and pw < POWER_TARGET:
        more = (f"more than {N_CAP} more years" if n80 is None else f"about {max(1, n80 - n)} more years")
        reading += (f"; even if '{power_model}' were true, strong evidence would come only with probability "
                    f"{pw:.2f} ({more} for 80 %)")
    reading += "."
    return TestResult(
        test="compare", h0=h0, h1=h1, statistic=stat, p_value=None, method="exact",
        effect_size=float(post[ib]), effect_size_name="posterior probability of the most probable hypothesis",
        n=n, power=pw, power_alternative=alt, n_for_80=n80, reading=reading, details=details, alpha=alpha,
    )


def compare_test(history, hypotheses=None, *, order=None, prior=0.5, alpha=0.05, seed=0,
                 power=True) -> TestResult:
    """Compare competing claims on a series' history (see :func:`compare_test_labels`).

    H0 (reference): climatology, no pattern. H1: each named claim; the
    result gives their posterior probabilities. Default hypotheses, rotating series: ``climatology``, ``cycle`` (the
    declared order, or ``order``), ``disrupted`` (cycle then no pattern,
    switch year averaged), ``biennial-after-break`` (cycle then one direction
    every other year). Other series (held/none): ``climatology``,
    ``biennial`` (held every other year), ``changed-frequency`` (the share of
    years with an event changed in some year). ``hypotheses`` may be a dict name -> spec
    or a list of specs, e.g. ``{"biennial zapad since 2021":
    "cycle>every:2:zapad@2021"}``.
    """
    alpha = _check_alpha(alpha)
    info = history.info
    order = _parse_order(order, info.directions) if order is not None else None
    if hypotheses is None:
        hypotheses = _default_hypotheses(info.rotating, history.categories[0])
    labels, years, _ = _known(history)
    return compare_test_labels(labels, hypotheses, history.categories, directions=info.directions,
                               order=order, years=years, none_label=history.categories[-1],
                               prior=prior, alpha=alpha, seed=seed, power=power)


# --------------------------------------------------------------------------- break


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
    B = _check_draws(draws, 2000)
    rng = _rng(seed)
    labels, years, cats, directions = _label_inputs(labels, years, categories, none_label, directions)
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
           "years": years, "spec": model, "pos": np.asarray(years) - years[0]}
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
    B = _check_draws(draws, 2000)
    rng = _rng(seed)
    y = np.asarray(counts, dtype=np.int64)
    n = y.size
    years = list(range(n)) if years is None else [int(v) for v in years]
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
    _check_draws(draws)
    info = history.info
    labels, years, mask = _known(history)
    if info.multi_event:
        return break_test_counts(np.asarray(history.counts)[mask], years=years, min_segment=min_segment,
                                 prior_no_change=prior_no_change, alpha=alpha, draws=draws, seed=seed, power=power)
    model = "cycle" if info.rotating else "period:1"
    return break_test_labels(labels, history.categories, model=model, directions=info.directions,
                             years=years, none_label=history.categories[-1], min_segment=min_segment,
                             prior_no_change=prior_no_change, alpha=alpha, draws=draws, seed=seed, power=power)


# --------------------------------------------------------------------------- seasonality

_TWO_PI = 2.0 * math.pi
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
VON_MISES_KAPPA = 1.0
"""Concentration of the seasonal power alternative (mean resultant length 0.45)."""
IMPUTATIONS = 200
"""Imputations of imprecise (month- or year-precision) start dates."""


def _circ_stat(A: np.ndarray, kind: str, mu: float | None = None) -> np.ndarray:
    """Rayleigh mean resultant length, V-test V, or Kuiper V_n, per row of angles A (R, n)."""
    if kind == "rayleigh":
        return np.hypot(np.cos(A).mean(1), np.sin(A).mean(1))
    if kind == "v":
        return np.cos(A - mu).mean(1)
    n = A.shape[1]
    U = np.sort(np.mod(A, _TWO_PI) / _TWO_PI, axis=1)
    i = np.arange(1, n + 1)
    return (i / n - U).max(1) + (U - (i - 1) / n).max(1)


def _circ_asymptotic(kind: str, s: float, n: int) -> float:
    """Large-sample p-values: Zar (2010) eq. 27.4 (Rayleigh), normal u (V-test), Stephens (1970) (Kuiper)."""
    if kind == "rayleigh":
        R = n * s
        return float(min(1.0, math.exp(math.sqrt(1 + 4 * n + 4 * (n * n - R * R)) - (1 + 2 * n))))
    if kind == "v":
        return 0.5 * math.erfc(s * math.sqrt(2 * n) / math.sqrt(2))
    v = s * (math.sqrt(n) + 0.155 + 0.24 / math.sqrt(n))
    if v < 0.4:
        return 1.0
    tail = sum(2 * (4 * j * j * v * v - 1) * math.exp(-2 * j * j * v * v) for j in range(1, 101))
    return float(min(1.0, max(0.0, tail)))


_CIRC_NAMES = {
    "rayleigh": ("rayleigh", "mean resultant length R-bar (0 = spread evenly, 1 = one date)",
                 "the dates are spread uniformly over the year",
                 "the dates cluster around one (unspecified) time of year"),
    "v": ("v-test", "V = R-bar cos(mean - hypothesised date)",
          "the dates are spread uniformly over the year",
          "the dates cluster around the hypothesised date"),
    "kuiper": ("kuiper", "Kuiper V_n (largest gaps between the date distribution and uniform)",
               "the dates are spread uniformly over the year",
               "the dates are not uniform over the year (any shape)"),
}


def _circular_test(kind, A, mu, *, alpha, draws, seed, power, unit, describe) -> TestResult:
    alpha = _check_alpha(alpha)
    B = _check_draws(draws)
    rng = _rng(seed)
    A = np.atleast_2d(np.asarray(A, dtype=float))
    M, n = A.shape
    name, eff_name, h0, h1 = _CIRC_NAMES[kind]
    if kind == "v":
        h1 = h1 + f" ({describe['mu']})"
    if n < 3:
        return _skipped(name, f"Seasonality cannot be tested: only {_nu(n, unit)} (at least 3 are needed).", n,
                        h0=h0, h1=h1, alpha=alpha, unit=unit)
    null = _circ_stat(rng.uniform(0.0, _TWO_PI, size=(B, n)), kind, mu)
    s = _circ_stat(A, kind, mu)
    pj = _mc_p(null, s)
    p = float(np.clip(pj.mean(), pj.min(), pj.max()))
    stat = float(s.mean())
    mean_dir = float(np.arctan2(np.sin(A).mean(), np.cos(A).mean()))
    details = {"unit": unit, "imputations": M, "p_imputation_min": float(pj.min()),
               "p_imputation_max": float(pj.max()), "statistic_imputation_range": [float(s.min()), float(s.max())],
               "p_asymptotic": _circ_asymptotic(kind, stat, n), "p_randomised": _mc_p_randomised(null, stat, rng),
               "mean_direction_rad": mean_dir, "mean_resultant_length": float(_circ_stat(A, "rayleigh").mean())}
    if kind == "rayleigh":
        details["rayleigh_z"] = n * stat * stat
    if kind == "v":
        details["u"] = stat * math.sqrt(2 * n)
        details["hypothesised_direction_rad"] = float(mu)
    if kind == "kuiper":
        details["kuiper_v_star"] = stat * (math.sqrt(n) + 0.155 + 0.24 / math.sqrt(n))
    alt = (f"{unit} dated by a von Mises distribution with concentration {VON_MISES_KAPPA:g} "
           f"(mean resultant length 0.45, about 60 % within two months of the peak"
           + (f", peak at {describe['mu']}" if kind == "v" else "") + f"); level {alpha:g}")
    pw = n80 = None
    if power:
        seed2 = _seed_int(rng)
        centre = 0.0 if mu is None else float(mu)

        def power_at(m):
            r2 = np.random.default_rng([seed2, m])
            s0 = _circ_stat(r2.uniform(0.0, _TWO_PI, size=(POWER_NULL, m)), kind, mu)
            s1 = _circ_stat(r2.vonmises(centre, VON_MISES_KAPPA, size=(POWER_SIMS, m)), kind, mu)
            return float(np.mean(_mc_p(s0, s1) <= alpha))

        pw, n80, curve = _power_search(power_at, n, 3, grid=_grid(power))
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    where = describe["mean"](mean_dir)
    imprecise = ""
    if M > 1:
        spread = f"; p from {pj.min():.2g} to {pj.max():.2g}" if pj.max() - pj.min() > 5e-4 else ""
        imprecise = f"; imprecise dates imputed {M} times{spread}"
    if kind == "rayleigh":
        core = f"mean date {where}, mean resultant length {stat:.2f}"
    elif kind == "v":
        core = f"mean date {where} against the hypothesised {describe['mu']}, V = {stat:.2f}"
    else:
        core = f"Kuiper V = {stat:.2f} (mean date {where})"
    what = {"rayleigh": "a fixed season", "v": f"clustering around {describe['mu']}",
            "kuiper": "a non-uniform season"}[kind]
    reading = (f"{n} {unit}{describe.get('note', '')}: {core} ({_fmt_p(p)}, Monte Carlo{imprecise}): "
               f"{_evidence(p, alpha)} of {what}{_power_clause(p, alpha, pw, n80, n, unit)}.")
    return TestResult(
        test=name, h0=h0, h1=h1, statistic=stat, p_value=p, method="monte-carlo", effect_size=stat
        if kind != "kuiper" else float(details["mean_resultant_length"]),
        effect_size_name=eff_name if kind != "kuiper" else "mean resultant length R-bar",
        n=n, power=pw, power_alternative=alt, n_for_80=n80, reading=reading, details=details, draws=B,
        mc_se=math.sqrt(p * (1 - p) / B), alpha=alpha,
    )


def _deg_describe(mu=None):
    return {"mean": lambda a: f"{math.degrees(a) % 360:.0f} deg",
            "mu": None if mu is None else f"{math.degrees(mu) % 360:.0f} deg"}


def rayleigh_test_angles(angles, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """Rayleigh test of circular uniformity.

    H0: the angles are uniform on the circle. H1: they cluster around one
    unspecified direction (unimodal alternative).

    Statistic: the mean resultant length
    ``R-bar = |mean_j exp(i theta_j)|`` (``details["rayleigh_z"]`` = n R-bar^2).
    Its null distribution depends only on n, so the p-value is Monte Carlo
    from ``draws`` uniform samples of the same size (exact up to Monte Carlo
    error at any n); Zar's (2010, eq. 27.4) approximation
    ``p ~ exp(sqrt(1 + 4n + 4(n^2 - R^2)) - (1 + 2n))`` is in
    ``details["p_asymptotic"]``.

    Parameters
    ----------
    angles : array_like, shape (n,) or (M, n)
        Angles in radians; a 2-D array holds M imputations of imprecise data
        (the p-value is then their mean, the range in details).

    References
    ----------
    Fisher, N. I. (1993). Statistical Analysis of Circular Data, sec. 4.3.
    Mardia, K. V. & Jupp, P. E. (2000). Directional Statistics, sec. 6.3.1.
    Zar, J. H. (2010). Biostatistical Analysis, 5th ed., sec. 27.1.
    """
    return _circular_test("rayleigh", angles, None, alpha=alpha, draws=draws, seed=seed, power=power,
                          unit="angles", describe=_deg_describe())


def v_test_angles(angles, mu, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """V-test (modified Rayleigh test) against a hypothesised direction ``mu`` (radians).

    H0: the angles are uniform. H1: they cluster around ``mu``.
    Statistic: ``V = R-bar cos(theta-bar - mu) = mean_j cos(theta_j - mu)``
    (``u = V sqrt(2n)`` in details, approximately standard normal under H0
    for large n). One-sided Monte Carlo p-value from uniform samples.

    References
    ----------
    Durand, D. & Greenwood, J. A. (1958). J. Geology 66, 229-238.
    Zar, J. H. (2010). Biostatistical Analysis, 5th ed., sec. 27.1 (Example 27.2).
    Mardia, K. V. & Jupp, P. E. (2000). Directional Statistics, sec. 6.3.1.
    """
    return _circular_test("v", angles, float(mu), alpha=alpha, draws=draws, seed=seed, power=power,
                          unit="angles", describe=_deg_describe(float(mu)))


def kuiper_test_angles(angles, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """Kuiper's omnibus test of circular uniformity.

    H0: the angles are uniform. H1: any other distribution (not only
    unimodal). Statistic: ``V_n = D+ + D-`` with ``D+ = max_i (i/n - U_(i))``
    and ``D- = max_i (U_(i) - (i-1)/n)``, ``U = theta / 2 pi`` sorted; it does
    not depend on the origin. Monte Carlo p-value from uniform samples;
    Stephens' (1970) asymptotic ``P(V* > v) ~ sum_j 2(4 j^2 v^2 - 1)
    exp(-2 j^2 v^2)`` with ``V* = V_n (sqrt n + 0.155 + 0.24 / sqrt n)`` in
    details (critical values 1.620, 1.747, 2.001 at 10, 5, 1 %).

    References
    ----------
    Kuiper, N. H. (1960). Proc. Koninklijke Nederlandse Akademie van
    Wetenschappen A 63, 38-47. Stephens, M. A. (1970). JRSS B 32, 115-122.
    Fisher, N. I. (1993). Statistical Analysis of Circular Data, sec. 4.3.
    """
    return _circular_test("kuiper", angles, None, alpha=alpha, draws=draws, seed=seed, power=power,
                          unit="angles", describe=_deg_describe())


def _parse_hypothesis_date(value):
    """(angle, text) of a hypothesised date: a date, 'MM-DD', 'YYYY-MM-DD', a month name, or a day of year."""
    if value is None:
        return None
    what = ("hypothesis_date: found {!r}; expected a date such as 09-15 or 2025-09-15, a month name such as "
            "september (its middle), or a 0-based day of the year")
    year_len, doy = 365.0, None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        doy = value.timetuple().tm_yday - 1 + 0.5
        year_len = 366.0 if (value.year % 4 == 0 and (value.year % 100 != 0 or value.year % 400 == 0)) else 365.0
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not 0 <= value < 366:
            raise OptionError(what.format(value))
        doy = float(value) + 0.5
    elif isinstance(value, str):
        s = value.strip().lower()
        if s in _MONTHS or s[:3] in [m[:3] for m in _MONTHS]:
            mi = [m[:3] for m in _MONTHS].index(s[:3]) + 1
            first = _dt.date(2001, mi, 1)
            nxt = _dt.date(2001 + mi // 12, mi % 12 + 1, 1)
            doy = (first.timetuple().tm_yday - 1) + (nxt - first).days / 2.0
        else:
            parts = s.split("-")
            try:
                if len(parts) == 2:
                    d = _dt.date(2001, int(parts[0]), int(parts[1]))
                elif len(parts) == 3:
                    d = _dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
                else:
                    raise ValueError
            except ValueError:
                raise OptionError(what.format(value)) from None
            return _parse_hypothesis_date(d)
    else:
        raise OptionError(what.format(value))
    return _TWO_PI * doy / year_len, _day_text(_TWO_PI * doy / year_len)


def _day_text(angle: float) -> str:
    day = (angle % _TWO_PI) / _TWO_PI * 365.25
    d = _dt.date(2001, 1, 1) + _dt.timedelta(days=int(day))
    return f"{d.day} {_MONTHS[d.month - 1][:3].capitalize()}"


def seasonality_test(history, *, hypothesis_date=None, kind=None, alpha=0.05, draws=None, seed=0,
                     power=True, imputations=IMPUTATIONS) -> TestResult:
    """Seasonality of a series' start dates: Rayleigh, V-test or Kuiper.

    H0: the start dates are uniform over the year. H1: they cluster around
    one time of year (Rayleigh), around ``hypothesis_date`` (V-test), or are
    non-uniform in any way (Kuiper). Uses the first held start of each year (``history.start_lo`` /
    ``start_hi``, day of year). Dates known to a day are placed at the middle
    of the day; a month- or year-precision date is imputed uniformly within
    its interval ``imputations`` times, the test run on each imputed data
    set, and the p-value averaged (``details["p_imputation_min/max"]`` give
    the range of p over the imputations; their maximum is the conservative
    choice). Under H0 (uniform dates) every imputation is uniform too, so
    each imputed p-value is valid.

    ``kind`` defaults to the V-test when ``hypothesis_date`` is given ("held
    in September": ``hypothesis_date="september"``), else Rayleigh. The
    other two tests are summarised in ``details["other_tests"]``.

    For multi-event series only the first event of each year is used
    (SeriesHistory keeps one start per year), which leans early; the reading
    says so.
    """
    alpha = _check_alpha(alpha)
    B = _check_draws(draws)
    rng = _rng(seed)
    mu = _parse_hypothesis_date(hypothesis_date)
    if kind is None:
        kind = "v" if mu is not None else "rayleigh"
    kind = {"v-test": "v", "vtest": "v"}.get(kind, kind)
    if kind not in ("rayleigh", "v", "kuiper"):
        raise OptionError(f"kind: found {kind!r}; expected rayleigh, v-test or kuiper")
    if kind == "v" and mu is None:
        raise OptionError("hypothesis_date: the V-test needs a hypothesised date, e.g. september or 09-15")
    held = ~np.isnan(np.asarray(history.start_lo, dtype=float))
    lo = np.asarray(history.start_lo, dtype=float)[held]
    hi = np.asarray(history.start_hi, dtype=float)[held]
    yrs = np.asarray(history.years)[held]
    L = np.array([366.0 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 365.0 for y in yrs])
    n = int(lo.size)
    exact = hi == lo
    M = 1 if exact.all() else int(imputations)
    u = rng.random((M, n))
    u[:, exact] = 0.5
    A = _TWO_PI * (lo[None, :] + u * (hi - lo + 1)[None, :]) / L[None, :]
    note = " (first event of each year only)" if history.info.multi_event else ""
    describe = {"mean": _day_text, "mu": None if mu is None else mu[1], "note": note}
    main = _circular_test(kind, A, None if mu is None else mu[0], alpha=alpha, draws=B, seed=rng, power=power,
                          unit="dated starts", describe=describe)
    if main.skipped:
        return replace(main, test="seasonality")
    others = {}
    for k2 in ("rayleigh", "kuiper", "v"):
        if k2 == kind or (k2 == "v" and mu is None):
            continue
        r = _circular_test(k2, A, None if mu is None else mu[0], alpha=alpha, draws=B, seed=rng, power=False,
                           unit="dated starts", describe=describe)
        others[r.test] = {"statistic": r.statistic, "p_value": r.p_value, "reading": r.reading,
                          "p_asymptotic": r.details["p_asymptotic"]}
    details = dict(main.details, kind=main.test, other_tests=others, imprecise_dates=int((~exact).sum()))
    return replace(main, test="seasonality", details=details)


# --------------------------------------------------------------------------- frequency trend


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
    B = _check_draws(draws)
    rng = _rng(seed)
    y = np.asarray(counts, dtype=np.int64)
    n = y.size
    years = np.arange(n) if years is None else np.asarray(years, dtype=float)
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
    _check_draws(draws)
    if not history.info.multi_event:
        return _skipped("trend", f"Trend test does not apply: series '{history.info.id}' holds at most one "
                        "event a year; test its pattern with 'period' or 'break'.", history.n_years, alpha=alpha)
    _, years, mask = _known(history)
    return trend_test_counts(np.asarray(history.counts)[mask], years, alpha=alpha, draws=draws, seed=seed,
                             power=power)


# --------------------------------------------------------------------------- participation trend

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
    parts = dict(history.participation)
    codes = list(history.info.regular_participants) or list(parts)
    if participant is not None:
        key = str(participant).upper()
        if key not in parts:
            raise OptionError(f"participant: unknown participant {participant!r}{did_you_mean(key, parts)}; "
                              f"series '{history.info.id}' tracks: {', '.join(parts) or '(none)'}")
        return participation_test_binary(parts[key], history.years, participant=key, alpha=alpha, seed=seed,
                                          power=power)
    if not codes:
        return _skipped("participation", f"Participation trend does not apply: series '{history.info.id}' has "
                        "no regular participants.", 0, alpha=alpha, unit="held years")
    for c in codes:
        v = np.asarray(parts.get(c, []), dtype=float)
        v = v[~np.isnan(v)]
        if v.size >= 3 and 0 < v.sum() < v.size:
            return participation_test_binary(parts[c], history.years, participant=c, alpha=alpha, seed=seed,
                                              power=power)
    return participation_test_binary(parts[codes[0]], history.years, participant=codes[0], alpha=alpha,
                                      seed=seed, power=power)


# --------------------------------------------------------------------------- multiplicity


def adjust_pvalues(pvalues, method: str = "holm") -> np.ndarray:
    """Multiplicity-adjusted p-values.

    ``holm``: Holm's step-down, ``p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``
    (family-wise error). ``bh``: Benjamini-Hochberg step-up,
    ``p~_(i) = min_{j >= i} min(1, m p_(j) / j)`` (false discovery rate).
    Same values as ``statsmodels.stats.multitest.multipletests`` with
    ``holm`` / ``fdr_bh``.

    References
    ----------
    Holm, S. (1979). Scand. J. Statist. 6, 65-70. Benjamini, Y. & Hochberg, Y.
    (1995). JRSS B 57, 289-300.
    """
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    out = np.empty(m)
    if m == 0:
        return out
    if method == "holm":
        order = np.argsort(p, kind="stable")
        out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    elif method in ("bh", "fdr_bh"):
        order = np.argsort(p, kind="stable")[::-1]
        ranks = m - np.arange(m)
        out[order] = np.minimum(1.0, np.minimum.accumulate(m / ranks * p[order]))
    else:
        raise OptionError(f"--correction: found {method!r}; expected 'holm' (family-wise) or 'bh' "
                          "(Benjamini-Hochberg, false discovery rate)")
    return out


# --------------------------------------------------------------------------- dispatch

_ALIASES = {"rayleigh": ("seasonality", "rayleigh"), "v-test": ("seasonality", "v"),
            "kuiper": ("seasonality", "kuiper")}


def _check_name(name) -> str:
    key = str(name).strip().lower()
    if key not in TEST_NAMES and key not in _ALIASES:
        valid = list(TEST_NAMES)
        raise OptionError(f"test: unknown test {name!r}{did_you_mean(key, valid)}; expected one of: "
                          f"{', '.join(valid)}")
    return key


def run_test(name, history, *, order=None, alpha=0.05, draws=None, seed=0, hypothesis_date=None,
             participant=None, hypotheses=None, power=True) -> TestResult:
    """Run one test by name on a series' history (the command line's entry point).

    Parameters
    ----------
    name : {"rotation", "period", "compare", "break", "seasonality", "trend", "participation"}
        Also ``rayleigh``, ``v-test``, ``kuiper`` (seasonality with that test).
    history : SeriesHistory
    order : str or sequence of str, optional
        Claimed cyclic order for ``rotation`` / ``compare`` ("a,b,c,d").
    alpha : float
    draws : int, optional
        Monte Carlo draws (default 10 000; 2 000 for ``break``).
    seed : int
    hypothesis_date : date, str or int, optional
        Hypothesised date for the V-test ("september", "09-15").
    participant : str, optional
        ISO3 code for ``participation``.
    hypotheses : dict or list, optional
        Hypotheses for ``compare`` (see :func:`compare_test_labels`).
    power : bool

    Raises
    ------
    OptionError
        Unknown test, unknown direction in ``order``, bad ``alpha``,
        ``draws``, ``seed`` or ``hypothesis_date``. A test that does not apply
        to the series is not an error: its result has ``skipped`` set.
    """
    key = _check_name(name)
    alpha = _check_alpha(alpha)
    _check_draws(draws)
    base = _ALIASES.get(key, (key, None))[0]
    rng = _rng(seed, _STREAM[base])
    info = history.info
    if order is not None:
        _parse_order(order, info.directions if info.rotating else ())
    _parse_hypothesis_date(hypothesis_date)
    if base == "rotation":
        return rotation_test(history, order, alpha=alpha, draws=draws, seed=rng, power=power)
    if base == "period":
        return period_test(history, alpha=alpha, draws=draws, seed=rng, power=power)
    if base == "compare":
        return compare_test(history, hypotheses, order=order, alpha=alpha, seed=rng, power=power)
    if base == "break":
        return break_test(history, alpha=alpha, draws=draws, seed=rng, power=power)
    if base == "seasonality":
        kind = _ALIASES.get(key, (None, None))[1]
        return seasonality_test(history, hypothesis_date=hypothesis_date, kind=kind, alpha=alpha, draws=draws,
                                seed=rng, power=power)
    if base == "trend":
        return trend_test(history, alpha=alpha, draws=draws, seed=rng, power=power)
    return participation_test(history, participant, alpha=alpha, seed=rng, power=power)


def power_curve(test, history, *, alpha=0.05, seed=0, n_future=range(0, 21)) -> dict:
    """Power of one test on a series against future years (or events), for plots.

    Runs the test once without power (to learn n and whether it applies),
    then with the power evaluated at ``n + k`` for each k in ``n_future``.

    Returns
    -------
    dict
        ``{"n_future": [k, ...], "power": [...], "n": n, "unit": ..., "alternative": ...,
        "n_for_80": ..., "reading": ...}``.

    Raises
    ------
    OptionError
        If the test does not apply to the series or reports no power.
    """
    first = run_test(test, history, alpha=alpha, seed=seed, power=False)
    if first.skipped:
        raise OptionError(f"--test: the {test} test does not apply to {history.info.id}: {first.skipped}")
    n = first.n
    ks = [int(k) for k in n_future if n + int(k) >= 2]
    res = run_test(test, history, alpha=alpha, seed=seed, power=[n + k for k in ks])
    curve = res.details.get("power_curve") or {}
    if not curve:
        raise OptionError(f"--test: the {test} test reports no power for {history.info.id}")
    ks = [k for k in ks if n + k in curve]
    return {"n_future": ks, "power": [float(curve[n + k]) for k in ks], "n": n,
            "unit": res.details.get("unit", "years"), "alternative": res.power_alternative,
            "n_for_80": res.n_for_80, "reading": res.reading}


def run_battery(history, tests=TEST_NAMES, alpha=0.05, correction="holm", draws=None, seed=0, *, order=None,
                hypothesis_date=None, power=True) -> list[TestResult]:
    """Run several tests on one series and correct their p-values for multiplicity.

    Each test runs as in :func:`run_test` (same seeds, so the same results).
    ``participation`` runs once per regular participant. Tests that do not
    apply are kept, with ``skipped`` set and ``p_value`` None. The p-values
    of the tests that ran (``compare`` has none) are adjusted together by
    ``correction`` ("holm", default, or "bh") and stored in ``p_adjusted``;
    ``details["correction"]`` records the method and family size.

    Returns
    -------
    list of TestResult
    """
    alpha = _check_alpha(alpha)
    _check_draws(draws)
    _rng(seed)
    if correction not in ("holm", "bh"):
        raise OptionError(f"--correction: found {correction!r}; expected 'holm' or 'bh'")
    if isinstance(tests, str):
        tests = [tests]
    names = [_check_name(t) for t in tests]
    results: list[TestResult] = []
    for name in names:
        if name == "participation" and len(history.info.regular_participants) > 1:
            for i, c in enumerate(history.info.regular_participants):
                rng_i = _rng(seed, _STREAM["participation"], i)
                results.append(participation_test(history, c, alpha=alpha, seed=rng_i, power=power))
            continue
        results.append(run_test(name, history, order=order, alpha=alpha, draws=draws, seed=seed,
                                hypothesis_date=hypothesis_date, power=power))
    idx = [i for i, r in enumerate(results) if r.p_value is not None]
    if idx:
        adj = adjust_pvalues([results[i].p_value for i in idx], correction)
        for i, a in zip(idx, adj):
            d = dict(results[i].details, correction={"method": correction, "family_size": len(idx)})
            results[i] = replace(results[i], p_adjusted=float(a), details=d)
    return results
