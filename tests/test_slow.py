"""Full-budget simulations, behind the ``slow`` marker (``pytest -m slow``; CI runs small budgets).

Each repeats a CI check with 5-10x the simulations, so a small bias that CI's budget cannot see
would show here.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

import drillcast.hypotheses as H
from drillcast.data.catalogue import load_catalogue
from drillcast.forecasting import forecast

from .conftest import REC_SERIES, ROT_SERIES, write_catalogue

pytestmark = pytest.mark.slow
DIRS = ["a", "b", "c", "d"]


def test_rotation_pvalues_uniform_under_h0_full_budget():
    rng = np.random.default_rng(101)
    ps = []
    for i in range(1000):
        lab = list(rng.choice(DIRS + ["none"], size=14, p=[0.22] * 4 + [0.12]))
        ps.append(H.rotation_test_labels(lab, DIRS, power=False, seed=i).details["p_randomised"])
    assert stats.kstest(ps, "uniform").pvalue > 0.01


@pytest.mark.parametrize("fn", [H.rayleigh_test_angles, H.kuiper_test_angles])
def test_circular_pvalues_uniform_under_h0_full_budget(fn):
    rng = np.random.default_rng(102)
    ps = [fn(rng.uniform(0, 2 * math.pi, 15), draws=4000, seed=i, power=False).p_value for i in range(1000)]
    assert stats.kstest(ps, "uniform").pvalue > 0.01


def test_recovery_with_long_histories(tmp_path):
    """256 simulated years: the calendar model's one-step probabilities are within 3 standard errors."""
    q, n = 0.15, 256
    errs = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        events = []
        for i, y in enumerate(range(1700, 1700 + n)):
            if rng.random() >= q:
                events.append({"id": f"S-{y}", "series": "rot", "direction": "abcd"[i % 4],
                               "start_date": f"{y}-09-{10 + rng.integers(10):02d}"})
        snap = load_catalogue(write_catalogue(tmp_path / f"s{seed}", events, [ROT_SERIES, REC_SERIES])).as_of(
            dt.date(1700 + n, 1, 1))
        y = forecast(snap, "rot", model="calendar", horizon=1).years[0]
        errs.append(y.outcomes["abcd"[n % 4]] - (1 - q))
    assert abs(np.mean(errs)) < 3 * math.sqrt(q * (1 - q) / (n / 4)) / math.sqrt(10) + 0.02
