"""Checks of the arguments users give the tests, each raising :class:`~drillcast.errors.ParameterError`.

The public entry points (:func:`~drillcast.hypotheses.run_test`,
:func:`~drillcast.hypotheses.run_battery`, the history-level tests and their
array-level twins) call these once; the private implementations below them
take checked values and do not check again.
"""

from __future__ import annotations

from drillcast._words import plural

import numpy as np

from drillcast.errors import ParameterError, did_you_mean
from drillcast.hypotheses.result import DEFAULT_DRAWS, TEST_NAMES

STREAM = {name: i for i, name in enumerate(TEST_NAMES)}
"""Random stream of each test (``default_rng([seed, STREAM[name]])``)."""

ALIASES = {"rayleigh": ("seasonality", "rayleigh"), "v-test": ("seasonality", "v"),
           "kuiper": ("seasonality", "kuiper")}
"""Test names that select one seasonality test: name -> (test, kind)."""


def _check_alpha(alpha) -> float:
    """``alpha`` as a float in (0, 1)."""
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        a = float("nan")
    if isinstance(alpha, bool) or not 0.0 < a < 1.0:
        raise ParameterError("alpha", f"{alpha!r} is not allowed; give a significance level between 0 and 1, "
                                      "e.g. 0.05")
    return a


def _check_draws(draws) -> int | None:
    """``draws`` unchanged if None (the test's default applies) or a positive whole number."""
    if draws is None:
        return None
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ParameterError("draws", f"{draws!r} is not allowed; give a positive whole number of Monte Carlo "
                                      f"draws, e.g. {DEFAULT_DRAWS}")
    return int(draws)


def _rng(seed, *stream: int) -> np.random.Generator:
    """``default_rng([seed, *stream])``; a Generator passed as ``seed`` is used as it is."""
    if isinstance(seed, np.random.Generator):
        return seed
    from drillcast._params import check_seed

    return np.random.default_rng([check_seed(seed), *(int(k) for k in stream or (0,))])


def _seed_int(rng: np.random.Generator) -> int:
    """A child seed for power simulations (so they are reproducible per n)."""
    return int(rng.integers(2**31))


def _check_choice(parameter: str, value, choices) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ParameterError(parameter, f"{value!r} is not allowed{did_you_mean(str(value), choices)}; "
                                        f"give {' or '.join(repr(c) for c in choices)}")
    return value


def _parse_order(order, directions) -> list[str] | None:
    """A user's cyclic order (comma-separated text or a sequence), checked against the series' directions."""
    if order is None:
        return None
    if isinstance(order, str):
        items = [s.strip() for s in order.split(",") if s.strip()]
    else:
        items = [str(s).strip() for s in order]
    valid = list(directions)
    if not valid:
        raise ParameterError("order", "this series is not rotating, so it has no directions to order; "
                                      "leave the order out")
    by_lower = {v.lower(): v for v in valid}
    for d in items:
        if d.lower() not in by_lower:
            raise ParameterError(
                "order", f"unknown direction {d!r}{did_you_mean(d, valid)}; give a comma-separated "
                f"list of the series' directions: {', '.join(valid)}"
            )
    items = [by_lower[d.lower()] for d in items]
    dup = sorted({d for d in items if items.count(d) > 1})
    example = ",".join(valid)
    if dup:
        raise ParameterError("order", f"direction {dup[0]!r} appears twice; name each direction once, e.g. {example}")
    if len(items) < 2:
        raise ParameterError("order", f"{plural(len(items), 'direction')} given; a cycle needs at least two, e.g. {example}")
    return items


def _check_name(name, parameter: str = "name") -> str:
    """A test name (lower case), one of :data:`TEST_NAMES` or an alias such as ``v-test``."""
    key = str(name).strip().lower()
    if key not in TEST_NAMES and key not in ALIASES:
        valid = list(TEST_NAMES)
        raise ParameterError(parameter, f"unknown test {name!r}{did_you_mean(key, valid)}; give one of: "
                                        f"{', '.join(valid)}")
    return key
