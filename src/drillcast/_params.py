"""Checks of parameters shared by several layers (standard library only)."""

from __future__ import annotations

from drillcast.errors import ParameterError

__all__ = ["HORIZON_MAX", "check_horizon"]

HORIZON_MAX = 50  # years; a longer horizon says nothing the cycle does not


def check_horizon(horizon, *, parameter: str = "horizon") -> int:
    """``horizon`` as an int in 1..:data:`HORIZON_MAX`, or ParameterError."""
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= HORIZON_MAX:
        raise ParameterError(parameter, f"{horizon!r} is not allowed; give a whole number of years from 1 to "
                                        f"{HORIZON_MAX}")
    return horizon
