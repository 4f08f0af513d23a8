"""Running tests by name: :func:`run_test`, :func:`run_battery` (with multiplicity correction), :func:`power_curve`.

The top of :mod:`drillcast.hypotheses`: every argument is checked here once,
then the tests' private implementations run on the checked values.
"""

from __future__ import annotations

from dataclasses import replace

from drillcast.errors import ParameterError
from drillcast.hypotheses._checks import (ALIASES, STREAM, _check_alpha, _check_choice, _check_draws, _check_name,
                                          _parse_order, _rng)
from drillcast.hypotheses.breaks import _break_history
from drillcast.hypotheses.compare import _check_hypotheses, _compare_history
from drillcast.hypotheses.multiplicity import CORRECTIONS, adjust_pvalues
from drillcast.hypotheses.participation import _check_participant, _participation_history
from drillcast.hypotheses.period import _period_history
from drillcast.hypotheses.result import TEST_NAMES, TestResult
from drillcast.hypotheses.rotation import _rotation_history
from drillcast.hypotheses.seasonality import _check_kind, _parse_hypothesis_date, _seasonality_history
from drillcast.hypotheses.trend import _trend_history

__all__ = ["run_test", "run_battery", "power_curve"]


def run_test(name, history, *, order=None, alpha=0.05, draws=None, seed=0, hypothesis_date=None,
             participant=None, hypotheses=None, power=True) -> TestResult:
    """Run one test by name on a series' history (the command line's entry point).

    Parameters
    ----------
    name : {"rotation", "period", "compare", "break", "seasonality", "trend", "participation"}
        Also ``rayleigh``, ``v-test``, ``kuiper`` (seasonality with that test).
    history : SeriesHistory
    order : str or sequence of str, optional
        Claimed cyclic order for ``rotation`` / ``compare`` ("a,b,c,d").
    alpha : float
    draws : int, optional
        Monte Carlo draws (default 10 000; 2 000 for ``break``).
    seed : int
    hypothesis_date : date, str or int, optional
        Hypothesised date for the V-test ("september", "09-15").
    participant : str, optional
        ISO3 code for ``participation``.
    hypotheses : dict or list, optional
        Hypotheses for ``compare`` (see :func:`compare_test_labels`).
    power : bool

    Raises
    ------
    ParameterError
        Unknown test (``name``), unknown direction in ``order``, bad ``alpha``,
        ``draws``, ``seed``, ``hypothesis_date``, ``participant`` or ``hypotheses``. A test that does not apply
        to the series is not an error: its result has ``skipped`` set.
    """
    key = _check_name(name, "name")
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    _rng(seed)
    order = _parse_order(order, history.info.directions if history.info.rotating else ())
    mu = _parse_hypothesis_date(hypothesis_date)
    if hypotheses is not None:
        hypotheses = _check_hypotheses(hypotheses)
    if _base(key) == "participation":
        participant = _check_participant(history, participant)
    kind = _check_kind(_kind(key), mu) if _base(key) == "seasonality" else None
    return _run(key, history, order=order, alpha=alpha, draws=draws, seed=seed, mu=mu, kind=kind,
                participant=participant, hypotheses=hypotheses, power=power)


def _base(key: str) -> str:
    """The test a checked name runs (``v-test`` runs ``seasonality``)."""
    return ALIASES.get(key, (key, None))[0]


def _kind(key: str) -> str | None:
    """The seasonality test a checked name asks for (``v-test``: ``v``), or None for the default."""
    return ALIASES.get(key, (key, None))[1]


def _run(key, history, *, order, alpha, draws, seed, mu, kind, participant=None, hypotheses=None,
         power=True) -> TestResult:
    """:func:`run_test` on checked arguments, with the test's own random stream."""
    base = _base(key)
    rng = _rng(seed, STREAM[base])
    if base == "rotation":
        return _rotation_history(history, order, alpha=alpha, draws=draws, rng=rng, power=power)
    if base == "period":
        return _period_history(history, alpha=alpha, draws=draws, rng=rng, power=power)
    if base == "compare":
        return _compare_history(history, hypotheses, order=order, alpha=alpha, rng=rng, power=power)
    if base == "break":
        return _break_history(history, alpha=alpha, draws=draws, rng=rng, power=power)
    if base == "seasonality":
        return _seasonality_history(history, mu, kind, alpha=alpha, draws=draws, rng=rng, power=power)
    if base == "trend":
        return _trend_history(history, alpha=alpha, draws=draws, rng=rng, power=power)
    return _participation_history(history, participant, alpha=alpha, rng=rng, power=power)


def power_curve(test, history, *, alpha=0.05, seed=0, n_future=range(0, 21)) -> dict:
    """Power of one test on a series against future years (or events), for plots.

    Runs the test once without power (to learn n and whether it applies),
    then with the power evaluated at ``n + k`` for each k in ``n_future``.

    Returns
    -------
    dict
        ``{"n_future": [k, ...], "power": [...], "n": n, "unit": ..., "alternative": ...,
        "n_for_80": ..., "reading": ...}``.

    Raises
    ------
    ParameterError
        (``test``) if the test does not apply to the series or reports no power.
    """
    key = _check_name(test, "test")
    alpha = _check_alpha(alpha)
    _rng(seed)
    kind = _check_kind(_kind(key), None) if _base(key) == "seasonality" else None
    first = _run(key, history, order=None, alpha=alpha, draws=None, seed=seed, mu=None, kind=kind, power=False)
    if first.skipped:
        raise ParameterError("test", f"the {test} test does not apply to {history.info.id}: {first.skipped}")
    n = first.n
    ks = [int(k) for k in n_future if n + int(k) >= 2]
    res = _run(key, history, order=None, alpha=alpha, draws=None, seed=seed, mu=None, kind=kind,
               power=[n + k for k in ks])
    curve = res.details.get("power_curve") or {}
    if not curve:
        raise ParameterError("test", f"the {test} test reports no power for {history.info.id}")
    ks = [k for k in ks if n + k in curve]
    return {"n_future": ks, "power": [float(curve[n + k]) for k in ks], "n": n,
            "unit": res.details.get("unit", "years"), "alternative": res.power_alternative,
            "n_for_80": res.n_for_80, "reading": res.reading}


def run_battery(history, tests=TEST_NAMES, alpha=0.05, correction="holm", draws=None, seed=0, *, order=None,
                hypothesis_date=None, power=True) -> list[TestResult]:
    """Run several tests on one series and correct their p-values for multiplicity.

    Each test runs as in :func:`run_test` (same seeds, so the same results).
    ``participation`` runs once per regular participant. Tests that do not
    apply are kept, with ``skipped`` set and ``p_value`` None. The p-values
    of the tests that ran (``compare`` has none) are adjusted together by
    ``correction`` ("holm", default, or "bh") and stored in ``p_adjusted``;
    ``details["correction"]`` records the method and family size.

    Returns
    -------
    list of TestResult
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    _rng(seed)
    _check_choice("correction", correction, CORRECTIONS)
    if isinstance(tests, str):
        tests = [tests]
    names = [_check_name(t, "tests") for t in tests]
    order = _parse_order(order, history.info.directions if history.info.rotating else ())
    mu = _parse_hypothesis_date(hypothesis_date)
    kinds = {key: _check_kind(_kind(key), mu) for key in names if _base(key) == "seasonality"}
    results: list[TestResult] = []
    for key in names:
        if key == "participation" and len(history.info.regular_participants) > 1:
            for i, c in enumerate(history.info.regular_participants):
                rng_i = _rng(seed, STREAM["participation"], i)
                results.append(_participation_history(history, c, alpha=alpha, rng=rng_i, power=power))
            continue
        results.append(_run(key, history, order=order, alpha=alpha, draws=draws, seed=seed, mu=mu,
                            kind=kinds.get(key), power=power))
    idx = [i for i, r in enumerate(results) if r.p_value is not None]
    if idx:
        adj = adjust_pvalues([results[i].p_value for i in idx], correction)
        for i, a in zip(idx, adj):
            d = dict(results[i].details, correction={"method": correction, "family_size": len(idx)})
            results[i] = replace(results[i], p_adjusted=float(a), details=d)
    return results
