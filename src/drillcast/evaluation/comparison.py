"""Comparing forecasters on the same folds: skill scores and paired sign-flip tests.

Reference: [PS10] Phipson and Smyth (2010); see :mod:`drillcast.evaluation.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

# Above this many non-tied pairs the exact sign-flip enumeration (2**m
# patterns) gives way to Monte Carlo under method="permutation".
_EXACT_MAX_PAIRS = 20
# Refuse to enumerate beyond this even when asked: 2**30 patterns takes minutes.
_EXACT_HARD_LIMIT = 30
# Number of sign patterns evaluated per matrix product; bounds memory to a few
# tens of MB whatever n or draws are.
_CHUNK_ELEMENTS = 2**21



# --------------------------------------------------------------------------
# comparing forecasters
# --------------------------------------------------------------------------


def skill_score(score, reference, perfect: float) -> float:
    r"""Skill of a forecaster relative to a reference, as a fraction of the gap to perfect.

    .. math:: \mathrm{SS} = \frac{\bar S - \bar S_\text{ref}}{S_\text{perfect} - \bar S_\text{ref}}

    1 is perfect, 0 no better than the reference, negative worse. Works for
    either orientation because `perfect` fixes the direction (0 for Brier,
    RPS, CRPS and the log score). A ratio of mean scores is not itself a
    proper score ([GR07]_): rank models by their mean scores and use the
    skill score to communicate the size of the difference.

    Returns ``nan`` when the reference already scores perfectly (no gap to
    close) rather than dividing by zero; nan in the inputs propagates.

    Parameters
    ----------
    score, reference : array_like
        Scores of the forecaster and of the reference (e.g. climatology); each
        is averaged over all its elements.
    perfect : float
        Score of a perfect forecast.

    Returns
    -------
    float

    Examples
    --------
    >>> skill_score([0.1, 0.3], [0.4, 0.4], perfect=0.0)
    0.5
    >>> skill_score([0.1], [0.0], perfect=0.0)
    nan
    """
    s = float(np.mean(score))
    r = float(np.mean(reference))
    gap = perfect - r
    if gap == 0:
        return float("nan")
    return (s - r) / gap


@dataclass(frozen=True)
class PairedTestResult:
    """Result of :func:`paired_test`.

    Attributes
    ----------
    n : int
        Number of pairs (ties included).
    mean_difference : float
        Mean of ``a - b``.
    p_value : float
        Two-sided sign-flip permutation p-value for mean difference 0.
    method : str
        ``"exact sign-flip permutation"`` or
        ``"Monte Carlo sign-flip permutation"``.
    mc_se : float
        Monte Carlo standard error of `p_value`,
        ``sqrt(p (1 - p) / draws)``; 0.0 for the exact method.
    n_positive, n_negative, n_ties : int
        Counts of ``a > b``, ``a < b`` and ``a == b``.
    sign_test_p : float
        Two-sided exact sign test on the non-tied pairs (1.0 if all tie).
    reading : str
        One-sentence plain-language summary.
    """

    n: int
    mean_difference: float
    p_value: float
    method: str
    mc_se: float
    n_positive: int
    n_negative: int
    n_ties: int
    sign_test_p: float
    reading: str


def _count_extreme(d: np.ndarray, signs_chunks, threshold: float) -> int:
    count = 0
    for signs in signs_chunks:
        count += int(np.count_nonzero(np.abs(signs @ d) >= threshold))
    return count


def sign_test_p(k: int, m: int) -> float:
    """Exact two-sided sign test: ``k`` of ``m`` non-tied pairs favour one side, H0 p = 1/2.

    The same number as ``scipy.stats.binomtest(k, m, 0.5).pvalue`` (outcomes at most as
    likely as ``k``, both tails), computed with integers, so that comparing two models does not
    import scipy.stats (about half a second).

    Examples
    --------
    >>> sign_test_p(9, 10), sign_test_p(5, 10), sign_test_p(0, 3)
    (0.021484375, 1.0, 0.25)
    """
    import math

    j = min(k, m - k)
    if 2 * j == m:
        return 1.0
    return min(1.0, 2.0 * sum(math.comb(m, i) for i in range(j + 1)) / 2.0**m)


def _all_sign_patterns(m: int):
    """Yield every +-1 pattern of length m, as (rows, m) float chunks."""
    total = 1 << m
    rows = max(1, _CHUNK_ELEMENTS // max(m, 1))
    bits = np.arange(m, dtype=np.int64)
    for start in range(0, total, rows):
        idx = np.arange(start, min(start + rows, total), dtype=np.int64)
        yield 1.0 - 2.0 * ((idx[:, None] >> bits) & 1)


def _random_sign_patterns(m: int, draws: int, rng: np.random.Generator):
    rows = max(1, _CHUNK_ELEMENTS // max(m, 1))
    for start in range(0, draws, rows):
        size = min(rows, draws - start)
        yield 1.0 - 2.0 * rng.integers(0, 2, size=(size, m))


def paired_test(
    a,
    b,
    *,
    method: str = "permutation",
    draws: int = 100_000,
    seed: int = 0,
    higher_is_better: bool = True,
    labels: tuple[str, str] = ("A", "B"),
) -> PairedTestResult:
    """Two-sided paired sign-flip permutation test of mean(a - b) = 0.

    Under the null hypothesis that each difference ``a_i - b_i`` is
    symmetric about 0 (the two models are exchangeable within each fold),
    flipping the sign of any subset of differences is equally likely. The
    p-value is the fraction of sign patterns whose ``|mean|`` is at least the
    observed ``|mean(a - b)|``.

    * ``method="permutation"`` (default): exact if at most 20 pairs differ
      (tied pairs contribute 0 under every flip, so enumerating the non-tied
      ones gives the same p-value as all ``2**n`` patterns, matching
      ``scipy.stats.permutation_test(..., permutation_type='samples',
      n_resamples=np.inf)``), Monte Carlo otherwise.
    * ``method="exact"``: always enumerate (refused above 30 non-tied pairs).
    * ``method="monte_carlo"``: always sample `draws` random patterns with
      generator `seed`; ``p = (extreme + 1) / (draws + 1)`` so the observed
      pattern counts and p is never 0 ([PS10]_), and
      ``mc_se = sqrt(p (1 - p) / draws)``.

    The exact sign test (:func:`sign_test_p`, as ``scipy.stats.binomtest``; ties dropped) is reported
    alongside: it uses only the direction of each difference.

    Parameters
    ----------
    a, b : array_like, shape (n,)
        Per-fold (or per-forecast) scores of two models on the same cases.
    method : {"permutation", "exact", "monte_carlo"}
    draws : int, default 100_000
        Monte Carlo sign patterns.
    seed : int, default 0
    higher_is_better : bool, default True
        Orientation of the scores; only affects who "beat" whom in `reading`
        (pass False for Brier, RPS, CRPS).
    labels : (str, str), default ("A", "B")
        Names of the models for `reading`.

    Returns
    -------
    PairedTestResult

    Examples
    --------
    >>> res = paired_test([0.9, 0.8, 0.7, 0.95, 0.6], [0.5, 0.6, 0.75, 0.55, 0.4])
    >>> res.p_value, res.method
    (0.125, 'exact sign-flip permutation')
    >>> print(res.reading)  # doctest: +NORMALIZE_WHITESPACE
    model A beat B in 4 of 5 pairs (lost 1, tied 0); mean difference A - B = 0.23;
    two-sided p = 0.125 (exact, n = 5): a small sample, and with 5 differing pairs
    p cannot go below 0.0625
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 1 or not np.all(np.isfinite(x - y)):
        raise ValueError(
            "a and b must be finite 1-D arrays of equal, non-zero length; "
            f"got {x.shape} and {y.shape}"
        )
    if method not in ("permutation", "exact", "monte_carlo") or draws < 1:
        raise ValueError(
            "method must be 'permutation', 'exact' or 'monte_carlo' and draws >= 1; "
            f"got {method!r}, {draws}"
        )
    diff = x - y
    n = diff.size
    n_pos = int(np.count_nonzero(diff > 0))
    n_neg = int(np.count_nonzero(diff < 0))
    n_ties = n - n_pos - n_neg
    d = diff[diff != 0]
    m = d.size

    observed = abs(d.sum())
    # A length-m dot product is accurate to about m * eps * sum|d|; without
    # this slack the observed pattern itself, or exact ties with it, could
    # round to just below the observed statistic and not be counted.
    threshold = observed - 8.0 * m * np.finfo(float).eps * np.abs(d).sum()

    exact = method == "exact" or (method == "permutation" and m <= _EXACT_MAX_PAIRS)
    if exact:
        if m > _EXACT_HARD_LIMIT:
            raise ValueError(
                f"exact enumeration of 2**{m} sign patterns is too slow; use method='monte_carlo'"
            )
        p_value = _count_extreme(d, _all_sign_patterns(m), threshold) / 2.0**m
        mc_se = 0.0
        label = "exact sign-flip permutation"
    else:
        rng = np.random.default_rng(seed)
        extreme = _count_extreme(d, _random_sign_patterns(m, draws, rng), threshold)
        p_value = (extreme + 1) / (draws + 1)
        mc_se = float(np.sqrt(p_value * (1 - p_value) / draws))
        label = "Monte Carlo sign-flip permutation"

    sign_p = 1.0 if m == 0 else sign_test_p(n_pos, m)
    mean_diff = float(diff.mean())

    name_a, name_b = labels
    wins, losses = (n_pos, n_neg) if higher_is_better else (n_neg, n_pos)
    how = "exact" if exact else f"Monte Carlo, {draws} draws, se {mc_se:.2g}"
    reading = (
        f"model {name_a} beat {name_b} in {wins} of {n} pairs (lost {losses}, tied {n_ties}); "
        f"mean difference {name_a} - {name_b} = {mean_diff:.3g}; "
        f"two-sided p = {p_value:.3g} ({how}, n = {n})"
    )
    notes = []
    if n <= _EXACT_MAX_PAIRS:
        notes.append("a small sample")
    # With m non-tied pairs the two most extreme patterns already have
    # probability 2 / 2**m, so small m can never look significant.
    smallest = 2.0 ** (1 - m) if m else 1.0
    if smallest > 0.05:
        notes.append(f"with {m} differing pairs p cannot go below {smallest:.3g}")
    if notes:
        reading += ": " + ", and ".join(notes)

    return PairedTestResult(
        n=n,
        mean_difference=mean_diff,
        p_value=float(p_value),
        method=label,
        mc_se=mc_se,
        n_positive=n_pos,
        n_negative=n_neg,
        n_ties=n_ties,
        sign_test_p=sign_p,
        reading=reading,
    )
