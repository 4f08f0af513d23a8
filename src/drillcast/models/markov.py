"""Sequence-anchored rotation: a Bayesian Markov chain over held outcomes.

The next exercise's direction depends on the directions of the last ``order``
exercises that were held, whatever the calendar says: after a year with no
exercise the cycle resumes where it stopped. Each context row has a
symmetric Dirichlet(alpha) prior over the held labels; disruption (a year
with no exercise) has its own Beta(1, 1) prior updated by the count of
``none`` years. Parameter uncertainty is carried into multi-year forecasts by
drawing the transition matrix once per simulated path, and exactly in the
marginals (a forward recursion over the Polya-urn state) for as many years as
the recursion affords; later years are sampled.

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
EXACT_STATES = 20_000  # merged states per year above which marginals are sampled instead


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

    def marginals_with(self, years, overrides=None, rng=None):
        """Exact marginals by a forward recursion over the chain's state, for as many years as it affords.

        The state after each year is the context and the counts the path has
        added to the Dirichlet rows and the Beta disruption prior (Polya-urn
        updating), so the recursion integrates over the posterior exactly: the
        same numbers as infinitely many sampled paths. States are merged; once
        there would be more than :data:`EXACT_STATES` of them (long horizons),
        the later years' marginals are estimated from :data:`_MARGINAL_DRAWS`
        sampled paths drawn with ``rng`` (``describe()["marginals"]`` says from
        which year). Neither part depends on how many years are asked: the
        recursion stops at the same year for every horizon, and the paths draw
        each year's randomness in turn, so a longer horizon leaves a shorter
        one's years unchanged.
        """
        exact = self._exact_marginals(len(years), overrides)
        H = len(years)
        if len(exact) == H:
            self.marginals_method = "exact"
            return exact
        rng = rng if rng is not None else np.random.default_rng(0)
        paths = self.sample(years, _MARGINAL_DRAWS, rng, overrides)
        K = len(self.categories)
        h0 = len(exact)
        mc = np.stack([np.bincount(paths[:, h], minlength=K) for h in range(h0, H)]) / _MARGINAL_DRAWS
        self.marginals_method = (f"exact to {years[h0 - 1]}, " if h0 else "") + \
            f"monte-carlo ({_MARGINAL_DRAWS} paths)" + (f" from {years[h0]}" if h0 else "")
        return np.concatenate([exact, mc])

    def _exact_marginals(self, H, overrides):
        """Exact marginals of the first years, ``(h0, K)``: all ``H`` years, or those before the
        year whose states would exceed :data:`EXACT_STATES` (the same ``h0`` for every longer ``H``)."""
        S, K = self.S, self.S + 1
        a0, b0 = self.q_ab
        uniform = np.full(S, 1.0 / S)
        # state: (context, sorted ((row, label), ...) added to the Dirichlet rows, none added, held added)
        states = {(self.last_ctx, (), 0, 0): 1.0}
        out = np.zeros((H, K))
        for h in range(H):
            o = overrides[h] if overrides is not None else None
            new: dict = {}
            for (ctx, inc, nn, nh), mass in states.items():
                if o is not None:  # known: drawn from the override, teaches the parameters nothing
                    dist, learn = np.asarray(o, dtype=float), 0
                else:
                    q = (a0 + nn) / (a0 + b0 + nn + nh)
                    if ctx < 0:
                        row = uniform
                    else:
                        a = self.alpha_post[ctx].copy()
                        for r, lab in inc:
                            if r == ctx:
                                a[lab] += 1.0
                        row = a / a.sum()
                    dist, learn = np.append((1.0 - q) * row, q), 1
                out[h] += mass * dist
                if h == H - 1:
                    continue
                for lab in np.flatnonzero(dist > 0):
                    m = mass * dist[lab]
                    if lab == S:
                        key = (ctx, inc, nn + learn, nh)
                    else:
                        nctx = self._ctx_step(max(ctx, 0), int(lab)) if self.order > 1 else int(lab)
                        ninc = tuple(sorted(inc + ((ctx, int(lab)),))) if learn and ctx >= 0 else inc
                        key = (nctx, ninc, nn, nh + learn)
                    new[key] = new.get(key, 0.0) + m
            states = new
            if len(states) > EXACT_STATES:
                return out[: h + 1]
        return out

    def sample_clustered(self, years, n, rng, overrides=None):
        H = len(years)
        pool = min(n, POOL)  # shared parameter draws; the cluster of a path is its draw
        q = rng.beta(*self.q_ab, size=pool)
        P = dirichlet_rows(np.broadcast_to(self.alpha_post, (pool,) + self.alpha_post.shape).copy(), rng)
        C = np.cumsum(P, axis=-1)
        C /= C[..., -1:]
        draw = rng.integers(pool, size=n) if n > pool else np.arange(n)
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
        return out, draw

    def describe(self):
        a = self.alpha_post / self.alpha_post.sum(axis=1, keepdims=True)
        held = self.categories[:-1]
        out = {"disruption_posterior_mean": round(self.q_ab[0] / sum(self.q_ab), 4), "order": self.order,
               "marginals": getattr(self, "marginals_method", "exact")}
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

