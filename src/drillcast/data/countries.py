"""ISO 3166-1 alpha-3 country codes, with codes for former states.

Current codes are those of ISO 3166-1 as :mod:`pycountry` ships them. Former
states that military-exercise datasets still name use their ISO 3166-3 alpha-3
codes (:data:`HISTORICAL`: SUN Soviet Union, DDR German Democratic Republic,
YUG Yugoslavia, CSK Czechoslovakia, SCG Serbia and Montenegro, YMD South Yemen,
ZAR Zaire; each is in ``pycountry.historic_countries``), and Kosovo has
``XKX``, the user-assigned code used by the EU and the IMF.

pycountry is imported on first use, not with this module, so that ``drillcast
--help`` stays light. ``CURRENT`` and ``CODES`` are computed then, once.
"""

from __future__ import annotations

import functools

__all__ = ["CODES", "CURRENT", "HISTORICAL", "USER_ASSIGNED", "is_code"]

HISTORICAL = frozenset({"SUN", "DDR", "YUG", "CSK", "SCG", "YMD", "ZAR"})
"""Former states drillcast stores under their ISO 3166-3 alpha-3 code (a choice: other
renamed states, such as Burma, are stored under their current code)."""

USER_ASSIGNED = frozenset({"XKX"})
"""Codes outside ISO 3166 in common use: XKX Kosovo (EU, IMF)."""


@functools.lru_cache(maxsize=None)
def _current() -> frozenset:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


@functools.lru_cache(maxsize=None)
def _codes() -> frozenset:
    return _current() | HISTORICAL | USER_ASSIGNED


def __getattr__(name: str):
    # CURRENT and CODES are module attributes computed on first access (PEP 562)
    if name == "CURRENT":
        return _current()
    if name == "CODES":
        return _codes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_code(code: str) -> bool:
    """True if ``code`` is a current ISO 3166-1 alpha-3 code, a former state's (:data:`HISTORICAL`) or XKX."""
    return code in _codes()
