"""Multiplicity: adjusted p-values for a family of tests (Holm, Benjamini-Hochberg)."""

from __future__ import annotations

import numpy as np

from drillcast.errors import ParameterError

__all__ = ["adjust_pvalues"]

CORRECTIONS = ("holm", "bh")
"""Corrections :func:`adjust_pvalues` and :func:`~drillcast.hypotheses.run_battery` accept."""


def adjust_pvalues(pvalues, method: str = "holm") -> np.ndarray:
    """Multiplicity-adjusted p-values.

    ``holm``: Holm's step-down, ``p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``
    (family-wise error). ``bh``: Benjamini-Hochberg step-up,
    ``p~_(i) = min_{j >= i} min(1, m p_(j) / j)`` (false discovery rate).
    Same values as ``statsmodels.stats.multitest.multipletests`` with
    ``holm`` / ``fdr_bh``.

    References
    ----------
    Holm, S. (1979). Scand. J. Statist. 6, 65-70. Benjamini, Y. & Hochberg, Y.
    (1995). JRSS B 57, 289-300.
    """
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    out = np.empty(m)
    if m == 0:
        return out
    if method == "holm":
        order = np.argsort(p, kind="stable")
        out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    elif method in ("bh", "fdr_bh"):
        order = np.argsort(p, kind="stable")[::-1]
        ranks = m - np.arange(m)
        out[order] = np.minimum(1.0, np.minimum.accumulate(m / ranks * p[order]))
    else:
        raise ParameterError("method", f"{method!r} is not a correction; give 'holm' (family-wise) or 'bh' "
                                       "(Benjamini-Hochberg, false discovery rate)")
    return out
