"""Checks of parameters shared by several layers (standard library only)."""

from __future__ import annotations

from drillcast.errors import ParameterError

__all__ = ["HORIZON_MAX", "SEED_MAX", "check_horizon", "check_seed"]

HORIZON_MAX = 50  # years; a longer horizon says nothing the cycle does not
SEED_MAX = 2**32 - 1  # seeds are 32-bit unsigned everywhere (numpy SeedSequence entropy, reproducible)


def check_horizon(horizon, *, parameter: str = "horizon") -> int:
    """``horizon`` as an int in 1..:data:`HORIZON_MAX`, or ParameterError."""
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= HORIZON_MAX:
        raise ParameterError(parameter, f"{horizon!r} is not allowed; give a whole number of years from 1 to "
                                        f"{HORIZON_MAX}")
    return horizon


def check_seed(seed, *, parameter: str = "seed") -> int:
    """``seed`` as an int in 0..:data:`SEED_MAX`, or ParameterError."""
    import numbers

    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) <= SEED_MAX:
        raise ParameterError(parameter, f"{seed!r} is not allowed; give a whole number from 0 to {SEED_MAX} "
                                        "(2**32 - 1)")
    return int(seed)
