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
Errors
    A bad argument raises :class:`drillcast.errors.ParameterError` naming the
    Python parameter (``alpha``, ``draws``, ``seed``, ``order``,
    ``hypothesis_date``, ...). Arguments are checked once, where they enter:
    :func:`run_test`, :func:`run_battery`, :func:`power_curve` and each public
    test function.
Imports
    The package imports numpy only; scipy and statsmodels are imported inside
    the functions that need them.

Modules, each importing only those above it in this list: :mod:`.result`
(:class:`TestResult`, shared constants), :mod:`._checks` (argument checks),
:mod:`._labels`, :mod:`._permutation` (exact and Monte Carlo p-values),
:mod:`.power`, :mod:`.wording` (the English of the readings), :mod:`._spec`
(the hypothesis language), the tests (:mod:`.rotation`, :mod:`.period`,
:mod:`.compare`, :mod:`.breaks`, :mod:`.seasonality`, :mod:`.trend`,
:mod:`.participation`), :mod:`.multiplicity` and :mod:`.battery`.
"""

from drillcast.hypotheses.battery import power_curve, run_battery, run_test
from drillcast.hypotheses.breaks import break_test, break_test_counts, break_test_labels
from drillcast.hypotheses.compare import compare_test, compare_test_labels
from drillcast.hypotheses.multiplicity import adjust_pvalues
from drillcast.hypotheses.participation import participation_test, participation_test_binary
from drillcast.hypotheses.period import period_test, period_test_labels
from drillcast.hypotheses.result import TEST_NAMES, TestResult, results_frame
from drillcast.hypotheses.rotation import rotation_test, rotation_test_labels
from drillcast.hypotheses.seasonality import kuiper_test_angles, rayleigh_test_angles, seasonality_test, v_test_angles
from drillcast.hypotheses.trend import trend_test, trend_test_counts

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
