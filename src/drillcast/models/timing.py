"""When in the year: a circular (von Mises) model of start days, on a grid.

The start day-of-year ``d`` of a series' exercise follows a discretised von
Mises distribution on the 366 days of a year,

    p(d | mu, kappa) proportional to exp(kappa * cos(2 pi (d - mu) / 365.25)),

normalised by summation over the days (so no Bessel function is needed). The
posterior over ``(mu, kappa)`` is computed exactly on a grid (mu every 4 days,
kappa 0 and 20 values log-spaced from 0.05 to 2000, log-uniform prior; half the
prior mass on kappa = 0, i.e. no seasonality). The predictive mixes the
discretised von Mises laws, so a 4-day grid of centres still gives a smooth
daily predictive (for the largest kappa, a 2-day spread, the mixture over
neighbouring centres is what the data support). An observation
known only to a month (or a year) contributes the probability of its whole
interval, sum over d in [lo, hi] of p(d | mu, kappa), not a guessed day.

Directions are pooled with shrinkage: the predictive for direction ``c`` is
``w_c * p_c + (1 - w_c) * p_pooled`` with ``w_c = n_c / (n_c + n0)``, where
``p_c`` is fitted on direction ``c``'s own starts and ``p_pooled`` on all.

References: Mardia & Jupp (2000), *Directional Statistics*, ch. 3;
Fisher (1993), *Statistical Analysis of Circular Data*.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["TimingModel", "FittedTiming", "quantile_days", "N_DAYS"]

N_DAYS = 366
_MU = np.arange(0.0, 366.0, 4.0)
_KAPPA = np.concatenate([[0.0], np.geomspace(0.05, 2000.0, 20)])


@lru_cache(maxsize=1)
def _tables():
    """pmf table (G, 366) over the (mu, kappa) grid, its cumulative sums (G, 367), the log prior,
    and the transposed log pmf (366, G) for day-precision observations."""
    d = np.arange(N_DAYS)
    ang = 2 * np.pi * (d[None, :] - _MU[:, None]) / 365.25  # (M, D)
    cosd = np.cos(ang)
    logp = _KAPPA[None, :, None] * (cosd[:, None, :] - 1.0)  # (M, Kap, D), <= 0: no overflow
    p = np.exp(logp)
    p /= p.sum(axis=-1, keepdims=True)
    p = p.reshape(-1, N_DAYS)
    cum = np.concatenate([np.zeros((p.shape[0], 1)), np.cumsum(p, axis=1)], axis=1)
    log_prior = np.tile(np.r_[np.log(0.5), np.zeros(len(_KAPPA) - 1)], len(_MU))  # log-uniform kappa, half mass at 0
    # float32 for the two matrix products of every fit (the log-likelihood sums stay well within its precision)
    logp_t = np.ascontiguousarray(np.log(np.maximum(p, 1e-300)).T, dtype=np.float32)
    return p.astype(np.float32), cum, log_prior - np.log(np.exp(log_prior).sum()), logp_t


def _posterior_pmf(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    p, cum, log_prior, logp_t = _tables()
    lp = log_prior.copy()
    exact = lo == hi
    if exact.any():
        # day-precision starts: the log likelihood is a count-weighted sum of log pmf rows
        days = np.bincount(lo[exact].astype(int), minlength=N_DAYS).astype(np.float32)
        lp = lp + days @ logp_t
    if (~exact).any():  # month- or year-precision starts: probability of the whole interval
        mass = cum[:, hi[~exact].astype(int) + 1] - cum[:, lo[~exact].astype(int)]
        lp = lp + np.log(np.maximum(mass, 1e-300)).sum(axis=1)
    w = np.exp(lp - lp.max())
    w /= w.sum()
    out = (w.astype(np.float32) @ p).astype(float)
    return out / out.sum()


# The same starts are fitted again and again in backtests (every model of a fold,
# and successive folds share data); fitting is pure, so results are memoised.
_FIT_CACHE: dict = {}


@dataclass(frozen=True)
class FittedTiming:
    """Predictive start-day distributions per outcome label.

    Attributes
    ----------
    pmf : dict of int to ndarray (366,)
        Label index -> predictive pmf of the start day-of-year.
    pooled : ndarray (366,)
    n : int
        Start dates used.
    """

    pmf: dict
    pooled: np.ndarray
    n: int

    def for_label(self, label: int) -> np.ndarray:
        return self.pmf.get(label, self.pooled)


@dataclass(frozen=True)
class TimingModel:
    """Settings of the start-day model.

    Parameters
    ----------
    n0 : float
        Shrinkage strength towards the pooled fit (in events).
    uniform : bool
        Ignore the data: every day equally likely (the timing baseline).
    """

    n0: float = 3.0
    uniform: bool = False

    def fit(self, labels: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> FittedTiming:
        """Fit on held years' start intervals (day-of-year, inclusive) and their labels."""
        labels = np.asarray(labels, dtype=np.int64)
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.asarray(hi, dtype=np.int64)
        key = (self, labels.tobytes(), lo.tobytes(), hi.tobytes())
        hit = _FIT_CACHE.get(key)
        if hit is None:
            hit = self._fit(labels, lo, hi)
            if len(_FIT_CACHE) > 4096:  # bounded: backtests over many series
                _FIT_CACHE.clear()
            _FIT_CACHE[key] = hit
        return hit

    def _fit(self, labels, lo, hi) -> FittedTiming:
        if self.uniform or len(lo) == 0:
            flat = np.full(N_DAYS, 1.0 / N_DAYS)
            return FittedTiming({}, flat, int(len(lo)))
        pooled = _posterior_pmf(lo, hi)
        out = {}
        labs = np.unique(labels)
        for lab in labs:
            m = labels == lab
            if len(labs) == 1:  # one label: its own fit is the pooled fit
                out[int(lab)] = pooled
                continue
            w = m.sum() / (m.sum() + self.n0)
            out[int(lab)] = w * _posterior_pmf(lo[m], hi[m]) + (1 - w) * pooled
        return FittedTiming(out, pooled, int(len(lo)))


def quantile_days(pmf: np.ndarray, qs) -> np.ndarray:
    """Smallest day ``d`` with ``CDF(d) >= q`` for each q (pmf over days 0..D-1, sums to 1)."""
    c = np.cumsum(pmf)
    c /= c[-1]
    return np.searchsorted(c, np.asarray(qs) - 1e-12, side="left").clip(0, len(pmf) - 1)
