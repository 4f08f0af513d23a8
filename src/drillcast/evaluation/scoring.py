"""Proper scoring rules and calibration diagnostics for drillcast forecasts.

Every function here is small, pure and vectorised over the leading
("forecast") axis of numpy arrays. Inputs are checked once, at the top of each
public function, and a :class:`ValueError` with a plain message is raised when
they are malformed; the arithmetic after that trusts its inputs.

Orientation differs between rules, so each docstring states it:

* positively oriented (higher is better): :func:`log_score`,
  :func:`binary_log_score`;
* negatively oriented (lower is better, 0 is perfect): :func:`brier_score`,
  :func:`binary_brier`, :func:`ranked_probability_score`, :func:`crps_pmf`,
  :func:`crps_sample`.

:func:`skill_score` turns either kind into "fraction of the way from a
reference to perfect", and :func:`paired_test` compares two models on the same
folds.

scipy and pandas are imported inside the functions that need them, so
importing this module is cheap and never imports scipy.

References
----------
.. [GR07] Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring
   rules, prediction, and estimation. *Journal of the American Statistical
   Association*, 102(477), 359-378.
.. [B50] Brier, G. W. (1950). Verification of forecasts expressed in terms of
   probability. *Monthly Weather Review*, 78(1), 1-3.
.. [E69] Epstein, E. S. (1969). A scoring system for probability forecasts of
   ranked categories. *Journal of Applied Meteorology*, 8(6), 985-987.
.. [M71] Murphy, A. H. (1971). A note on the ranked probability score.
   *Journal of Applied Meteorology*, 10(1), 155-156.
.. [MW76] Matheson, J. E. and Winkler, R. L. (1976). Scoring rules for
   continuous probability distributions. *Management Science*, 22(10),
   1087-1096.
.. [H00] Hersbach, H. (2000). Decomposition of the continuous ranked
   probability score for ensemble prediction systems. *Weather and
   Forecasting*, 15(5), 559-570.
.. [CP34] Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or
   fiducial limits illustrated in the case of the binomial. *Biometrika*,
   26(4), 404-413.
.. [BS07] Broecker, J. and Smith, L. A. (2007). Increasing the reliability of
   reliability diagrams. *Weather and Forecasting*, 22(3), 651-661.
.. [CGH09] Czado, C., Gneiting, T. and Held, L. (2009). Predictive model
   assessment for count data. *Biometrics*, 65(4), 1254-1261.
.. [PS10] Phipson, B. and Smyth, G. K. (2010). Permutation p-values should
   never be zero. *Statistical Applications in Genetics and Molecular
   Biology*, 9(1), Article 39.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only; pandas is imported lazily
    import pandas as pd

__all__ = [
    "LOG_FLOOR",
    "PairedTestResult",
    "binary_brier",
    "binary_log_score",
    "binomial_ci",
    "brier_score",
    "coverage_table",
    "crps_pmf",
    "crps_sample",
    "interval_coverage",
    "log_score",
    "paired_test",
    "pit_pmf",
    "ranked_probability_score",
    "reliability_table",
    "skill_score",
]

LOG_FLOOR = 1e-4
"""Smallest probability the log scores will take the log of.

Probabilities below ``LOG_FLOOR`` are raised to it before the log, so a single
overconfident miss (probability 0 on what happened) scores
``log(1e-4) = -9.21`` instead of ``-inf`` and cannot swamp a mean over many
forecasts. The functions also return where the floor was hit, so such misses
can be counted rather than hidden.

The price is a small loss of propriety: a forecaster who believes an outcome
has probability ``x < e * LOG_FLOOR`` gains in expectation by reporting 0
instead, at most ``LOG_FLOOR`` nats per outcome (reached at ``x = LOG_FLOOR``).
"""

# Rows of probabilities must sum to 1 within this. Loose enough for float32
# softmax output over a few hundred classes, tight enough to catch raw counts,
# percentages or a dropped class.
_SUM_TOL = 1e-5

# Above this many non-tied pairs the exact sign-flip enumeration (2**m
# patterns) gives way to Monte Carlo under method="permutation".
_EXACT_MAX_PAIRS = 20
# Refuse to enumerate beyond this even when asked: 2**30 patterns takes minutes.
_EXACT_HARD_LIMIT = 30
# Number of sign patterns evaluated per matrix product; bounds memory to a few
# tens of MB whatever n or draws are.
_CHUNK_ELEMENTS = 2**21


# --------------------------------------------------------------------------
# input checks (boundary only)
# --------------------------------------------------------------------------


def _as_probs(probs, name: str = "probs") -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array of shape (n, K); got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(
        np.abs(p.sum(axis=1) - 1.0) > _SUM_TOL
    ):
        raise ValueError(
            f"{name} must hold finite, non-negative rows that each sum to 1 "
            f"(tolerance {_SUM_TOL:g})"
        )
    return p


def _as_index(observed, n: int, size: int, name: str = "observed") -> np.ndarray:
    obs = np.asarray(observed)
    if obs.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the forecasts; got {obs.shape}")
    if obs.dtype.kind not in "iu":
        # integer-valued floats (e.g. from a pandas column) are accepted
        if obs.dtype.kind != "f" or not np.all(np.isfinite(obs)) or np.any(obs != np.round(obs)):
            raise ValueError(f"{name} must hold integer indices; got dtype {obs.dtype}")
    obs = obs.astype(np.intp)
    if n and (obs.min() < 0 or obs.max() >= size):
        raise ValueError(
            f"{name} must lie in [0, {size}); got values in [{obs.min()}, {obs.max()}]"
        )
    return obs


def _as_binary(p, occurred) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=float)
    occ = np.asarray(occurred)
    if p.shape != occ.shape:
        raise ValueError(f"p and occurred must have the same shape; got {p.shape} and {occ.shape}")
    if not np.all((p >= 0) & (p <= 1)) or not np.all((occ == 0) | (occ == 1)):
        raise ValueError("p must lie in [0, 1] and occurred must be boolean (or 0/1)")
    return p, occ.astype(bool)


# --------------------------------------------------------------------------
# categorical scores
# --------------------------------------------------------------------------


def log_score(
    probs, observed, floor: float = LOG_FLOOR
) -> tuple[np.ndarray, np.ndarray]:
    r"""Logarithmic score of categorical forecasts, floored.

    .. math:: S(p, y) = \log \max(p_y, \text{floor})

    Positively oriented: higher is better, 0 is a perfect forecast (all mass
    on what happened). The unfloored log score is strictly proper
    ([GR07]_); see :data:`LOG_FLOOR` for what the floor costs.

    Parameters
    ----------
    probs : array_like, shape (n, K)
        Forecast probabilities; each row sums to 1.
    observed : array_like of int, shape (n,)
        Index in ``[0, K)`` of the category that occurred.
    floor : float, default :data:`LOG_FLOOR`
        Probabilities below this are raised to it before the log.

    Returns
    -------
    scores : ndarray, shape (n,)
        ``log(max(p_obs, floor))``.
    floored : ndarray of bool, shape (n,)
        True where ``p_obs < floor``, i.e. where the floor changed the score.

    Examples
    --------
    >>> scores, floored = log_score([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]], [0, 2])
    >>> scores.round(4)
    array([-0.6931, -9.2103])
    >>> floored
    array([False,  True])
    """
    p = _as_probs(probs)
    obs = _as_index(observed, p.shape[0], p.shape[1])
    p_obs = p[np.arange(p.shape[0]), obs]
    floored = p_obs < floor
    return np.log(np.maximum(p_obs, floor)), floored


def brier_score(probs, observed) -> np.ndarray:
    r"""Multiclass Brier score (Brier 1950).

    .. math:: S(p, y) = \sum_{k=1}^{K} (p_k - \mathbb{1}\{k = y\})^2

    Negatively oriented: lower is better; range ``[0, 2]``, 0 for all mass on
    the outcome, 2 for all mass on one wrong category. Strictly proper
    ([B50]_, [GR07]_). This is Brier's original multiclass form,
    so for K = 2 it is twice :func:`binary_brier`.

    Parameters
    ----------
    probs : array_like, shape (n, K)
        Forecast probabilities; each row sums to 1.
    observed : array_like of int, shape (n,)
        Index in ``[0, K)`` of the category that occurred.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> brier_score([[0.7, 0.2, 0.1], [0.0, 1.0, 0.0]], [0, 1])
    array([0.14, 0.  ])
    """
    p = _as_probs(probs)
    obs = _as_index(observed, p.shape[0], p.shape[1])
    # sum_k p_k^2 - 2 p_y + 1 avoids building the one-hot matrix
    return np.sum(p * p, axis=1) - 2.0 * p[np.arange(p.shape[0]), obs] + 1.0


def ranked_probability_score(probs, observed) -> np.ndarray:
    r"""Ranked probability score for ordered categories (Epstein 1969).

    .. math::
        S(p, y) = \sum_{k=1}^{K-1} \Bigl(P_k - \mathbb{1}\{y \le k\}\Bigr)^2,
        \qquad P_k = \sum_{j \le k} p_j

    (categories indexed 1..K here; the code uses 0-based indices). It is
    **not** normalised by ``K - 1``: the range is ``[0, K - 1]`` and the
    score equals the CRPS of the forecast on the integer grid of categories,
    in category units. Divide by ``K - 1`` for the [0, 1] form some texts use.
    Negatively oriented, 0 perfect, strictly proper ([E69]_, [M71]_;
    [GR07]_).

    Parameters
    ----------
    probs : array_like, shape (n, K)
        Forecast probabilities over ordered categories; each row sums to 1.
    observed : array_like of int, shape (n,)
        Index in ``[0, K)`` of the category that occurred.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> ranked_probability_score([[0.1, 0.2, 0.3, 0.4]], [2])
    array([0.26])
    """
    p = _as_probs(probs)
    obs = _as_index(observed, p.shape[0], p.shape[1])
    cdf = np.cumsum(p, axis=1)[:, :-1]
    step = np.arange(p.shape[1] - 1)[None, :] >= obs[:, None]
    return np.sum((cdf - step) ** 2, axis=1)


def binary_log_score(
    p, occurred, floor: float = LOG_FLOOR
) -> tuple[np.ndarray, np.ndarray]:
    r"""Floored log score of a probability forecast for a yes/no event.

    .. math:: S(p, o) = \log \max(o\,p + (1 - o)(1 - p),\ \text{floor})

    Positively oriented: higher is better, 0 perfect. Same as
    :func:`log_score` with two categories; returns the floor flags too.

    Parameters
    ----------
    p : array_like
        Forecast probability that the event occurs (e.g. "held this year").
    occurred : array_like of bool, same shape as `p`
        Whether it occurred.
    floor : float, default :data:`LOG_FLOOR`

    Returns
    -------
    scores : ndarray, same shape as `p`
    floored : ndarray of bool, same shape as `p`
        True where the probability given to what happened was below `floor`.

    Examples
    --------
    >>> scores, floored = binary_log_score([0.8, 0.8, 1.0], [True, False, False])
    >>> scores.round(4)
    array([-0.2231, -1.6094, -9.2103])
    >>> floored
    array([False, False,  True])
    """
    p, occ = _as_binary(p, occurred)
    p_obs = np.where(occ, p, 1.0 - p)
    floored = p_obs < floor
    return np.log(np.maximum(p_obs, floor)), floored


def binary_brier(p, occurred) -> np.ndarray:
    r"""Brier score of a probability forecast for a yes/no event.

    .. math:: S(p, o) = (p - o)^2

    Negatively oriented, range ``[0, 1]``, 0 perfect; strictly proper
    ([B50]_). Half of :func:`brier_score` on the two-class table.

    Parameters
    ----------
    p : array_like
        Forecast probability that the event occurs.
    occurred : array_like of bool, same shape as `p`

    Returns
    -------
    ndarray, same shape as `p`

    Examples
    --------
    >>> binary_brier([0.8, 0.8], [True, False])
    array([0.04, 0.64])
    """
    p, occ = _as_binary(p, occurred)
    return (p - occ) ** 2


# --------------------------------------------------------------------------
# CRPS and PIT on an integer grid
# --------------------------------------------------------------------------


def _step_weights(observed, n: int, size: int) -> np.ndarray:
    """Return w[i, d] = P(Y_i <= d) for the (point or interval) observation."""
    d = np.arange(size)[None, :]
    if isinstance(observed, tuple):
        if len(observed) != 2:
            raise ValueError("an interval observation must be a pair (lo, hi)")
        lo = _as_index(observed[0], n, size, "observed lo")
        hi = _as_index(observed[1], n, size, "observed hi")
        if np.any(lo > hi):
            raise ValueError("interval observations need lo <= hi")
        # Y uniform on the integers lo..hi: P(Y <= d) = (d - lo + 1) / (hi - lo + 1)
        width = (hi - lo + 1)[:, None]
        return np.clip((d - lo[:, None] + 1) / width, 0.0, 1.0)
    obs = _as_index(observed, n, size)
    return (d >= obs[:, None]).astype(float)


def crps_pmf(pmf, observed) -> np.ndarray:
    r"""CRPS of a predictive distribution on an integer grid, in grid units.

    For a point observation ``y``:

    .. math:: \mathrm{CRPS}(F, y) = \sum_{d=0}^{D-1} \bigl(F(d) - \mathbb{1}\{d \ge y\}\bigr)^2,
              \qquad F(d) = \sum_{j \le d} \mathrm{pmf}_j

    which is exactly :math:`\int (F(x) - \mathbb{1}\{x \ge y\})^2\,dx` for a
    distribution on the integers (both step functions are constant on each
    ``[d, d + 1)``), so the result is in grid units (days for a daily grid).
    Negatively oriented, 0 only for a point mass on ``y``, strictly proper
    ([MW76]_, [H00]_, [GR07]_). It equals
    :func:`ranked_probability_score` with the grid cells as categories.

    **Interval observations.** If ``observed`` is a tuple ``(lo, hi)`` the
    outcome is only known to lie in the inclusive grid range ``[lo, hi]``
    (say, "some day in March"). The result is then the mean CRPS over ``y``
    uniform on ``lo..hi``; with :math:`W(d) = P(Y \le d)` for that uniform
    ``Y`` this is

    .. math:: \sum_d \bigl(F(d) - W(d)\bigr)^2 + W(d)\bigl(1 - W(d)\bigr).

    The second term does not depend on the forecast: it is the spread of the
    outcome that the coarse observation leaves unresolved, so the best
    attainable score is that term (reached by a forecast uniform over the
    interval), not 0. Taking the mean rather than, e.g., the minimum over the
    interval keeps the score proper with respect to a uniform within-interval
    prior, and reduces to the point CRPS when ``lo == hi``.

    Parameters
    ----------
    pmf : array_like, shape (n, D)
        Forecast probability of each grid cell ``0..D-1``; rows sum to 1.
    observed : array_like of int, shape (n,), or tuple (lo, hi) of such
        Grid index of the outcome, or inclusive bounds of an interval
        observation. A tuple is always read as ``(lo, hi)``: pass point
        observations as a list or array.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> pmf = [[0.25, 0.5, 0.25], [0.25, 0.5, 0.25]]
    >>> crps_pmf(pmf, [1, 0])
    array([0.125, 0.625])
    >>> crps_pmf(pmf, (np.array([0, 0]), np.array([1, 2])))  # mean over y in [lo, hi]
    array([0.375     , 0.45833333])
    """
    f = _as_probs(pmf, "pmf")
    w = _step_weights(observed, f.shape[0], f.shape[1])
    cdf = np.cumsum(f, axis=1)
    return np.sum((cdf - w) ** 2 + w * (1.0 - w), axis=1)


def crps_sample(samples, observed) -> np.ndarray:
    r"""CRPS of an ensemble / sample forecast (empirical distribution).

    .. math:: \mathrm{CRPS}(\hat F_m, y) = \frac1m \sum_i |x_i - y|
              - \frac{1}{2m^2} \sum_{i,j} |x_i - x_j|

    the CRPS of the empirical distribution of the ``m`` samples (kernel form,
    [GR07]_), as computed by ``properscoring.crps_ensemble`` (and
    ``scoringrules.crps_ensemble``'s default estimator); not the "fair"
    ``1 / (m (m - 1))`` variant. Negatively oriented, in the units of the
    samples. The pair term is computed from the sorted sample in
    O(m log m).

    Parameters
    ----------
    samples : array_like, shape (n, m)
        ``m`` draws from each of ``n`` forecasts.
    observed : array_like, shape (n,)
        Realised values.

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> crps_sample([[1.0, 2.0, 4.0]], [3.0]).round(6)
    array([0.666667])
    """
    x = np.asarray(samples, dtype=float)
    y = np.asarray(observed, dtype=float)
    if x.ndim != 2 or x.shape[1] < 1 or y.shape != (x.shape[0],):
        raise ValueError(
            f"samples must have shape (n, m) and observed shape (n,); got {x.shape} and {y.shape}"
        )
    m = x.shape[1]
    x = np.sort(x, axis=1)
    abs_err = np.mean(np.abs(x - y[:, None]), axis=1)
    # sum_{i,j} |x_i - x_j| = 2 sum_i (2i - m - 1) x_(i) for 1-based ranks i
    ranks = 2.0 * np.arange(1, m + 1) - m - 1
    spread = 2.0 * (x @ ranks) / m**2
    return abs_err - 0.5 * spread


def pit_pmf(pmf, observed) -> np.ndarray:
    r"""Mid probability integral transform of a discrete forecast.

    .. math:: u = F(y - 1) + \tfrac12\,\mathrm{pmf}(y)

    For discrete forecasts the PIT ``F(y)`` is not uniform even under perfect
    calibration. Czado, Gneiting & Held (2009) offer a randomised PIT,
    ``F(y - 1) + V pmf(y)`` with ``V ~ U(0, 1)``, and a non-randomised PIT
    distribution function. This returns the mid-point of the randomised PIT
    (``V = 1/2``): deterministic, with mean exactly 1/2 under calibration,
    and close to uniform when no single grid cell carries much mass (a
    spread-out daily forecast). When pmfs are coarse, histogram Czado et
    al.'s non-randomised PIT instead of these values ([CGH09]_).

    Parameters
    ----------
    pmf : array_like, shape (n, D)
        Forecast probabilities on grid ``0..D-1``; rows sum to 1.
    observed : array_like of int, shape (n,)
        Grid index of the outcome.

    Returns
    -------
    ndarray, shape (n,), values in [0, 1]

    Examples
    --------
    >>> pit_pmf([[0.25, 0.5, 0.25], [0.25, 0.5, 0.25]], [1, 2])
    array([0.5  , 0.875])
    """
    f = _as_probs(pmf, "pmf")
    obs = _as_index(observed, f.shape[0], f.shape[1])
    rows = np.arange(f.shape[0])
    p_obs = f[rows, obs]
    return np.cumsum(f, axis=1)[rows, obs] - 0.5 * p_obs


# --------------------------------------------------------------------------
# intervals and coverage
# --------------------------------------------------------------------------


def interval_coverage(lo, hi, observed) -> np.ndarray:
    """Whether each observation falls inside its forecast interval (inclusive).

    ``lo <= observed <= hi``, broadcast elementwise. Inclusive at both ends so
    that integer-grid intervals such as "day 10 to day 20" count their end
    days.

    Parameters
    ----------
    lo, hi : array_like
        Interval bounds, ``lo <= hi``.
    observed : array_like
        Realised values; missing values are not allowed (drop them first, so
        that they are not silently counted as misses).

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> interval_coverage([0, 0, 5], [10, 10, 8], [10, 11, 4])
    array([ True, False, False])
    """
    lo, hi, y = (np.asarray(a, dtype=float) for a in (lo, hi, observed))
    if not (np.all(np.isfinite(y)) and np.all(lo <= hi)):
        raise ValueError("observed must be finite (no missing values) and lo <= hi everywhere")
    return (lo <= y) & (y <= hi)


def binomial_ci(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    r"""Exact (Clopper-Pearson) confidence interval for a binomial proportion.

    .. math::
        \bigl[\,B^{-1}(\alpha/2;\ k,\ n-k+1),\ \ B^{-1}(1-\alpha/2;\ k+1,\ n-k)\,\bigr],
        \qquad \alpha = 1 - \text{level}

    with :math:`B^{-1}` the beta quantile function; the lower limit is 0 when
    ``k = 0`` and the upper limit 1 when ``k = n`` ([CP34]_). Coverage is at
    least `level` for every true proportion (conservative).

    Parameters
    ----------
    k : int
        Successes, ``0 <= k <= n``.
    n : int
        Trials, ``n >= 1``.
    level : float, default 0.95

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> [round(v, 4) for v in binomial_ci(0, 10)]
    [0.0, 0.3085]
    >>> [round(v, 4) for v in binomial_ci(7, 10)]
    [0.3475, 0.9333]
    """
    if not (0 <= k <= n and n >= 1 and 0 < level < 1) or int(k) != k or int(n) != n:
        raise ValueError(
            f"need integers 0 <= k <= n, n >= 1 and 0 < level < 1; got k={k}, n={n}, level={level}"
        )
    from scipy import stats

    alpha = 1.0 - level
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def coverage_table(
    quantile_los,
    quantile_his,
    observed,
    levels: Sequence[float] = (0.5, 0.8, 0.95),
) -> list[dict]:
    """Empirical coverage of central prediction intervals, with exact CIs.

    Parameters
    ----------
    quantile_los, quantile_his : array_like, shape (n, L)
        Column ``j`` holds the lower / upper bound of each forecast's central
        interval at nominal level ``levels[j]`` (e.g. the 2.5% and 97.5%
        quantiles for 0.95). Bounds are inclusive, see
        :func:`interval_coverage`.
    observed : array_like, shape (n,)
        Realised values, no missing values.
    levels : sequence of float, length L

    Returns
    -------
    list of dict
        One per level, with keys ``level`` (nominal), ``n``, ``hits``,
        ``rate = hits / n`` and ``ci_low``, ``ci_high`` (Clopper-Pearson 95%
        interval for the true coverage, :func:`binomial_ci`). A nominal level
        outside ``[ci_low, ci_high]`` is evidence of miscalibration.

    Examples
    --------
    >>> los = [[4, 2], [5, 3], [6, 1], [5, 0]]
    >>> his = [[6, 8], [7, 9], [8, 9], [6, 9]]
    >>> rows = coverage_table(los, his, [5, 6, 9, 7], levels=(0.5, 0.9))
    >>> [(r["level"], r["hits"], r["rate"], round(r["ci_low"], 3)) for r in rows]
    [(0.5, 2, 0.5, 0.068), (0.9, 4, 1.0, 0.398)]
    """
    lo = np.asarray(quantile_los, dtype=float)
    hi = np.asarray(quantile_his, dtype=float)
    y = np.asarray(observed, dtype=float)
    levels = tuple(float(v) for v in levels)
    expected = (y.shape[0] if y.ndim == 1 else -1, len(levels))
    if lo.shape != expected or hi.shape != expected or y.shape[0] < 1:
        raise ValueError(
            f"quantile_los and quantile_his must have shape (n, len(levels)) = {expected} "
            f"with n >= 1 matching observed; got {lo.shape} and {hi.shape}"
        )
    hits = interval_coverage(lo, hi, y[:, None]).sum(axis=0)
    n = y.shape[0]
    table = []
    for level, k in zip(levels, hits):
        ci_low, ci_high = binomial_ci(int(k), n)
        table.append(
            {"level": level, "n": n, "hits": int(k), "rate": int(k) / n,
             "ci_low": ci_low, "ci_high": ci_high}
        )
    return table


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

    The exact sign test (``scipy.stats.binomtest``, ties dropped) is reported
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
    from scipy import stats

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

    sign_p = 1.0 if m == 0 else float(stats.binomtest(n_pos, m, 0.5).pvalue)
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


# --------------------------------------------------------------------------
# reliability
# --------------------------------------------------------------------------


def reliability_table(
    p, occurred, bins: int | Sequence[float] = 5, band: float = 0.9
) -> "pd.DataFrame":
    """Reliability (calibration) table for binary probability forecasts, with consistency bands.

    Forecasts are grouped into bins of forecast probability; in each bin the
    observed event frequency is compared with the mean forecast. Under
    perfect calibration the number of events in a bin of ``n`` forecasts
    with mean ``pbar`` is approximately Binomial(``n``, ``pbar``); the band
    is the central `band` range of that distribution divided by ``n``, i.e.
    its ``(1 - band)/2`` and ``(1 + band)/2`` quantiles. An observed rate
    outside the band is evidence against calibration in that bin. This is the
    binomial form of the consistency bars of Broecker & Smith (2007)
    ([BS07]_), who obtain them by resampling; treating every forecast in the
    bin as ``pbar`` slightly overstates the spread, and binomial quantiles
    are discrete, so the bands are mildly conservative.

    For multiclass forecasts, flatten one-vs-rest before calling: pass
    ``probs.ravel()`` as `p` and ``(np.arange(K) == observed[:, None]).ravel()``
    as `occurred` (or one class column at a time). Note the flattened cases
    are not independent, so the bands are then only indicative.

    Parameters
    ----------
    p : array_like, shape (n,)
        Forecast probabilities in ``[0, 1]``.
    occurred : array_like of bool, shape (n,)
    bins : int or sequence of float, default 5
        Number of equal-width bins on [0, 1], or increasing bin edges that
        cover every forecast. Bins are ``[low, high)``, the last one closed.
    band : float, default 0.9
        Nominal probability content of the consistency band.

    Returns
    -------
    pandas.DataFrame
        One row per bin with columns ``bin_low``, ``bin_high``, ``n``,
        ``mean_forecast``, ``observed_rate``, ``band_low``, ``band_high``.
        Empty bins are kept, with ``n = 0`` and nan in the other four
        columns.

    Examples
    --------
    >>> t = reliability_table([0.1, 0.2, 0.7, 0.9, 0.8], [0, 0, 1, 1, 0], bins=2)
    >>> t[["bin_low", "bin_high", "n", "mean_forecast", "observed_rate"]]
       bin_low  bin_high  n  mean_forecast  observed_rate
    0      0.0       0.5  2           0.15       0.000000
    1      0.5       1.0  3           0.80       0.666667
    >>> t[["band_low", "band_high"]]
       band_low  band_high
    0  0.000000        0.5
    1  0.333333        1.0
    """
    prob, occ = _as_binary(p, occurred)
    if prob.ndim != 1 or not 0 < band < 1:
        raise ValueError(f"p must be 1-D and 0 < band < 1; got shape {prob.shape}, band={band}")
    if np.ndim(bins) == 0:
        edges = np.linspace(0.0, 1.0, int(bins) + 1)
    else:
        edges = np.asarray(bins, dtype=float)
    if edges.size < 2 or np.any(np.diff(edges) <= 0) or (
        prob.size and (prob.min() < edges[0] or prob.max() > edges[-1])
    ):
        raise ValueError(
            "bins must be a positive count or increasing edges covering every forecast"
        )

    import pandas as pd
    from scipy import stats

    n_bins = edges.size - 1
    which = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    sum_p = np.bincount(which, weights=prob, minlength=n_bins)
    events = np.bincount(which, weights=occ.astype(float), minlength=n_bins)

    filled = count > 0
    mean_forecast = np.full(n_bins, np.nan)
    observed_rate = np.full(n_bins, np.nan)
    band_low = np.full(n_bins, np.nan)
    band_high = np.full(n_bins, np.nan)
    nf = count[filled]
    mean_forecast[filled] = sum_p[filled] / nf
    observed_rate[filled] = events[filled] / nf
    pbar = mean_forecast[filled]
    band_low[filled] = stats.binom.ppf((1 - band) / 2, nf, pbar) / nf
    band_high[filled] = stats.binom.ppf((1 + band) / 2, nf, pbar) / nf

    return pd.DataFrame(
        {
            "bin_low": edges[:-1],
            "bin_high": edges[1:],
            "n": count.astype(int),
            "mean_forecast": mean_forecast,
            "observed_rate": observed_rate,
            "band_low": band_low,
            "band_high": band_high,
        }
    )
