"""Input checks of the scoring functions (the boundary: the arithmetic after them trusts its inputs)."""

from __future__ import annotations

import numpy as np

# Rows of probabilities must sum to 1 within this. Loose enough for float32
# softmax output over a few hundred classes, tight enough to catch raw counts,
# percentages or a dropped class.
_SUM_TOL = 1e-5


def _as_probs(probs, name: str = "probs") -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array of shape (n, K); got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(
        np.abs(p.sum(axis=1) - 1.0) > _SUM_TOL
    ):
        raise ValueError(
            f"{name} must hold finite, non-negative rows that each sum to 1 "
            f"(tolerance {_SUM_TOL:g})"
        )
    return p


def _as_index(observed, n: int, size: int, name: str = "observed") -> np.ndarray:
    obs = np.asarray(observed)
    if obs.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the forecasts; got {obs.shape}")
    if obs.dtype.kind not in "iu":
        # integer-valued floats (e.g. from a pandas column) are accepted
        if obs.dtype.kind != "f" or not np.all(np.isfinite(obs)) or np.any(obs != np.round(obs)):
            raise ValueError(f"{name} must hold integer indices; got dtype {obs.dtype}")
    obs = obs.astype(np.intp)
    if n and (obs.min() < 0 or obs.max() >= size):
        raise ValueError(
            f"{name} must lie in [0, {size}); got values in [{obs.min()}, {obs.max()}]"
        )
    return obs


def _as_binary(p, occurred) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=float)
    occ = np.asarray(occurred)
    if p.shape != occ.shape:
        raise ValueError(f"p and occurred must have the same shape; got {p.shape} and {occ.shape}")
    if not np.all((p >= 0) & (p <= 1)) or not np.all((occ == 0) | (occ == 1)):
        raise ValueError("p must lie in [0, 1] and occurred must be boolean (or 0/1)")
    return p, occ.astype(bool)
