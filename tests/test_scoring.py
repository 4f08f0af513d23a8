"""Tests for drillcast.evaluation.scoring.

Reference numbers from properscoring 0.1 and scoringrules 0.10.0 were computed
once and are written in below with the call that produced them; the tests do
not import either package.
"""

from __future__ import annotations

import dataclasses
import doctest
import math
import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from drillcast.evaluation import scoring
from drillcast.evaluation.scoring import (
    LOG_FLOOR,
    PairedTestResult,
    binary_brier,
    binary_log_score,
    binomial_ci,
    brier_score,
    coverage_table,
    crps_pmf,
    crps_sample,
    interval_coverage,
    log_score,
    paired_test,
    pit_pmf,
    ranked_probability_score,
    reliability_table,
    skill_score,
)

SCORING_PY = pathlib.Path(scoring.__file__)


def _random_pmfs(rng, n, k, concentration=1.0):
    return rng.dirichlet(np.full(k, concentration), size=n)


# --------------------------------------------------------------------------
# module hygiene
# --------------------------------------------------------------------------


def test_module_import_does_not_import_scipy():
    # Load the file on its own so that other drillcast modules (imported by
    # the package __init__) cannot make this pass or fail.
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('scoring_alone', {str(SCORING_PY)!r})\n"
        "mod = importlib.util.module_from_spec(spec)\n"
        "sys.modules[spec.name] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "assert 'scipy' not in sys.modules, 'scipy imported at module import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_docstring_examples_run():
    from drillcast.evaluation import calibration, comparison

    attempted = 0
    for module in (scoring, calibration, comparison):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted > 20


def test_log_floor_value():
    assert LOG_FLOOR == 1e-4
    assert math.log(LOG_FLOOR) == pytest.approx(-9.2103403719761836)


# --------------------------------------------------------------------------
# log score
# --------------------------------------------------------------------------


def test_log_score_hand_values():
    probs = [[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.1, 0.6, 0.3]]
    scores, floored = log_score(probs, [0, 2, 1])
    # log(0.5) = -0.693147...; p_obs = 0 is floored to log(1e-4) = -9.210340...;
    # log(0.6) = -0.510825...
    np.testing.assert_allclose(
        scores, [-0.6931471805599453, -9.210340371976182, -0.5108256237659907], rtol=1e-14
    )
    np.testing.assert_array_equal(floored, [False, True, False])


def test_log_score_floor_argument_and_boundary():
    probs = [[1e-4, 1 - 1e-4], [5e-5, 1 - 5e-5], [0.0, 1.0]]
    scores, floored = log_score(probs, [0, 0, 0], floor=1e-4)
    # exactly at the floor is not "floored"; below it is
    np.testing.assert_array_equal(floored, [False, True, True])
    np.testing.assert_allclose(scores, np.log(1e-4))
    scores, floored = log_score(probs, [0, 0, 0], floor=1e-6)
    # log(5e-5) = -9.903487...; log(1e-6) = -13.815510...
    np.testing.assert_allclose(scores, [np.log(1e-4), -9.903487552536127, -13.815510557964274])
    np.testing.assert_array_equal(floored, [False, False, True])


def test_binary_log_score_matches_scoringrules_and_two_class_log_score():
    scores, floored = binary_log_score([0.8, 0.8, 0.0, 1.0], [True, False, False, False])
    # scoringrules.log_score(1, 0.8) == 0.2231435513142097  (negatively oriented)
    # scoringrules.log_score(0, 0.8) == 1.6094379124341005
    # third: log(1 - 0) = 0; fourth: p_obs = 0 -> floor
    np.testing.assert_allclose(
        scores, [-0.2231435513142097, -1.6094379124341005, 0.0, np.log(LOG_FLOOR)], atol=1e-15
    )
    np.testing.assert_array_equal(floored, [False, False, False, True])

    rng = np.random.default_rng(11)
    p = rng.uniform(size=50)
    occ = rng.uniform(size=50) < 0.5
    two_class = np.column_stack([1 - p, p])
    np.testing.assert_allclose(
        binary_log_score(p, occ)[0], log_score(two_class, occ.astype(int))[0], rtol=1e-14
    )


def test_log_floor_impropriety_is_bounded_as_documented():
    # Belief (1 - x, x) with x small: reporting (1, 0) instead of the belief
    # changes the expected floored score by x*log(floor) - [(1-x)log(1-x) + x log x].
    # The docs claim this gain is positive only for x < e*floor and at most floor.
    x = np.geomspace(1e-6, 1e-2, 2001)
    belief = np.column_stack([1 - x, x])
    rounded = np.tile([1.0, 0.0], (x.size, 1))

    def expected(forecast):
        s0 = log_score(forecast, np.zeros(x.size, int))[0]
        s1 = log_score(forecast, np.ones(x.size, int))[0]
        return (1 - x) * s0 + x * s1

    gain = expected(rounded) - expected(belief)
    assert gain.max() <= LOG_FLOOR * (1 + 1e-6)
    assert np.all(gain[x > math.e * LOG_FLOOR * 1.01] < 0)
    assert np.all(gain[x < math.e * LOG_FLOOR * 0.99] > 0)


# --------------------------------------------------------------------------
# Brier
# --------------------------------------------------------------------------


def test_brier_hand_values_and_range():
    probs = [[0.7, 0.2, 0.1], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.2, 0.5, 0.3]]
    # (0.7-1)^2 + 0.2^2 + 0.1^2 = 0.09 + 0.04 + 0.01 = 0.14
    # perfect: 0
    # all mass on a wrong class: 1^2 + 0 + (0-1)^2 = 2  (the maximum)
    # sum_k scoringrules.brier_score(onehot_k, p_k) =
    #   sr.brier_score(0, 0.2) + sr.brier_score(1, 0.5) + sr.brier_score(0, 0.3) == 0.38
    np.testing.assert_allclose(brier_score(probs, [0, 1, 2, 1]), [0.14, 0.0, 2.0, 0.38], atol=1e-15)


def test_binary_brier_against_properscoring_and_multiclass():
    # properscoring.brier_score(np.array([1, 0]), np.array([0.8, 0.8]))
    #   == [0.03999999999999998, 0.6400000000000001]; by hand 0.2^2, 0.8^2
    np.testing.assert_allclose(binary_brier([0.8, 0.8], [True, False]), [0.04, 0.64], rtol=1e-14)
    rng = np.random.default_rng(3)
    p = rng.uniform(size=40)
    occ = rng.uniform(size=40) < p
    # Brier's multiclass form counts both classes, so K = 2 doubles the binary score
    np.testing.assert_allclose(
        brier_score(np.column_stack([1 - p, p]), occ.astype(int)), 2 * binary_brier(p, occ)
    )


# --------------------------------------------------------------------------
# RPS
# --------------------------------------------------------------------------


def test_rps_hand_values():
    # CDF (0.1, 0.3, 0.6); obs index 2 -> steps (0, 0, 1):
    # 0.1^2 + 0.3^2 + (0.6-1)^2 = 0.01 + 0.09 + 0.16 = 0.26
    assert ranked_probability_score([[0.1, 0.2, 0.3, 0.4]], [2]) == pytest.approx([0.26])


def test_rps_matches_scoringrules_unnormalised():
    # scoringrules.rps_score uses 1-based categories and sums over all K
    # thresholds (the last is always 0), i.e. it is NOT divided by K - 1 either.
    # scoringrules.rps_score(np.array([1, 2, 3]), np.array([[0.2, 0.5, 0.3]] * 3))
    #   == [0.7300000000000002, 0.13000000000000003, 0.5299999999999999]
    # by hand, CDF (0.2, 0.7): obs 0 -> 0.64 + 0.09; obs 1 -> 0.04 + 0.09; obs 2 -> 0.04 + 0.49
    np.testing.assert_allclose(
        ranked_probability_score([[0.2, 0.5, 0.3]] * 3, [0, 1, 2]), [0.73, 0.13, 0.53], rtol=1e-14
    )
    # scoringrules.rps_score(np.array([1, 4]),
    #                        np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]]))
    #   == [1.46, 1.9399999999999997]
    np.testing.assert_allclose(
        ranked_probability_score([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]], [0, 3]),
        [1.46, 1.94],
        rtol=1e-14,
    )
    # worst case is K - 1, not 1: scoringrules.rps_score(1, np.array([0.0, 0.0, 1.0])) == 2.0
    assert ranked_probability_score([[0.0, 0.0, 1.0]], [0]) == pytest.approx([2.0])


def test_rps_equals_crps_pmf_on_same_table():
    rng = np.random.default_rng(5)
    probs = _random_pmfs(rng, 30, 6)
    obs = rng.integers(0, 6, size=30)
    np.testing.assert_allclose(
        ranked_probability_score(probs, obs), crps_pmf(probs, obs), rtol=1e-12
    )


# --------------------------------------------------------------------------
# perfect forecasts and propriety
# --------------------------------------------------------------------------


def test_perfect_forecaster_scores_perfectly():
    k = 5
    obs = np.array([0, 3, 4, 2])
    onehot = np.eye(k)[obs]
    scores, floored = log_score(onehot, obs)
    np.testing.assert_array_equal(scores, 0.0)
    assert not floored.any()
    np.testing.assert_array_equal(brier_score(onehot, obs), 0.0)
    np.testing.assert_array_equal(ranked_probability_score(onehot, obs), 0.0)
    np.testing.assert_array_equal(crps_pmf(onehot, obs), 0.0)
    np.testing.assert_array_equal(crps_sample(obs[:, None] * np.ones((1, 7)), obs), 0.0)
    np.testing.assert_array_equal(binary_brier([1.0, 0.0], [True, False]), 0.0)
    np.testing.assert_array_equal(binary_log_score([1.0, 0.0], [True, False])[0], 0.0)


def _expected_scores(score_fn, forecasts, truth):
    """E_{Y ~ truth} S(forecast, Y) for each forecast row."""
    n, k = forecasts.shape
    probs = np.repeat(forecasts, k, axis=0)
    obs = np.tile(np.arange(k), n)
    s = score_fn(probs, obs).reshape(n, k)
    return s @ truth


@pytest.mark.parametrize(
    "score_fn, higher_is_better",
    [
        (lambda p, y: log_score(p, y)[0], True),
        (brier_score, False),
        (ranked_probability_score, False),
        (crps_pmf, False),
    ],
    ids=["log", "brier", "rps", "crps_pmf"],
)
def test_propriety_by_brute_force(score_fn, higher_is_better):
    rng = np.random.default_rng(2024)
    for truth in (np.array([0.1, 0.2, 0.3, 0.25, 0.15]), rng.dirichlet(np.full(5, 3.0))):
        others = np.vstack([
            _random_pmfs(rng, 2000, 5),
            # near misses: the truth nudged a little
            np.abs(truth + rng.normal(scale=0.02, size=(500, 5))),
        ])
        others /= others.sum(axis=1, keepdims=True)
        own = _expected_scores(score_fn, truth[None, :], truth)[0]
        rival = _expected_scores(score_fn, others, truth)
        sign = 1.0 if higher_is_better else -1.0
        assert np.all(sign * (own - rival) > 0)


def test_binary_propriety_by_brute_force():
    q = 0.3
    grid = np.linspace(0.0, 1.0, 1001)
    grid = grid[np.abs(grid - q) > 1e-9]

    def expected(fn):
        yes, no = np.ones_like(grid, bool), np.zeros_like(grid, bool)
        return q * fn(grid, yes) + (1 - q) * fn(grid, no)

    def own(fn):
        p = np.array([q])
        return q * fn(p, np.array([True])) + (1 - q) * fn(p, np.array([False]))

    assert np.all(expected(binary_brier) > own(binary_brier))
    log_fn = lambda p, o: binary_log_score(p, o)[0]  # noqa: E731
    assert np.all(expected(log_fn) < own(log_fn))


# --------------------------------------------------------------------------
# CRPS
# --------------------------------------------------------------------------


def test_crps_pmf_hand_values():
    pmf = [[0.25, 0.5, 0.25]] * 3
    # CDF (0.25, 0.75, 1):
    # y = 1: 0.25^2 + (0.75-1)^2 + 0 = 0.0625 + 0.0625 = 0.125
    # y = 0: (0.25-1)^2 + (0.75-1)^2 = 0.5625 + 0.0625 = 0.625; y = 2 the same by symmetry
    np.testing.assert_allclose(crps_pmf(pmf, [1, 0, 2]), [0.125, 0.625, 0.625])


def test_crps_pmf_matches_scoringrules_binomial_and_poisson():
    # Binomial(4, 1/2): pmf (1, 4, 6, 4, 1)/16, CDF (1, 5, 11, 15, 16)/16; y = 0:
    # sum (F-1)^2 = (15^2 + 11^2 + 5^2 + 1^2)/256 = 372/256 = 1.453125
    # == scoringrules.crps_binomial(0, 4, 0.5)
    binom4 = np.array([[1, 4, 6, 4, 1]]) / 16
    assert crps_pmf(binom4, [0]) == pytest.approx([1.453125], rel=1e-15)

    # scoringrules.crps_binomial(3, 10, 0.4) == 0.577150030121481
    binom10 = np.array([[math.comb(10, j) * 0.4**j * 0.6 ** (10 - j) for j in range(11)]])
    assert crps_pmf(binom10, [3]) == pytest.approx([0.577150030121481], rel=1e-12)

    # scoringrules.crps_poisson(3, 2.5) == 0.4576085204970717
    # scoringrules.crps_poisson(0, 7.0) == 5.520809566063135
    # Poisson tails beyond 80 are < 1e-50, so truncating the grid there is exact in float64.
    d = np.arange(80)
    log_fact = np.array([math.lgamma(v + 1) for v in d])
    pois = np.array([np.exp(-lam + d * np.log(lam) - log_fact) for lam in (2.5, 7.0)])
    pois /= pois.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        crps_pmf(pois, [3, 0]), [0.4576085204970717, 5.520809566063135], rtol=1e-12
    )


def test_crps_sample_against_properscoring():
    # properscoring.crps_ensemble(np.array([3.0, 0.0, 2.5]),
    #     np.array([[1, 2, 4], [0, 0, 0], [1, 1, 2]], float))
    #   == [0.6666666666666666, 0.0, 0.9444444444444445]
    # by hand, first row: E|X-3| = (2+1+1)/3 = 4/3; E|X-X'| = 2(1+3+2)/9 = 4/3;
    #   4/3 - 0.5 * 4/3 = 2/3. third row: 3.5/3 - 0.5 * 2(0+1+1)/9 = 7/6 - 2/9 = 17/18
    np.testing.assert_allclose(
        crps_sample([[1, 2, 4], [0, 0, 0], [1, 1, 2]], [3.0, 0.0, 2.5]),
        [2 / 3, 0.0, 17 / 18],
        rtol=1e-14,
    )
    # properscoring.crps_ensemble(np.array([0.3, -1.2]),
    #     np.array([[-0.5, 0.1, 0.4, 1.7, 2.2], [0.9, -0.4, -2.0, 0.3, 1.1]]))
    #   == [0.32000000000000006, 0.9]   (scoringrules.crps_ensemble agrees)
    # by hand, first row: E|X-y| = (0.8+0.2+0.1+1.4+1.9)/5 = 0.88;
    #   sum_{i,j}|x_i-x_j| = 2 * (-4(-0.5) - 2(0.1) + 0 + 2(1.7) + 4(2.2)) = 28, /25 = 1.12;
    #   0.88 - 0.56 = 0.32
    np.testing.assert_allclose(
        crps_sample([[-0.5, 0.1, 0.4, 1.7, 2.2], [0.9, -0.4, -2.0, 0.3, 1.1]], [0.3, -1.2]),
        [0.32, 0.9],
        rtol=1e-13,
    )


def test_crps_sample_matches_naive_double_sum():
    rng = np.random.default_rng(8)
    x = rng.gamma(2.0, size=(10, 9))
    y = rng.gamma(2.0, size=10)
    naive = np.abs(x - y[:, None]).mean(axis=1) - 0.5 * np.abs(
        x[:, :, None] - x[:, None, :]
    ).mean(axis=(1, 2))
    np.testing.assert_allclose(crps_sample(x, y), naive, rtol=1e-12)


def test_crps_pmf_equals_crps_sample_of_expanded_distribution():
    # A pmf with probabilities that are multiples of 1/m is exactly the
    # empirical distribution of m samples, so the two CRPS must agree.
    rng = np.random.default_rng(17)
    n, days, m = 12, 40, 200
    counts = np.array([rng.multinomial(m, rng.dirichlet(np.ones(days))) for _ in range(n)])
    samples = np.array([np.repeat(np.arange(days), c) for c in counts], dtype=float)
    obs = rng.integers(0, days, size=n)
    np.testing.assert_allclose(crps_pmf(counts / m, obs), crps_sample(samples, obs), rtol=1e-11)


def test_crps_pmf_interval_is_mean_of_point_crps():
    rng = np.random.default_rng(23)
    n, days = 25, 60
    pmf = _random_pmfs(rng, n, days, 0.5)
    lo = rng.integers(0, days, size=n)
    hi = np.minimum(lo + rng.integers(0, 31, size=n), days - 1)
    got = crps_pmf(pmf, (lo, hi))
    expected = []
    for i in range(n):
        ys = np.arange(lo[i], hi[i] + 1)
        expected.append(np.mean(crps_pmf(np.repeat(pmf[i : i + 1], ys.size, axis=0), ys)))
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # lo == hi is a point observation
    np.testing.assert_allclose(crps_pmf(pmf, (lo, lo)), crps_pmf(pmf, lo), rtol=1e-14)
    # hand: pmf (0.25, 0.5, 0.25), y in [0, 2]: (0.625 + 0.125 + 0.625)/3 = 0.458333...
    one = [[0.25, 0.5, 0.25]]
    assert crps_pmf(one, (np.array([0]), np.array([2]))) == pytest.approx([1.375 / 3])


def test_crps_pmf_interval_best_forecast_is_uniform_over_interval():
    lo, hi, days = np.array([3]), np.array([7]), 12
    uniform = np.zeros((1, days))
    uniform[0, 3:8] = 0.2
    floor_value = crps_pmf(uniform, (lo, hi))[0]
    # irreducible part: sum_d W(1-W) with W = (0.2, 0.4, 0.6, 0.8) at d = 3..6:
    # 0.16 + 0.24 + 0.24 + 0.16 = 0.8
    assert floor_value == pytest.approx(0.8)
    rng = np.random.default_rng(4)
    others = _random_pmfs(rng, 500, days)
    assert np.all(crps_pmf(others, (np.repeat(lo, 500), np.repeat(hi, 500))) > floor_value)


def test_crps_pmf_rejects_ambiguous_or_bad_observations():
    pmf = [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]
    with pytest.raises(ValueError, match="shape"):
        crps_pmf(pmf, (0, 2))  # a tuple is (lo, hi); point observations go in a list
    np.testing.assert_allclose(crps_pmf(pmf, [0, 2]), crps_pmf(pmf, np.array([0, 2])))
    with pytest.raises(ValueError, match="lo <= hi"):
        crps_pmf(pmf, (np.array([2, 0]), np.array([1, 2])))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        crps_pmf(pmf, [0, 3])
    with pytest.raises(ValueError, match="sum to 1"):
        crps_pmf([[0.5, 0.6, 0.0]], [0])


def test_categorical_input_validation():
    with pytest.raises(ValueError, match="2-D"):
        brier_score([0.5, 0.5], [0])
    with pytest.raises(ValueError, match="integer"):
        log_score([[0.5, 0.5]], [0.5])
    with pytest.raises(ValueError, match="shape"):
        ranked_probability_score([[0.5, 0.5]], [0, 1])
    with pytest.raises(ValueError, match="non-negative"):
        brier_score([[1.5, -0.5]], [0])
    with pytest.raises(ValueError, match="boolean"):
        binary_brier([0.5], [2])
    # integer-valued floats (a pandas column after a merge) are fine
    np.testing.assert_allclose(brier_score([[0.5, 0.5]], np.array([1.0])), [0.5])


# --------------------------------------------------------------------------
# PIT
# --------------------------------------------------------------------------


def test_pit_pmf_hand_values():
    pmf = [[0.25, 0.5, 0.25]] * 3
    # y=0: 0 + 0.5*0.25 = 0.125; y=1: 0.25 + 0.5*0.5 = 0.5; y=2: 0.75 + 0.5*0.25 = 0.875
    np.testing.assert_allclose(pit_pmf(pmf, [0, 1, 2]), [0.125, 0.5, 0.875])
    # a point mass gives 1/2 whatever the grid
    np.testing.assert_allclose(pit_pmf(np.eye(4), [0, 1, 2, 3]), 0.5)


def test_pit_pmf_has_mean_one_half_under_calibration():
    # E[F(Y-1) + p(Y)/2] = sum_{i<j} p_i p_j + sum_i p_i^2 / 2 = (sum_i p_i)^2 / 2 = 1/2
    rng = np.random.default_rng(9)
    pmf = _random_pmfs(rng, 1, 15)
    table = np.repeat(pmf, 15, axis=0)
    assert pmf[0] @ pit_pmf(table, np.arange(15)) == pytest.approx(0.5, abs=1e-14)


# --------------------------------------------------------------------------
# intervals, Clopper-Pearson, coverage
# --------------------------------------------------------------------------


def test_interval_coverage_inclusive_and_validated():
    np.testing.assert_array_equal(
        interval_coverage([0, 0, 5, 2], [10, 10, 8, 2], [10, 11, 4, 2]), [True, False, False, True]
    )
    with pytest.raises(ValueError, match="missing"):
        interval_coverage([0], [1], [np.nan])
    with pytest.raises(ValueError, match="lo <= hi"):
        interval_coverage([2], [1], [1])


@pytest.mark.parametrize(
    "k, n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (7, 50), (49, 50), (123, 400)]
)
@pytest.mark.parametrize("level", [0.95, 0.8])
def test_binomial_ci_matches_scipy_binomtest(k, n, level):
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
    low, high = binomial_ci(k, n, level)
    assert isinstance(low, float) and isinstance(high, float)
    assert low == pytest.approx(ref.low, abs=1e-12)
    assert high == pytest.approx(ref.high, abs=1e-12)


def test_binomial_ci_edge_cases_by_hand():
    # k = 0: lower 0, upper solves (1-u)^n = alpha/2  ->  1 - 0.025**(1/10) = 0.30849710781876...
    assert binomial_ci(0, 10) == pytest.approx((0.0, 1 - 0.025 ** 0.1), abs=1e-14)
    # k = n: mirror image
    assert binomial_ci(10, 10) == pytest.approx((0.025 ** 0.1, 1.0), abs=1e-14)
    for bad in [(-1, 5), (6, 5), (0, 0), (1.5, 5)]:
        with pytest.raises(ValueError):
            binomial_ci(*bad)


def test_coverage_table_hand_values():
    los = [[4, 2], [5, 3], [6, 1], [5, 0]]
    his = [[6, 8], [7, 9], [8, 9], [6, 9]]
    obs = [5, 6, 9, 7]
    # level 0.5: 5 in [4,6] yes, 6 in [5,7] yes, 9 in [6,8] no, 7 in [5,6] no -> 2 of 4
    # level 0.9: every interval holds its observation -> 4 of 4
    table = coverage_table(los, his, obs, levels=(0.5, 0.9))
    assert [row["level"] for row in table] == [0.5, 0.9]
    assert [(row["n"], row["hits"], row["rate"]) for row in table] == [(4, 2, 0.5), (4, 4, 1.0)]
    assert (table[0]["ci_low"], table[0]["ci_high"]) == binomial_ci(2, 4)
    assert table[1]["ci_high"] == 1.0
    assert set(table[0]) == {"level", "n", "hits", "rate", "ci_low", "ci_high"}
    with pytest.raises(ValueError, match="len\\(levels\\)"):
        coverage_table(los, his, obs)  # default has three levels, arrays have two columns


# --------------------------------------------------------------------------
# skill score
# --------------------------------------------------------------------------


def test_skill_score_hand_values():
    # Brier-like: (0.2 - 0.4) / (0 - 0.4) = 0.5
    assert skill_score([0.1, 0.3], [0.4, 0.4], perfect=0.0) == pytest.approx(0.5)
    # log-like (higher better): (-0.5 - -1) / (0 - -1) = 0.5
    assert skill_score([-0.5], [-1.0], perfect=0.0) == pytest.approx(0.5)
    # worse than reference is negative: (0.6 - 0.4) / (0 - 0.4) = -0.5
    assert skill_score([0.6], [0.4], perfect=0.0) == pytest.approx(-0.5)
    assert math.isnan(skill_score([0.3], [0.0, 0.0], perfect=0.0))
    assert math.isnan(skill_score([np.nan], [1.0], perfect=0.0))


# --------------------------------------------------------------------------
# paired test
# --------------------------------------------------------------------------


def _scipy_paired_p(a, b):
    res = stats.permutation_test(
        (a, b),
        lambda x, y, axis: np.mean(x - y, axis=axis),
        vectorized=True,
        permutation_type="samples",
        n_resamples=np.inf,
        alternative="two-sided",
    )
    return res.pvalue


def test_paired_test_exact_matches_scipy_permutation_test():
    rng = np.random.default_rng(1)
    a = rng.normal(0.3, 1.0, size=13)
    b = rng.normal(0.0, 1.0, size=13)
    res = paired_test(a, b)
    assert res.method == "exact sign-flip permutation"
    assert res.mc_se == 0.0
    assert res.p_value == pytest.approx(_scipy_paired_p(a, b), rel=1e-12)
    assert res.n == 13 and res.mean_difference == pytest.approx(np.mean(a - b))


def test_paired_test_exact_with_ties_matches_scipy():
    # integer differences make many sign patterns tie with the observed sum
    a = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8], float)
    b = np.array([2, 1, 3, 2, 5, 7, 2, 4, 6, 3, 4, 7], float)
    res = paired_test(a, b)
    assert (res.n_positive, res.n_negative, res.n_ties) == (6, 2, 4)
    assert res.p_value == pytest.approx(_scipy_paired_p(a, b), rel=1e-12)


def test_paired_test_small_case_by_hand():
    a = [0.9, 0.8, 0.7, 0.95, 0.6]
    b = [0.5, 0.6, 0.75, 0.55, 0.4]
    # differences (0.4, 0.2, -0.05, 0.4, 0.2), sum 1.15. Of the 32 sign patterns
    # only all-plus (1.15), flipping -0.05 (1.25) and their mirrors reach |sum| >= 1.15:
    # p = 4/32 = 0.125.  Sign test: 4 of 5 positive -> 2 * (5 + 1)/32 = 0.375
    res = paired_test(a, b)
    assert res.p_value == 0.125
    assert res.sign_test_p == pytest.approx(0.375)
    assert (res.n_positive, res.n_negative, res.n_ties) == (4, 1, 0)
    assert res.reading.startswith("model A beat B in 4 of 5 pairs (lost 1, tied 0)")
    assert "p = 0.125 (exact, n = 5): a small sample" in res.reading
    assert "cannot go below 0.0625" in res.reading
    flipped = paired_test(a, b, higher_is_better=False, labels=("new", "old"))
    assert flipped.reading.startswith("model new beat old in 1 of 5 pairs (lost 4, tied 0)")
    assert flipped.p_value == res.p_value
    # many ties: exact even though n > 20, and the attainable-p warning still shows
    few = paired_test([1.0, 2.0, 3.0] + [0.0] * 22, [0.0] * 25)
    assert few.method == "exact sign-flip permutation"
    assert few.p_value == 0.25  # 3 differing pairs: only (+,+,+) and (-,-,-) of 8 reach |6|
    assert few.reading.endswith(": with 3 differing pairs p cannot go below 0.25")


def test_paired_test_all_ties_and_validation():
    res = paired_test([1.0, 2.0], [1.0, 2.0])
    assert (res.p_value, res.sign_test_p, res.n_ties) == (1.0, 1.0, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.p_value = 0.0  # type: ignore[misc]
    assert isinstance(res, PairedTestResult)
    with pytest.raises(ValueError, match="equal"):
        paired_test([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="method"):
        paired_test([1.0], [2.0], method="bootstrap")
    with pytest.raises(ValueError, match="monte_carlo"):
        paired_test(np.arange(1.0, 32.0), np.zeros(31), method="exact")


def test_paired_test_switches_to_monte_carlo_and_agrees_with_exact():
    rng = np.random.default_rng(6)
    d = rng.normal(0.4, 1.0, size=25)
    res = paired_test(d, np.zeros(25), draws=20_000, seed=1)
    assert res.method == "Monte Carlo sign-flip permutation"
    assert res.mc_se == pytest.approx(math.sqrt(res.p_value * (1 - res.p_value) / 20_000))
    assert "Monte Carlo" in res.reading and "small sample" not in res.reading
    # same seed, same answer
    assert paired_test(d, np.zeros(25), draws=20_000, seed=1).p_value == res.p_value

    d12 = d[:12]
    exact = paired_test(d12, np.zeros(12))
    mc = paired_test(d12, np.zeros(12), method="monte_carlo", draws=100_000, seed=3)
    assert abs(mc.p_value - exact.p_value) < 4 * mc.mc_se + 1e-5


def test_paired_test_p_values_uniform_under_null():
    rng = np.random.default_rng(12345)
    exact_p = [paired_test(rng.normal(size=10), rng.normal(size=10)).p_value for _ in range(300)]
    mc_p = [
        paired_test(rng.normal(size=25), rng.normal(size=25), draws=999, seed=i).p_value
        for i in range(300)
    ]
    assert stats.kstest(exact_p, "uniform").pvalue > 0.01
    assert stats.kstest(mc_p, "uniform").pvalue > 0.01
    # and the test is not blind: a real shift is detected most of the time
    shifted = [paired_test(rng.normal(1.3, 1.0, size=10), np.zeros(10)).p_value for _ in range(50)]
    assert np.mean(np.array(shifted) < 0.05) > 0.7


# --------------------------------------------------------------------------
# reliability table
# --------------------------------------------------------------------------


def test_reliability_table_hand_values():
    t = reliability_table([0.1, 0.2, 0.7, 0.9, 0.8], [0, 0, 1, 1, 0], bins=2)
    assert list(t.columns) == [
        "bin_low", "bin_high", "n", "mean_forecast", "observed_rate", "band_low", "band_high",
    ]
    np.testing.assert_allclose(t["n"], [2, 3])
    # bin [0, 0.5): forecasts 0.1, 0.2 -> mean 0.15, 0 of 2 occurred.
    #   Binomial(2, 0.15): P(0) = 0.7225, P(<=1) = 0.9775
    #   -> 5% / 95% quantiles 0, 1 -> band [0, 0.5]
    # bin [0.5, 1]: 0.7, 0.9, 0.8 -> mean 0.8, 2 of 3.
    #   Binomial(3, 0.8): P(0) = 0.008, P(<=1) = 0.104, P(<=2) = 0.488 -> quantiles 1, 3 -> [1/3, 1]
    np.testing.assert_allclose(t["mean_forecast"], [0.15, 0.8])
    np.testing.assert_allclose(t["observed_rate"], [0.0, 2 / 3])
    np.testing.assert_allclose(t["band_low"], [0.0, 1 / 3])
    np.testing.assert_allclose(t["band_high"], [0.5, 1.0])


def test_reliability_table_empty_bins_and_edges():
    t = reliability_table(
        [0.05, 0.5, 1.0, 0.25], [False, True, True, False], bins=[0, 0.25, 0.5, 0.75, 1]
    )
    # 0.25 and 0.5 sit on edges and go to the bin they open; 1.0 goes to the last (closed) bin
    np.testing.assert_array_equal(t["n"], [1, 1, 1, 1])
    t = reliability_table([0.05, 0.1, 0.95], [False, False, True], bins=4)
    np.testing.assert_array_equal(t["n"], [2, 0, 0, 1])
    empty = t.iloc[1:3]
    assert empty[["mean_forecast", "observed_rate", "band_low", "band_high"]].isna().all().all()
    assert isinstance(t, pd.DataFrame)
    with pytest.raises(ValueError, match="covering"):
        reliability_table([0.05, 0.95], [0, 1], bins=[0.1, 0.5, 1.0])
    with pytest.raises(ValueError, match="band"):
        reliability_table([0.5], [1], band=1.5)


def _inside_band(table):
    rate = table["observed_rate"]
    return int(((rate >= table["band_low"]) & (rate <= table["band_high"])).sum())


def test_reliability_bands_hold_about_band_fraction_when_calibrated():
    rng = np.random.default_rng(99)
    inside, total, inside_bad = 0, 0, 0
    for _ in range(60):
        p = rng.uniform(size=2000)
        occurred = rng.uniform(size=2000) < p
        t = reliability_table(p, occurred, bins=10, band=0.9)
        inside += _inside_band(t)
        total += len(t)
        # overconfident forecaster: events happen with probability 0.5 + 0.6 (p - 0.5)
        bad = rng.uniform(size=2000) < 0.5 + 0.6 * (p - 0.5)
        inside_bad += _inside_band(reliability_table(p, bad, bins=10, band=0.9))
    rate = inside / total
    # discrete quantiles and within-bin spread of p make the bands mildly conservative
    assert 0.88 <= rate <= 0.97
    assert inside_bad / total < 0.5


# ------------------------------------------------------------------ without scipy.stats (the report's path)


def test_sign_test_matches_scipy_binomtest():
    from drillcast.evaluation.comparison import sign_test_p

    for m in range(1, 30):
        for k in range(m + 1):
            assert sign_test_p(k, m) == pytest.approx(stats.binomtest(k, m, 0.5).pvalue, abs=1e-12), (k, m)


def test_binomial_quantile_matches_scipy():
    from drillcast.evaluation.calibration import _binom_ppf

    rng = np.random.default_rng(1)
    for _ in range(500):
        n, p = int(rng.integers(1, 80)), float(rng.random())
        for q in (0.05, 0.5, 0.95):
            assert _binom_ppf(q, n, p) == stats.binom.ppf(q, n, p), (q, n, p)


def test_reliability_rows_are_the_table():
    from drillcast.evaluation.calibration import reliability_rows

    rng = np.random.default_rng(2)
    p, occ = rng.random(60), rng.random(60) < 0.4
    table = scoring.reliability_table(p, occ, bins=5)
    rows = reliability_rows(p, occ, np.linspace(0.0, 1.0, 6))
    for col, values in rows.items():
        np.testing.assert_array_equal(np.asarray(values, dtype=float), table[col].to_numpy(dtype=float))
