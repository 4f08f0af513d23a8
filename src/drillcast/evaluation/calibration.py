"""Calibration diagnostics: interval coverage with binomial intervals, and reliability tables.

References: [CP34] Clopper and Pearson (1934); [BS07] Broecker and Smith (2007); see
:mod:`drillcast.evaluation.scoring`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only; pandas is imported lazily
    import pandas as pd

from drillcast.evaluation._checks import _as_binary


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
    from scipy import special  # betaincinv(a, b, q) is scipy.stats.beta.ppf(q, a, b), without scipy.stats

    alpha = 1.0 - level
    low = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha / 2))
    high = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - alpha / 2))
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

    return pd.DataFrame(reliability_rows(prob, occ, edges, band))


def reliability_rows(prob, occ, edges, band: float = 0.9) -> dict:
    """The columns of :func:`reliability_table` as a dict of arrays (no pandas), from checked inputs."""
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
    band_low[filled] = _binom_ppf((1 - band) / 2, nf, pbar) / nf
    band_high[filled] = _binom_ppf((1 + band) / 2, nf, pbar) / nf
    return {
        "bin_low": edges[:-1],
        "bin_high": edges[1:],
        "n": count.astype(int),
        "mean_forecast": mean_forecast,
        "observed_rate": observed_rate,
        "band_low": band_low,
        "band_high": band_high,
    }


def _binom_ppf(q: float, n, p):
    """``scipy.stats.binom.ppf(q, n, p)`` for 0 < q < 1, by scipy's own rule (``binom._ppf``), with
    scipy.special only."""
    from scipy import special

    vals = np.ceil(special.bdtrik(q, n, p))
    vals1 = np.maximum(vals - 1, 0)
    return np.where(special.bdtr(vals1, n, p) >= q, vals1, vals)
