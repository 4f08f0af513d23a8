"""Equal-weight (or weighted) mixtures of outcome models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillcast.models.base import FittedOutcome, OutcomeModel

__all__ = ["Ensemble"]


class _EnsembleFit(FittedOutcome):
    def __init__(self, name, categories, fits, weights):
        self.name, self.categories, self.fits = name, categories, fits
        self.weights = np.asarray(weights, dtype=float) / np.sum(weights)
        self.sequential = any(getattr(f, "sequential", False) for f in fits)

    def marginals(self, years):
        return sum(w * f.marginals(years) for w, f in zip(self.weights, self.fits))

    def marginals_with(self, years, overrides=None, rng=None):
        return sum(w * f.marginals_with(years, overrides, rng=rng) for w, f in zip(self.weights, self.fits))

    def sample_clustered(self, years, n, rng, overrides=None):
        comp = rng.choice(len(self.fits), size=n, p=self.weights)
        out = np.empty((n, len(years)), dtype=int)
        clusters = np.empty(n, dtype=np.int64)
        for i, f in enumerate(self.fits):
            m = np.flatnonzero(comp == i)
            if len(m):
                out[m], cl = f.sample_clustered(years, len(m), rng, overrides)
                clusters[m] = cl * len(self.fits) + i  # a member's draws are clusters of their own
        return out, clusters

    def describe(self):
        return {"members": {f.name: round(float(w), 4) for f, w in zip(self.fits, self.weights)}}


@dataclass(frozen=True)
class Ensemble(OutcomeModel):
    """A linear pool of member models (Stone 1961; Gneiting & Ranjan 2013)."""

    members: tuple = ()
    weights: tuple = ()
    label: str = "ensemble"

    @property
    def name(self) -> str:
        return self.label

    @property
    def description(self) -> str:
        w = self.weights or (1.0,) * len(self.members)
        parts = [f"{m.name} ({x / sum(w):.0%})" for m, x in zip(self.members, w)]
        return "linear pool of " + ", ".join(parts)

    def fit(self, history):
        return self.fit_in(None, history)

    def fit_in(self, snapshot, history):
        fits = [m.fit(history) if snapshot is None else m.fit_in(snapshot, history) for m in self.members]
        w = self.weights or (1.0,) * len(fits)
        return _EnsembleFit(self.name, history.categories, fits, w)
