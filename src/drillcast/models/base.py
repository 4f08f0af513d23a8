"""The shared base of every outcome model, baselines included.

An outcome model predicts, for each future year, a probability over the
series' outcome labels (its directions, ``other`` and ``none`` for a rotating
series; ``held`` and ``none`` otherwise). Every model:

- takes its settings in the constructor and its data in :meth:`OutcomeModel.fit`;
- returns a fitted object with ``marginals(years)`` (an ``(H, K)`` array of
  predictive probabilities, parameter uncertainty integrated out) and
  ``sample(years, n, rng, overrides)`` (``(n, H)`` whole future paths);
- knows nothing of timing, counts, participants or announcements: those are
  added by :mod:`drillcast.forecasting`, the same way for every model, so that
  baselines and real models are compared on equal terms in backtests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillcast.data.history import SeriesHistory

__all__ = ["OutcomeModel", "FittedOutcome", "IndependentFit", "draw_categorical", "dirichlet_rows", "POOL",
           "leaf_table", "leaf_search"]

POOL = 4096  # parameter draws shared by the paths of one sample (speed); paths are clustered by draw

#: Posterior parameter draws shared by simulated paths. Each path takes one draw
#: at random and keeps it for all its years, so joint (multi-year) questions see
#: the parameter uncertainty; many paths share a draw, which keeps Monte Carlo
#: unbiased and makes 10^5 paths cost about as much as 4,096 parameter draws.


def draw_categorical(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``p`` (shape ``(..., K)``), vectorised by inverse CDF."""
    c = np.cumsum(p, axis=-1)
    u = rng.random(p.shape[:-1] + (1,)) * c[..., -1:]
    return np.minimum((u >= c).sum(axis=-1), p.shape[-1] - 1)


def dirichlet_rows(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dirichlet draws for every row of ``alpha`` (last axis), by normalised gammas."""
    g = rng.standard_gamma(alpha)
    s = g.sum(axis=-1, keepdims=True)
    # A row whose gammas all underflow (tiny alpha) falls back to its mean.
    bad = s[..., 0] <= 0
    if np.any(bad):
        g[bad] = alpha[bad]
        s = g.sum(axis=-1, keepdims=True)
    return g / s


GUIDE = 1024  # slots of the guide table of each draw's leaf CDF (:func:`leaf_table`)


def leaf_table(prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leaf CDFs of every parameter draw in one sorted array, and their guide table.

    ``prob`` is ``(L, D)``: the probability of each of ``L`` leaves (whole paths) under each of ``D``
    draws. Draw ``j``'s CDF is shifted to [j, j + 1] (``flat``); ``guide[j, s]`` counts the leaves of
    draw ``j`` at or below ``j + s / GUIDE`` (Chen & Asau 1974), where :func:`leaf_search` starts.
    """
    L, D = prob.shape
    c = np.cumsum(prob, axis=0)
    c /= c[-1:]
    flat = (c + np.arange(D)[None, :]).T.ravel()
    thresholds = (np.arange(D)[:, None] + np.arange(GUIDE)[None, :] / GUIDE).ravel()
    guide = np.searchsorted(flat, thresholds, side="right").reshape(D, GUIDE) - np.arange(D)[:, None] * L
    return flat, guide


def leaf_search(flat, guide, L, draw, u) -> np.ndarray:
    """Leaf of each path: ``searchsorted(flat, u + draw, side="right") - draw * L``, clipped to the draw's leaves.

    The same comparisons as that one search over every draw's shifted CDF, started at the guide
    table's slot of ``u``: the leaves of draw ``j`` at or below ``j + s / GUIDE`` lie at or below
    ``u + j`` for ``u`` in slot ``s``, so a few vectorised steps finish the count.
    """
    key = u + draw
    leaf = guide.ravel().take(draw * guide.shape[1] + (u * GUIDE).astype(np.int32))
    base = draw * L
    todo = np.flatnonzero(leaf < L)
    todo = todo[flat[base[todo] + leaf[todo]] <= key[todo]]
    while todo.size:  # only paths whose slot holds several leaves
        leaf[todo] += 1
        todo = todo[leaf[todo] < L]
        todo = todo[flat[base[todo] + leaf[todo]] <= key[todo]]
    return np.minimum(leaf, L - 1)


class FittedOutcome:
    """A fitted outcome model. Subclasses implement ``marginals`` and ``sample``."""

    name: str = "?"
    categories: tuple = ()

    def marginals(self, years) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def sample(self, years, n: int, rng: np.random.Generator, overrides=None) -> np.ndarray:
        """``(n, H)`` whole future paths (outcome indices)."""
        return self.sample_clustered(years, n, rng, overrides)[0]

    def sample_clustered(self, years, n: int, rng: np.random.Generator, overrides=None):  # pragma: no cover
        """``(paths, clusters)``: paths as :meth:`sample`, and per path the id of the parameter draw it used.

        Paths that share a parameter draw are dependent; a standard error computed over paths must
        treat each cluster as one unit (:meth:`drillcast.forecasting.CalendarSample.probability` does).
        """
        raise NotImplementedError

    def marginals_with(self, years, overrides=None, rng=None) -> np.ndarray:
        """Marginals when what is known replaces some years' distributions (``overrides[h]`` or None).

        For models whose years are independent given the parameters, a known
        year changes nothing else; sequential models override this. ``rng``
        (a numpy Generator) is used only by models that must simulate.
        """
        p = np.array(self.marginals(years), dtype=float)
        for h, o in enumerate(overrides or ()):
            if o is not None:
                p[h] = o
        return p

    def describe(self) -> dict:
        """Fitted parameters worth reporting (JSON-ready)."""
        return {}


class IndependentFit(FittedOutcome):
    """Years independent given parameters drawn once per path.

    Subclasses implement ``_param_draws(years, n, rng) -> (n, H, K)``
    probabilities (one parameter draw per path, shared across the path's years)
    and ``marginals``.
    """

    def _param_draws(self, years, n, rng):  # pragma: no cover - interface
        raise NotImplementedError

    def sample_clustered(self, years, n, rng, overrides=None):
        years = np.asarray(years, dtype=int)
        pool = min(n, POOL)  # parameter draws shared by the paths (speed); clusters keep the errors honest
        p = self._param_draws(years, pool, rng)
        if overrides is not None:
            for h, o in enumerate(overrides):
                if o is not None:
                    p[:, h, :] = o
        c = np.cumsum(p, axis=-1)
        c /= c[..., -1:]
        # category-major float32 CDFs: each comparison below reads one contiguous (n, H) plane
        c = np.ascontiguousarray(np.moveaxis(c, -1, 0), dtype=np.float32)
        idx = rng.integers(pool, size=n) if n > pool else np.arange(n)
        u = rng.random((n, len(years)), dtype=np.float32)
        out = np.zeros((n, len(years)), dtype=np.int64)
        for k in range(p.shape[-1] - 1):  # inverse CDF, one category at a time (K is small)
            out += u >= c[k][idx]
        return out, idx


@dataclass(frozen=True)
class OutcomeModel:
    """Base of outcome models: frozen settings; ``fit`` returns a new fitted object."""

    name = "?"
    description = ""
    #: Whether the forecast assembly may override the model with what is known on the
    #: as-of date (announcements, cancellations, exercises already held). Only the
    #: know-nothing uniform baseline says no, so it stays the fixed reference log(1/K).
    uses_knowledge = True

    def fit(self, history: SeriesHistory) -> FittedOutcome:  # pragma: no cover - interface
        raise NotImplementedError

    def fit_in(self, snapshot, history: SeriesHistory) -> FittedOutcome:
        """Fit on ``history`` within ``snapshot`` (the catalogue as of the cutoff).

        Per-series models ignore the snapshot; pooled models
        (:mod:`drillcast.models.pooled`) learn from every series in it.
        """
        return self.fit(history)

    def settings(self) -> dict:
        from dataclasses import asdict

        return asdict(self)
