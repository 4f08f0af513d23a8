"""Baselines: uniform, climatology, persistence and strict rotation.

They are first-class models (same interface, same forecast assembly) so that
every backtest compares real models against them on the same folds.

The two rule baselines (persistence, strict rotation) predict one label a
year. Their probability of being right is not fixed by taste: it is a
Beta(1, 1) posterior over the rule's own hit rate in the series' past,
counting one-step-ahead predictions made with the data before each year.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from drillcast.data.history import SeriesHistory
from drillcast.models.base import POOL, FittedOutcome, IndependentFit, OutcomeModel, dirichlet_rows

__all__ = ["Uniform", "Climatology", "Persistence", "StrictRotation"]


class _UniformFit(IndependentFit):
    def __init__(self, name, K):
        self.name, self.K = name, K

    def marginals(self, years):
        return np.full((len(years), self.K), 1.0 / self.K)

    def _param_draws(self, years, n, rng):
        return np.full((n, len(years), self.K), 1.0 / self.K)


@dataclass(frozen=True)
class Uniform(OutcomeModel):
    """Every outcome label equally likely, every year (the know-nothing baseline)."""

    name = "uniform"
    description = "every outcome equally likely (ignores announcements too: the fixed reference)"
    uses_knowledge = False

    def fit(self, history: SeriesHistory) -> FittedOutcome:
        f = _UniformFit(self.name, len(history.categories))
        f.categories = history.categories
        return f


class _DirichletFit(IndependentFit):
    def __init__(self, name, categories, alpha_post):
        self.name, self.categories, self.alpha_post = name, categories, alpha_post

    def marginals(self, years):
        p = self.alpha_post / self.alpha_post.sum()
        return np.tile(p, (len(years), 1))

    def _param_draws(self, years, n, rng):
        theta = dirichlet_rows(np.tile(self.alpha_post, (n, 1)), rng)
        return np.repeat(theta[:, None, :], len(years), axis=1)

    def describe(self):
        return {"dirichlet_posterior": dict(zip(self.categories, np.round(self.alpha_post, 3).tolist()))}


@dataclass(frozen=True)
class Climatology(OutcomeModel):
    """Past frequencies: a Dirichlet(alpha) prior updated by the yearly outcome counts.

    Parameters
    ----------
    alpha : float
        Symmetric Dirichlet prior (0.5 is Jeffreys' prior for a multinomial).
    """

    alpha: float = 0.5
    name = "climatology"
    description = "past frequencies of each outcome (Dirichlet-multinomial)"

    def fit(self, history):
        K = len(history.categories)
        counts = np.bincount(history.outcomes[history.known], minlength=K).astype(float)
        return _DirichletFit(self.name, history.categories, counts + self.alpha)


class _RuleFit(IndependentFit):
    """One predicted label per year, right with a Beta-distributed probability."""

    def __init__(self, name, categories, predicted, hits, trials):
        self.name, self.categories = name, categories
        self._pred = predicted  # callable year -> label index or None
        self.a, self.b = 1.0 + hits, 1.0 + trials - hits

    def _probs(self, theta, label):
        K = len(self.categories)
        if label is None:
            return np.full(np.shape(theta) + (K,), 1.0 / K)
        p = np.repeat(((1.0 - theta) / (K - 1))[..., None], K, axis=-1)
        p[..., label] = theta
        return p

    def marginals(self, years):
        m = self.a / (self.a + self.b)
        return np.stack([self._probs(np.float64(m), self._pred(int(y))) for y in years])

    def _param_draws(self, years, n, rng):
        theta = rng.beta(self.a, self.b, size=n)
        return np.stack([self._probs(theta, self._pred(int(y))) for y in years], axis=1)

    def describe(self):
        return {"hit_rate_posterior_mean": round(self.a / (self.a + self.b), 4),
                "hits": int(self.a - 1), "trials": int(self.a + self.b - 2)}


_LEGENDRE = np.polynomial.legendre.leggauss(64)


class _StrictFit(_RuleFit):
    """The strict rule, simulated year by year: a simulated exercise becomes the next anchor.

    So if a path draws Tsentr-2026 (an announcement that held), 2027 continues the
    cycle from Tsentr, not from the last exercise known on the as-of date.
    """

    sequential = True

    def __init__(self, name, categories, predicted, hits, trials, anchor, period, rotating):
        super().__init__(name, categories, predicted, hits, trials)
        self.anchor, self.period, self.rotating = anchor, period, rotating

    def marginals(self, years):
        return self.marginals_with(years)

    def marginals_with(self, years, overrides=None, rng=None):
        """Exact marginals by a forward recursion over the rule's state, per quadrature node of theta.

        The state is the label the rule predicts this year (or "no anchor yet"); a year's
        outcome moves it. theta is shared by all years of a path, so the recursion runs per
        node of a 64-point Gauss-Legendre rule weighted by the Beta posterior and the
        marginals are averaged over nodes at the end.
        """
        if len(years) == 1:  # one year: the closed form of the rule, or what is known
            if overrides is not None and overrides[0] is not None:
                return np.asarray(overrides[0], dtype=float)[None, :]
            return _RuleFit.marginals(self, years)
        K, P = len(self.categories), self.period
        none = K - 1
        x, w = _LEGENDRE
        theta = 0.5 * (x + 1.0)
        logpdf = (self.a - 1) * np.log(theta) + (self.b - 1) * np.log1p(-theta)
        w = w * np.exp(logpdf - logpdf.max())
        w /= w.sum()
        S = P + 1  # states 0..P-1, and P = no anchor yet
        if self.rotating:
            def outcome(s, th):  # (S, K) for each node: row s = distribution of the year's label
                q = np.repeat(((1 - th) / (K - 1))[:, None, None], K, axis=2) * np.ones((1, S, 1))
                q[:, np.arange(P), np.arange(P)] = th[:, None]
                q[:, P, :] = 1.0 / K
                return q

            nxt = np.empty((S, K), dtype=int)
            for st in range(S):
                for lab in range(K):
                    nxt[st, lab] = (lab + 1) % P if lab < P else ((st + 1) % P if st < P else P)
        else:
            def outcome(s, th):
                q = np.zeros((len(th), S, K))
                q[:, 0, 0], q[:, 0, none] = th, 1 - th
                q[:, 1:P, none], q[:, 1:P, 0] = th[:, None], (1 - th)[:, None]
                q[:, P, :] = 1.0 / K
                return q

            nxt = np.empty((S, K), dtype=int)
            for st in range(S):
                nxt[st, 0] = 1 % P
                nxt[st, none] = (st + 1) % P if st < P else P
        years = [int(y) for y in years]
        given = dict(zip(years, overrides)) if overrides is not None else {}
        T = np.zeros((S, K, S))  # one-hot transition: (state, label) -> next state
        T[np.arange(S)[:, None], np.arange(K)[None, :], nxt] = 1.0
        state = np.zeros((len(theta), S))
        if self.anchor is None:
            state[:, P] = 1.0
        else:
            ay, ai = self.anchor
            s0 = (ai + years[0] - ay) % P if self.rotating else (years[0] - ay) % P
            state[:, s0] = 1.0
        q_model = outcome(None, theta)
        out = {}
        for y in range(years[0], years[-1] + 1):
            o = given.get(y)
            q = q_model if o is None else np.broadcast_to(o, q_model.shape)
            joint = state[:, :, None] * q  # (node, state, label)
            out[y] = w @ joint.sum(axis=1)
            state = np.einsum("nsl,slt->nt", joint, T)
        return np.stack([out[y] for y in years])

    def sample_clustered(self, years, n, rng, overrides=None):
        pool = min(n, POOL)  # shared draws of the hit rate; the cluster of a path is its draw
        draw = rng.integers(pool, size=n) if n > pool else np.arange(n)
        theta = rng.beta(self.a, self.b, size=pool)[draw]
        if self.rotating and self.anchor is not None:
            return self._sample_anchored(years, n, rng, overrides, theta), draw
        return self._sample_loop(years, n, rng, overrides, theta), draw

    def _sample_loop(self, years, n, rng, overrides, theta):
        """Paths year by year, each path's state the year and label of its last held direction (or none)."""
        K, P = len(self.categories), self.period
        none = K - 1
        if self.anchor is None:
            ay, ai = np.full(n, -1), np.zeros(n, dtype=int)
        else:
            ay, ai = np.full(n, self.anchor[0]), np.full(n, self.anchor[1])
        out = np.empty((n, len(years)), dtype=int)
        for h, y in enumerate(years):
            o = overrides[h] if overrides is not None else None
            if o is not None:
                lab = np.minimum((rng.random((n, 1)) >= np.cumsum(o)[None, :]).sum(axis=1), K - 1)
            else:
                if self.rotating:
                    pred = (ai + y - ay) % P
                else:
                    pred = np.where((y - ay) % P == 0, 0, none)
                other = rng.integers(K - 1, size=n)
                other = other + (other >= pred)  # uniform over the K - 1 labels other than pred
                lab = np.where(rng.random(n) < theta, pred, other)
                lab = np.where(ay < 0, rng.integers(K, size=n), lab)  # no anchor yet: uniform
            out[:, h] = lab
            moved = lab < P if self.rotating else lab != none
            ay = np.where(moved, y, ay)
            ai = np.where(moved, lab, ai)
        return out

    def _sample_anchored(self, years, n, rng, overrides, theta):
        """:meth:`_sample_loop` for a rotating series with an anchor: the same draws, the same paths.

        A path's state is its phase ``s = (label - year) mod P`` of its last held direction, so the
        rule predicts ``(s + y) mod P``; both steps are small tables, not per-path arithmetic.
        """
        K, P = len(self.categories), self.period
        ay, ai = self.anchor
        s = np.full(n, (ai - ay) % P)
        out = np.empty((len(years), n), dtype=int)  # year-major: each year writes one contiguous row
        labels, phases = np.arange(K)[:, None], np.arange(P)[None, :]
        for h, y in enumerate(years):
            o = overrides[h] if overrides is not None else None
            if o is not None:
                u = rng.random(n)
                lab = np.zeros(n, dtype=int)
                for c in np.cumsum(o):
                    lab += u >= c
                np.minimum(lab, K - 1, out=lab)
            else:
                pred = ((np.arange(P) + y) % P).take(s)
                other = rng.integers(K - 1, size=n)
                other += other >= pred  # uniform over the K - 1 labels other than pred
                lab = other + (pred - other) * (rng.random(n) < theta)
                rng.integers(K, size=n)  # the draw an unanchored path would use (same stream as the loop)
            out[h] = lab
            # next phase: a held direction sets it, anything else keeps it
            step = np.where(labels < P, (labels - y) % P, phases)  # (K, P) table over (label, phase)
            s = step.ravel().take(lab * P + s)
        return out.T  # a view: callers copy it where they place it


def _known_outcomes(history: SeriesHistory) -> dict[int, int]:
    return dict(zip(*(a.tolist() for a in history.observed())))


@dataclass(frozen=True)
class Persistence(OutcomeModel):
    """Same outcome as ``k`` years earlier (repeating back in steps of ``k`` into the known past).

    Parameters
    ----------
    k : int
        Lag in years; ``k = 1`` is "same as last year".
    """

    k: int = 1
    name = "persistence"
    description = "same outcome as k years earlier"

    def fit(self, history):
        known = _known_outcomes(history)
        k = self.k
        first = int(history.years[0]) if history.n_years else history.current_year

        def predicted(y):
            t = y - k
            while t >= first:
                if t in known:
                    return known[t]
                t -= k
            return None

        hits = trials = 0
        for y, o in known.items():
            t = y - k
            if t in known:
                trials += 1
                hits += int(known[t] == o)
        return _RuleFit(f"{self.name}", history.categories, predicted, hits, trials)


@dataclass(frozen=True)
class StrictRotation(OutcomeModel):
    """The fixed cycle, one step a year from the last held exercise.

    For a rotating series the cycle is the order of directions in
    ``series.csv``; year ``y`` gets ``directions[(i0 + y - y0) mod P]`` where
    ``(y0, i0)`` is the last year held in one of the directions. For a
    recurring series the cycle is "held every P years", P the median gap
    between held years.
    """

    name = "strict-rotation"
    description = "the fixed cycle continued from the last exercise"

    def fit(self, history):
        info = history.info
        known = _known_outcomes(history)
        none = history.none_index
        if info.rotating:
            P = len(info.directions)
            anchors = sorted((y, o) for y, o in known.items() if o < P)

            def rule(y, last):
                y0, i0 = last
                return (i0 + y - y0) % P
        else:
            held_years = sorted(y for y, o in known.items() if o != none)
            gaps = np.diff(held_years)
            P = max(1, int(round(float(np.median(gaps))))) if len(gaps) else 1
            anchors = [(y, 0) for y in held_years]

            def rule(y, last):
                return 0 if (y - last[0]) % P == 0 else none

        anchor_years = [a[0] for a in anchors]

        def predicted(y):
            i = bisect.bisect_left(anchor_years, y)  # the last anchor strictly before y
            return rule(y, anchors[i - 1]) if i else None

        hits = trials = 0
        for y, o in known.items():
            pred = predicted(y)
            if pred is not None:
                trials += 1
                hits += int(pred == o)

        return _StrictFit(self.name, history.categories, predicted, hits, trials,
                          anchors[-1] if anchors else None, P, info.rotating)
