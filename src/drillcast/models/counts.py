"""How many events, given that a multi-event series is active in a year.

The outcome models say whether a series holds at least one event in a year;
these models say how many, given that it does: ``count | held = 1 + X``.

``gamma-poisson``
    X ~ Poisson(lambda), lambda ~ Gamma(0.5 + sum w_i (c_i - 1), sum w_i): a
    conjugate update with recency weights ``w_i = 0.5 ** (age / half_life)``,
    so the predictive X is negative binomial (Gelman et al., *Bayesian Data
    Analysis*, 3rd ed., sec. 2.6).
``glm-trend``
    X ~ Poisson(exp(b0 + b1 (year - mean year))), fitted by a Poisson GLM
    (statsmodels) on the held years; the predictive mixes the Poisson over
    2,000 draws of (b0, b1) from the estimate's asymptotic normal law, so the
    trend's uncertainty widens later years. With fewer than 4 held years, or
    when the fit fails, it falls back to ``gamma-poisson`` and says so.

The default is the model with the better ranked probability score of counts in
backtests (``python benchmarks/model_choice.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from drillcast.models.names import COUNT_MODELS, check_count_model

__all__ = ["COUNT_MODELS", "DEFAULT_COUNTS", "MAX_COUNT", "fit_counts"]

MAX_COUNT = 60  # the count distribution is kept on 0..MAX_COUNT events
DEFAULT_COUNTS = "gamma-poisson"


def _nb_pmf(a: float, b: float, n: int) -> np.ndarray:
    """Negative binomial pmf of a Gamma(a, rate b)-mixed Poisson on 0..n-1 (cumulative log steps)."""
    j = np.arange(n)
    pj = 1.0 / (b + 1.0)
    steps = np.log((a + j[:-1]) / (j[:-1] + 1.0))
    logpmf = np.r_[0.0, np.cumsum(steps)] + a * math.log(1 - pj) + j * math.log(pj)
    p = np.exp(logpmf)
    return p / p.sum()


@dataclass(frozen=True)
class FittedCounts:
    """``extra(year)``: pmf of X = count - 1 on 0..MAX_COUNT-1, given held."""

    name: str
    a: float = 0.5
    b: float = 1e-9
    coef_draws: np.ndarray | None = None
    centre: float = 0.0
    note: str = ""

    def extra(self, year: int) -> np.ndarray:
        if self.coef_draws is None:
            return _nb_pmf(self.a, self.b, MAX_COUNT)
        mu = np.exp(self.coef_draws[:, 0] + self.coef_draws[:, 1] * (year - self.centre))
        mu = np.minimum(mu, 1e3)
        j = np.arange(MAX_COUNT)
        logfact = np.r_[0.0, np.cumsum(np.log(np.arange(1, MAX_COUNT)))]
        p = np.exp(j[None, :] * np.log(mu[:, None]) - mu[:, None] - logfact[None, :]).mean(axis=0)
        return p / p.sum()

    def mean_given_held(self, year: int) -> float:
        return 1.0 + float(np.arange(MAX_COUNT) @ self.extra(year))

    def describe(self) -> dict:
        d = {"counts": self.name}
        if self.coef_draws is not None:
            d["trend_per_year"] = round(float(np.exp(np.mean(self.coef_draws[:, 1]))), 4)
        if self.note:
            d["counts_note"] = self.note
        return d


def fit_counts(name: str, years: np.ndarray, counts: np.ndarray, ref_year: int, half_life: float = 3.0,
               seed: int = 0) -> FittedCounts:
    """Fit count model ``name`` on held years (``counts >= 1``)."""
    check_count_model(name)
    w = 0.5 ** ((ref_year - years) / half_life)
    gp = FittedCounts("gamma-poisson", 0.5 + float(np.sum(w * (counts - 1))), float(np.sum(w)) + 1e-9)
    if name == "gamma-poisson":
        return gp
    if len(years) < 4:
        return FittedCounts(**{**gp.__dict__, "name": "gamma-poisson",
                               "note": f"glm-trend needs 4 held years, {len(years)} known: gamma-poisson used"})
    import warnings

    import statsmodels.api as sm

    centre = float(np.mean(years))
    X = np.column_stack([np.ones(len(years)), years - centre])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # separation and convergence are checked below
            res = sm.GLM(counts - 1, X, family=sm.families.Poisson()).fit()
        cov = np.asarray(res.cov_params())
        params = np.asarray(res.params)
        if not (np.all(np.isfinite(params)) and np.all(np.isfinite(cov)) and np.all(np.diag(cov) < 25)):
            raise ValueError("unstable estimate")
    except Exception as exc:  # noqa: BLE001 - any failed fit falls back, and says so
        return FittedCounts(**{**gp.__dict__, "note": f"glm-trend fit failed ({exc}): gamma-poisson used"})
    draws = np.random.default_rng(seed).multivariate_normal(params, cov, size=2000, method="cholesky")
    return FittedCounts("glm-trend", coef_draws=draws, centre=centre)
