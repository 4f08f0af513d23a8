"""Sequence-anchored rotation: a Bayesian Markov chain over held outcomes.

The next exercise's direction depends on the directions of the last ``order``
exercises that were held, whatever the calendar says: after a year with no
exercise the cycle resumes where it stopped. Each context row has a
symmetric Dirichlet(alpha) prior over the held labels; disruption (a year
with no exercise) has its own Beta(1, 1) prior updated by the count of
``none`` years. Parameter uncertainty is carried into multi-year forecasts by
drawing the transition matrix once per simulated path.

Reference: the Bayesian estimation of a Markov chain's transition matrix with
Dirichlet rows is standard (e.g. Gelman et al., *Bayesian Data Analysis*, 3rd
ed., sec. 3.4 for the Dirichlet-multinomial).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillcast.models.base import POOL, FittedOutcome, OutcomeModel, dirichlet_rows, draw_categorical
from drillcast.models.calendar import observed_sequence

__all__ = ["MarkovRotation"]

_MARGINAL_DRAWS = 20_000


class _MarkovFit(FittedOutcome):
    sequential = True

    def __init__(self, name, categories, order, alpha, alpha_post, q_ab, last_ctx):
        self.name, self.categories, self.order, self.alpha = name, categories, order, alpha
        self.S = len(categories) - 1  # held labels; 'none' is the last category
        self.alpha_post = alpha_post  # (S**order, S)
        self.q_ab = q_ab  # Beta posterior of the disruption probability
        self.last_ctx = last_ctx  # context index after the known history (or -1: no history)

    def _ctx_step(self, ctx, label):
        if self.order == 1:
            return label
        return (ctx * self.S + label) % (self.S ** self.order)

    def one_step(self) -> np.ndarray:
        """Exact predictive of the next year (used to condition the current year)."""
        q = self.q_ab[0] / sum(self.q_ab)
        if self.last_ctx < 0:
            row = np.full(self.S, 1.0 / self.S)
        else:
            a = self.alpha_post[self.last_ctx]
            row = a / a.sum()
        return np.append((1 - q) * row, q)

    def marginals(self, years):
        return self.marginals_with(years)

    def marginals_with(self, years, overrides=None):
        """First year exact; later years by Monte Carlo over whole paths (fixed seed)."""
        first = self.one_step() if overrides is None or overrides[0] is None else np.asarray(overrides[0], float)
        if len(years) == 1:
            return first[None, :]
        rng = np.random.default_rng(20240917)
        paths = self.sample(years, _MARGINAL_DRAWS, rng, overrides)
        K = len(self.categories)
        out = np.stack([np.bincount(paths[:, h], minlength=K) for h in range(len(years))]) / _MARGINAL_DRAWS
        out[0] = first
        return out

    def sample(self, years, n, rng, overrides=None):
        H = len(years)
        pool = min(n, POOL)
        q = rng.beta(*self.q_ab, size=pool)
        P = dirichlet_rows(np.broadcast_to(self.alpha_post, (pool,) + self.alpha_post.shape).copy(), rng)
        C = np.cumsum(P, axis=-1)
        C /= C[..., -1:]
        draw = rng.integers(pool, size=n) if n > pool else np.arange(n)  # each path keeps one posterior draw
        q = q[draw]
        ctx = np.full(n, self.last_ctx)
        out = np.empty((n, H), dtype=int)
        uniform_c = np.cumsum(np.full(self.S, 1.0 / self.S))
        for h in range(H):
            o = overrides[h] if overrides is not None else None
            if o is not None:
                lab = draw_categorical(np.broadcast_to(o, (n, len(o))), rng)
            else:
                c = np.where((ctx >= 0)[:, None], C[draw, np.maximum(ctx, 0)], uniform_c)
                lab = np.minimum((rng.random((n, 1)) >= c).sum(axis=-1), self.S - 1)
                lab = np.where(rng.random(n) < q, self.S, lab)
            out[:, h] = lab
            held = lab < self.S
            ctx = np.where(held, self._ctx_step(np.maximum(ctx, 0), lab) if self.order > 1 else lab, ctx)
        return out

    def describe(self):
        a = self.alpha_post / self.alpha_post.sum(axis=1, keepdims=True)
        held = self.categories[:-1]
        out = {"disruption_posterior_mean": round(self.q_ab[0] / sum(self.q_ab), 4), "order": self.order}
        if self.order == 1:
            out["transition_mean"] = {f: dict(zip(held, np.round(a[i], 4).tolist())) for i, f in enumerate(held)}
            out["transition_counts"] = {f: dict(zip(held, (self.alpha_post[i] - self.alpha).round(3).tolist()))
                                        for i, f in enumerate(held)}
        return out


@dataclass(frozen=True)
class MarkovRotation(OutcomeModel):
    """Markov chain of order ``order`` over held outcomes, with Beta disruption.

    Parameters
    ----------
    order : int, 1 or 2
    alpha : float
        Symmetric Dirichlet prior of each transition row.
    """

    order: int = 1
    alpha: float = 0.25
    description = "sequence-anchored rotation: Markov chain over held outcomes with disruption"

    @property
    def name(self) -> str:
        return "markov" if self.order == 1 else f"markov{self.order}"

    def fit(self, history):
        K = len(history.categories)
        S = K - 1
        _, os_ = observed_sequence(history)
        held = [int(o) for o in os_ if o < S]
        n_none = int(np.sum(os_ == S))
        counts = np.zeros((S ** self.order, S))
        ctx = -1
        hist = []
        for lab in held:
            if len(hist) >= self.order:
                counts[ctx, lab] += 1
            hist.append(lab)
            if len(hist) >= self.order:
                ctx = 0
                for x in hist[-self.order:]:
                    ctx = ctx * S + x
        return _MarkovFit(self.name, history.categories, self.order, self.alpha, counts + self.alpha,
                          (1.0 + n_none, 1.0 + len(held)), ctx)

