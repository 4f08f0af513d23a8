"""Calendar-anchored rotation and its change-point extension.

**Calendar rotation.** The outcome of year ``y`` depends on ``y mod k``: each
of the ``k`` phases has its own outcome probabilities ``theta_r`` with a
symmetric Dirichlet(alpha) prior. The period ``k`` is not fixed: every
``k = 1..k_max`` is weighted by its marginal likelihood (Bayesian model
averaging, Hoeting et al. 1999), so a short series gives an honest,
uncertain posterior rather than a point. ``k = 1`` is climatology.

The marginal likelihood of the counts ``c_r`` of phase ``r`` is the
Dirichlet-multinomial evidence

    log p(c_r) = lgamma(K a) - lgamma(K a + n_r) + sum_j [lgamma(a + c_rj) - lgamma(a)].

**Change point.** The history may consist of two regimes: before and from a
change year ``c``. Each regime is a calendar rotation (with its own BMA
over ``k``); ``c`` has a prior mass ``p_no_change`` on "no change" and the
rest spread evenly over the candidate years. The posterior over ``c`` is
exact (enumeration), and the forecast comes from the last regime. A series
that stopped (a run of ``none`` years) is forecast from its recent regime,
not as if it were alive; a rotation that broke in 2023 is noticed as soon as
the data support it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from drillcast.data.history import SeriesHistory
from drillcast.models.base import IndependentFit, OutcomeModel, dirichlet_rows

__all__ = ["CalendarRotation", "ChangePoint", "observed_sequence", "calendar_evidence"]

_LGAMMA_TABLES: dict[float, np.ndarray] = {}


def _lgamma_at(a: float, x: np.ndarray) -> np.ndarray:
    """lgamma(a + x) for integer-valued x >= 0, from a cached table (counts are integers here)."""
    x = np.asarray(x, dtype=np.int64)
    tab = _LGAMMA_TABLES.get(a)
    need = int(x.max(initial=0)) + 1
    if tab is None or len(tab) < need:
        n = max(need, 256)
        tab = math.lgamma(a) + np.concatenate([[0.0], np.cumsum(np.log(a + np.arange(n - 1)))])
        _LGAMMA_TABLES[a] = tab
    return tab[x]


def observed_sequence(history: SeriesHistory) -> tuple[np.ndarray, np.ndarray]:
    """Years and outcomes known on the snapshot date (the current year if already realised)."""
    return history.observed()


def _phase_counts(years, outcomes, k, K):
    c = np.zeros((k, K))
    np.add.at(c, (years % k, outcomes), 1.0)
    return c


def calendar_evidence(years, outcomes, K, alpha, k_max):
    """Log marginal likelihood for each period ``k = 1..k_max`` and the phase counts.

    The plain formula, one alpha at a time; the models use the vectorised
    :func:`_bma_components`, and the tests check that both agree.

    Returns
    -------
    log_ev : ndarray, shape (k_max,)
    counts : list of ndarray, ``counts[k-1]`` of shape (k, K)
    """
    log_ev = np.zeros(k_max)
    counts = []
    for k in range(1, k_max + 1):
        c = _phase_counts(years, outcomes, k, K)
        n = c.sum(axis=1)
        log_ev[k - 1] = float(np.sum(
            math.lgamma(K * alpha) - np.array([math.lgamma(K * alpha + x) for x in n])
            + np.array([[math.lgamma(alpha + x) - math.lgamma(alpha) for x in row] for row in c]).sum(axis=1)
        ))
        counts.append(c)
    return log_ev, counts


def _normalise_log(w):
    w = np.asarray(w, dtype=float)
    w = np.exp(w - w.max())
    return w / w.sum()


def _logsumexp(a):
    m = np.max(a)
    return float(m + np.log(np.sum(np.exp(a - m))))


class PhaseMixtureFit(IndependentFit):
    """A mixture of calendar rotations: component m has period ``k_m`` and posterior Dirichlet rows."""

    def __init__(self, name, categories, weights, periods, alpha_post, info=None):
        self.name, self.categories = name, categories
        self.weights = np.asarray(weights, dtype=float)
        self.periods = np.asarray(periods, dtype=int)
        self.alpha_post = alpha_post  # (M, k_max, K), rows beyond k_m unused
        self.info = info or {}
        self._mean = alpha_post / alpha_post.sum(axis=-1, keepdims=True)

    def marginals(self, years):
        years = np.asarray(years, dtype=int)
        ph = years[None, :] % self.periods[:, None]  # (M, H)
        m = np.arange(len(self.weights))[:, None]
        p = self._mean[m, ph]  # (M, H, K)
        return np.einsum("m,mhk->hk", self.weights, p)

    def _param_draws(self, years, n, rng):
        years = np.asarray(years, dtype=int)
        comp = rng.choice(len(self.weights), size=n, p=self.weights)
        theta = dirichlet_rows(self.alpha_post[comp], rng)  # (n, k_max, K)
        ph = years[None, :] % self.periods[comp][:, None]  # (n, H)
        return theta[np.arange(n)[:, None], ph]

    def describe(self):
        return self.info


def _lgamma_rows(alphas, n_max):
    """Table ``T[i, x] = lgamma(alphas[i] + x)`` for x = 0..n_max."""
    return np.stack([_lgamma_at(float(a), np.arange(n_max + 1)) for a in alphas])


def _bma_components(years, outcomes, K, alphas, k_max):
    """Log evidence, periods and padded posterior rows of every (alpha, period) component of one regime.

    Vectorised over alphas with lgamma tables (counts are small integers).
    """
    A = np.asarray(alphas, dtype=float)
    n_all = len(years)
    lg_a = _lgamma_rows(A, n_all)  # lgamma(a + x)
    lg_ka = _lgamma_rows(K * A, n_all)  # lgamma(K a + x)
    ev = np.empty((len(A), k_max))
    counts = []
    for k in range(1, k_max + 1):
        c = _phase_counts(years, outcomes, k, K).astype(np.int64)
        n = c.sum(axis=1)
        ev[:, k - 1] = ((lg_ka[:, :1] - lg_ka[:, n]).sum(axis=1)
                        + (lg_a[:, c.ravel()] - lg_a[:, :1]).sum(axis=1))
        counts.append(c)
    periods = np.tile(np.arange(1, k_max + 1), len(A))
    post = np.repeat(A, k_max)[:, None, None] * np.ones((len(A) * k_max, k_max, K))
    for i in range(len(A)):
        for k, c in enumerate(counts, start=1):
            post[i * k_max + k - 1, :k] += c
    return ev.ravel(), periods, post


@dataclass(frozen=True)
class CalendarRotation(OutcomeModel):
    """Direction depends on the year modulo a period, averaged over periods 1..k_max.

    Parameters
    ----------
    alphas : tuple of float
        Symmetric Dirichlet priors of each phase's outcome probabilities; the
        model averages over them too (a small alpha lets a clean cycle be
        believed quickly, a large one shrinks towards equal probabilities).
    k_max : int
        Largest period considered (default 6: a 4-direction cycle, biennial and triennial patterns).
    """

    alphas: tuple = (0.1, 0.25, 0.5, 1.0)
    k_max: int = 6
    name = "calendar"
    description = "calendar-anchored rotation, Bayesian-averaged over periods 1..k_max"

    def fit(self, history):
        K = len(history.categories)
        ys, os_ = observed_sequence(history)
        log_ev, periods, post = _bma_components(ys, os_, K, self.alphas, self.k_max)
        w = _normalise_log(log_ev)
        info = {"period_posterior": {str(k): round(float(w[periods == k].sum()), 4) for k in range(1, self.k_max + 1)}}
        return PhaseMixtureFit(self.name, history.categories, w, periods, post, info)


@dataclass(frozen=True)
class ChangePoint(OutcomeModel):
    """Two regimes of calendar rotation with an unknown change year (or none).

    Parameters
    ----------
    alphas, k_max : as in :class:`CalendarRotation`.
    p_no_change : float
        Prior probability that the pattern never changed.
    min_segment : int
        Fewest years in the regime before a change.
    max_lookback : int
        Change years considered: at most this many of the latest observed years
        (a regime that began longer ago is, for forecasting, the whole history).
    """

    alphas: tuple = (0.1, 0.25, 0.5, 1.0)
    k_max: int = 6
    p_no_change: float = 0.5
    min_segment: int = 2
    max_lookback: int = 40
    name = "changepoint"
    description = "calendar rotation with a change point (posterior over the change year, including no change)"

    def fit(self, history):
        K = len(history.categories)
        ys, os_ = observed_sequence(history)
        n, k_max, m = len(ys), self.k_max, self.min_segment
        A = np.asarray(self.alphas, dtype=float)
        n_comp = k_max * len(A)
        lg_a, lg_ka = _lgamma_rows(A, n), _lgamma_rows(K * A, n)
        # Split i: regime 1 = ys[:i], regime 2 = ys[i:]; i = 0 is "no change". Counts of every
        # prefix come from one cumulative sum per period, so all change years cost one pass.
        splits = np.r_[0, np.arange(max(m, n - self.max_lookback), n)] if n > m else np.array([0])
        # one-hot of (period, phase, outcome) for every year; phases beyond a period stay empty
        periods_ = np.arange(1, k_max + 1)
        onehot = np.zeros((n, k_max, k_max, K), dtype=np.int64)
        onehot[np.arange(n)[:, None], periods_[None, :] - 1, ys[:, None] % periods_[None, :], os_[:, None]] = 1
        prefix = np.concatenate([np.zeros((1, k_max, k_max, K), dtype=np.int64), np.cumsum(onehot, axis=0)])[splits]
        suffix = onehot.sum(axis=0) - prefix  # (S, period, phase, K)

        def evidence(c):  # (S, period, phase, K) -> (S, alpha, period)
            nk = c.sum(axis=3)
            ev = (lg_ka[:, :1, None, None] - lg_ka[:, nk]).sum(axis=3)
            ev += (lg_a[:, c.reshape(len(splits), k_max, -1)] - lg_a[:, :1, None, None]).sum(axis=3)
            return np.moveaxis(ev, 0, 1)

        ev_pre, ev_post = evidence(prefix), evidence(suffix)
        seg = lambda ev: np.logaddexp.reduce(ev.reshape(len(splits), -1), axis=1) - math.log(n_comp)  # noqa: E731
        n_c = len(splits) - 1
        log_prior = np.full(len(splits), math.log((1.0 - self.p_no_change) / n_c) if n_c else 0.0)
        log_prior[0] = math.log(self.p_no_change) if n_c else 0.0
        pre = seg(ev_pre)
        pre[0] = 0.0
        wc = _normalise_log(log_prior + pre + seg(ev_post))
        cands = ["none"] + [str(int(ys[i])) for i in splits[1:]]
        J = np.flatnonzero(wc > 1e-12)
        wk = np.exp(ev_post[J] - ev_post[J].max(axis=(1, 2), keepdims=True))
        wk /= wk.sum(axis=(1, 2), keepdims=True)  # (J, alpha, k)
        rows = A[None, :, None, None, None] + suffix[J][:, None]  # (J, alpha, period, phase, K)
        weights = (wc[J, None, None] * wk).ravel()
        periods = np.broadcast_to(np.arange(1, k_max + 1), wk.shape).ravel()
        alphas = rows.reshape(-1, k_max, K)
        keep = weights > 1e-12
        info = {"change_year_posterior": {c: round(float(x), 4) for c, x in zip(cands, wc)}}
        return PhaseMixtureFit(self.name, history.categories, weights[keep] / weights[keep].sum(),
                               periods[keep], alphas[keep], info)

    def _fit_reference(self, history):
        """The plain loop over change years (kept to test the vectorised :meth:`fit`)."""
        K = len(history.categories)
        ys, os_ = observed_sequence(history)
        k_max = self.k_max
        cands = [None] + [int(y) for y in ys[max(self.min_segment, len(ys) - self.max_lookback):]]
        n_c = len(cands) - 1
        n_comp = self.k_max * len(self.alphas)
        log_post, comps = [], []
        for c in cands:
            if c is None:
                pre_ev = 0.0
                ev_post, periods, post = _bma_components(ys, os_, K, self.alphas, k_max)
                prior = self.p_no_change if n_c else 1.0
            else:
                before = ys < c
                ev_pre, _, _ = _bma_components(ys[before], os_[before], K, self.alphas, k_max)
                pre_ev = _logsumexp(ev_pre) - math.log(n_comp)
                ev_post, periods, post = _bma_components(ys[~before], os_[~before], K, self.alphas, k_max)
                prior = (1.0 - self.p_no_change) / n_c
            seg_ev = _logsumexp(ev_post) - math.log(n_comp)
            log_post.append(math.log(prior) + pre_ev + seg_ev)
            comps.append((ev_post, periods, post))
        wc = _normalise_log(log_post)
        weights, all_periods, alphas = [], [], []
        for w, (ev_post, periods, post) in zip(wc, comps):
            wk = _normalise_log(ev_post)
            weights.extend(w * wk)
            all_periods.extend(periods)
            alphas.append(post)
        periods = np.asarray(all_periods)
        alphas = np.concatenate(alphas)
        keep = np.asarray(weights) > 1e-12
        weights = np.asarray(weights)[keep]
        info = {"change_year_posterior": {("none" if c is None else str(c)): round(float(x), 4)
                                          for c, x in zip(cands, wc)}}
        return PhaseMixtureFit(self.name, history.categories, weights / weights.sum(),
                               periods[keep], alphas[keep], info)
