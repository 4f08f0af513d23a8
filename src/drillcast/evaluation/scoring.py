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

import numpy as np

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
    "reliability_rows",
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


from drillcast.evaluation._checks import _SUM_TOL, _as_binary, _as_index, _as_probs  # noqa: F401
# Calibration and comparison live in their own modules; their names stay importable from here.
from drillcast.evaluation.calibration import (  # noqa: E402
    binomial_ci,
    coverage_table,
    interval_coverage,
    reliability_rows,
    reliability_table,
)
from drillcast.evaluation.comparison import PairedTestResult, paired_test, skill_score  # noqa: E402


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
