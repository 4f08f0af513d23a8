"""Power by simulation: the search for the n giving 80 % power, and the simulators of cycle alternatives.

Every test reports its power at the observed n against a stated alternative
(:data:`~drillcast.hypotheses.result.POWER_SIMS` simulated data sets) and
``n_for_80``, found by bisection over n up to ``n + N_CAP``. The power curve
of a test on a series is :func:`drillcast.hypotheses.power_curve`.
"""

from __future__ import annotations

import math

import numpy as np

from drillcast.hypotheses.result import N_CAP, POWER_TARGET


def _grid(power):
    """Extra n at which to evaluate the power: ``power`` may be a bool or a sequence of total n."""
    if isinstance(power, (bool, np.bool_)) or power is None:
        return ()
    return tuple(int(v) for v in power)


def _power_search(power_at, n_obs: int, n_min: int, cap: int = N_CAP, target: float = POWER_TARGET, grid=()):
    """Power at ``n_obs`` and the smallest n with power >= target (bisection, power assumed monotone).

    ``grid``: further total n to evaluate (for power curves). Returns
    ``(power, n_for_target or None, curve {n: power})``.
    """
    curve: dict[int, float] = {}

    def f(n):
        if n not in curve:
            curve[n] = float(power_at(n))
        return curve[n]

    for m in grid:
        if m >= n_min:
            f(m)
    p_obs = f(n_obs)
    if p_obs >= target:
        lo, hi = n_min, n_obs
        if f(lo) >= target:
            return p_obs, lo, curve
    else:
        lo, hi = n_obs, n_obs + cap
        if f(hi) < target:
            return p_obs, None, curve
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if f(mid) >= target:
            hi = mid
        else:
            lo = mid
    return p_obs, hi, curve


def _power_details(curve, n, n80, sims) -> dict:
    """The power entries of a result's details: the curve, its simulation size and standard error."""
    return {
        "power_curve": {int(k): round(v, 4) for k, v in sorted(curve.items())},
        "power_sims": sims,
        "power_se": round(math.sqrt(max(curve[n] * (1 - curve[n]), 1e-12) / sims), 4) if n in curve else None,
        "n_more_for_80": None if n80 is None else max(0, n80 - n),
        "n_for_80_cap": n + N_CAP,
    }


def _sim_cycle(D: int, n: int, pattern, q: float, miss_rate: float, miss_code: int, rng) -> np.ndarray:
    """Noisy cycles: position t shows ``pattern[(t + phase) % L]`` with probability q,
    otherwise another entry of the pattern; with probability ``miss_rate`` the
    year shows ``miss_code`` instead. One random phase per data set."""
    pattern = np.asarray(pattern)
    L = pattern.size
    phase = rng.integers(L, size=(D, 1))
    pos = (np.arange(n)[None, :] + phase) % L
    u = rng.random((D, n))
    v = rng.random((D, n))
    shift = 1 + rng.integers(L - 1, size=(D, n)) if L > 1 else 0
    out = np.where(v < q, pattern[pos], pattern[(pos + shift) % L])
    return np.where(u < miss_rate, miss_code, out)
