"""The result type shared by every test, the shared constants, and the record of a skipped test.

The bottom of :mod:`drillcast.hypotheses`: it imports numpy only.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["TestResult", "results_frame", "TEST_NAMES"]

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
EXACT_LIMIT = 20_000_000
"""Largest enumeration done exactly (candidate table cells, or arrangements x years)."""
POWER_TARGET = 0.8
CYCLE_KEPT = 0.75
"""Share of years following the cycle under the power alternatives."""
BF_STRONG = 20.0
"""Bayes factor counted as strong evidence (Kass & Raftery 1995: 20 to 150 'strong')."""

HELD = "held"  # the outcome label of a held event in a non-rotating series (see drillcast.data.history)


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
