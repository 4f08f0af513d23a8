"""Permutation p-values: exact (enumerated) and Monte Carlo, and the enumerations behind them.

Monte Carlo p-values are ``(1 + #{T* >= t}) / (B + 1)``, never zero (Davison
& Hinkley 1997, ch. 4); the randomised versions are exactly uniform under H0.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from drillcast.hypotheses.result import EXACT_LIMIT


def _lgamma_table(base: float, size: int) -> np.ndarray:
    """``lnGamma(base + j)`` for j = 0..size, a lookup table for integer counts."""
    return np.array([math.lgamma(base + j) for j in range(int(size) + 1)])


def _logmeanexp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(mean(exp(a)))`` along ``axis``, without overflow."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = m + np.log(np.mean(np.exp(a - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def _mc_p(null: np.ndarray, obs, tol: float = 1e-9) -> np.ndarray:
    """Monte Carlo p-value ``(1 + #{null >= obs}) / (B + 1)`` for each obs (vectorised)."""
    null = np.sort(np.asarray(null, float))
    obs = np.atleast_1d(np.asarray(obs, float))
    ge = null.size - np.searchsorted(null, obs - tol * np.maximum(1.0, np.abs(obs)), side="left")
    return (1.0 + ge) / (null.size + 1.0)


def _mc_p_randomised(null: np.ndarray, obs: float, rng, tol: float = 1e-9) -> float:
    """Randomised Monte Carlo p-value: ``(#{>} + U (#{=} + 1)) / (B + 1)``, uniform under H0."""
    t = tol * max(1.0, abs(obs))
    gt = np.sum(null > obs + t)
    eq = np.sum(np.abs(null - obs) <= t)
    return float((gt + rng.random() * (eq + 1)) / (null.size + 1))


def _exact_p(values: np.ndarray, logw: np.ndarray, obs: float, rng, tol: float = 1e-9):
    """p = P(T >= obs) and its randomised version from an enumerated distribution."""
    w = np.exp(logw - logw.max())
    w /= w.sum()
    t = tol * max(1.0, abs(obs))
    gt = w[values > obs + t].sum()
    eq = w[np.abs(values - obs) <= t].sum()
    return float(min(1.0, gt + eq)), float(gt + rng.random() * eq), float(np.dot(w, values))


def _perm_index(B: int, n: int, rng) -> np.ndarray:
    """B random permutations of range(n), one per row (argsort of uniform keys)."""
    return rng.random((B, n), dtype=np.float32).argsort(axis=1)


def _compositions(m: int, c: int) -> np.ndarray:
    """All ways to write m as an ordered sum of c non-negative integers, shape (Q, c)."""
    if c == 1:
        return np.array([[m]])
    out = []
    for bars in itertools.combinations(range(m + c - 1), c - 1):
        prev = -1
        row = []
        for b in bars:
            row.append(b - prev - 1)
            prev = b
        row.append(m + c - 1 - prev - 1)
        out.append(row)
    return np.array(out, dtype=np.int64)


def _enumerate_tables(row_sizes, col_totals, limit: int = EXACT_LIMIT):
    """All tables with the given margins and their log-probabilities under random allocation.

    Under H0 (outcomes exchangeable) the residue-by-outcome table of a
    random permutation is multivariate hypergeometric:
    ``P(N) = prod_r m_r! prod_c c_c! / (n! prod_rc N_rc!)``. Returns
    ``(tables (M, R, C), logp (M,))`` or None if the enumeration would exceed
    ``limit`` candidate cells.
    """
    rows = [int(m) for m in row_sizes]
    col = np.asarray(col_totals, dtype=np.int64)
    n = int(col.sum())
    lgf = _lgamma_table(1.0, n)  # ln k!
    rem = col[None, :].copy()
    tab = np.zeros((1, 0, col.size), dtype=np.int16)
    logw = np.zeros(1)
    for r, m in enumerate(rows):
        if r == len(rows) - 1:
            comp = rem
            tab = np.concatenate([tab, comp[:, None, :].astype(np.int16)], axis=1)
            logw = logw - lgf[comp].sum(1)
            break
        comps = _compositions(m, col.size)
        if rem.shape[0] * comps.shape[0] * col.size > limit:
            return None
        ok = (comps[None, :, :] <= rem[:, None, :]).all(-1)
        mi, qi = np.nonzero(ok)
        rem = rem[mi] - comps[qi]
        tab = np.concatenate([tab[mi], comps[qi][:, None, :].astype(np.int16)], axis=1)
        logw = logw[mi] - lgf[comps[qi]].sum(1)
    const = sum(lgf[m] for m in rows) + lgf[col].sum() - lgf[n]
    return tab, logw + const


def _n_arrangements(values) -> int:
    """Number of distinct arrangements of a multiset: ``n! / prod_v count_v!``."""
    _, counts = np.unique(np.asarray(values), return_counts=True)
    total = math.factorial(int(counts.sum()))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def _multiset_permutations(values, limit: int = EXACT_LIMIT):
    """Every distinct arrangement of ``values`` (equally likely under exchangeability).

    Returns an array (M, n), or None if M * n would exceed ``limit``.
    """
    values = np.asarray(values)
    n = values.size
    if _n_arrangements(values) * max(n, 1) > limit:
        return None
    vals, counts = np.unique(values, return_counts=True)
    out = np.empty((1, n), dtype=values.dtype)
    free = np.arange(n)[None, :]
    for v, c in zip(vals, counts):
        nf = free.shape[1]
        combos = np.array(list(itertools.combinations(range(nf), int(c))), dtype=np.intp).reshape(-1, int(c))
        q, m = combos.shape[0], out.shape[0]
        out = np.repeat(out, q, axis=0)
        chosen = free[:, combos].reshape(m * q, int(c))
        np.put_along_axis(out, chosen, v, axis=1)
        keep = np.ones((q, nf), dtype=bool)
        keep[np.arange(q)[:, None], combos] = False
        free = np.repeat(free[:, None, :], q, axis=1)[:, keep].reshape(m * q, nf - int(c))
    return out
