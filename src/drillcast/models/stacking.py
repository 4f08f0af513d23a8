"""Stacking the default's components by their one-step-ahead record, pooled over series.

The default model (:class:`drillcast.models.pooled.Pooled`) is a linear pool of three
components of the whole outcome (direction or held, and none):

``pooled``
    the pooled logistic regression of P(held), with directions from the rotation pool;
``strict-rotation``
    the series' cycle continued from its last exercise (:class:`~drillcast.models.baselines.StrictRotation`);
``uniform``
    every outcome equally likely (the base rate of a series where nothing has skill).

Their weights are chosen by the log score of one-step-ahead forecasts of the years
before the cutoff (stacking of predictive distributions; Yao, Vehtari, Simpson & Gelman
2018, "Using stacking to average Bayesian predictive distributions", *Bayesian Analysis*
13): pooled over every series of the snapshot, then per series with shrinkage toward the
pooled weights (a Dirichlet prior worth :data:`SHRINK` years), so that a short series keeps
the pooled weights, a series that has kept its cycle gets the rotation rule, and a series
where neither has predicted anything gets the base rate.

One-step-ahead probabilities of each component for a past year ``t`` use only the
record before ``t`` (and only what the snapshot knows, so nothing after the cutoff):
the regression refitted on the rows of years before ``t`` (:func:`drillcast.models.pooled`),
the rule with its hit rate and cycle counted on the years before ``t``, and for the
regression's direction the rotation evidence before ``t`` (the change-point member's share
is scored as a uniform guess over the held labels, which it is before a series has a regime).
"""

from __future__ import annotations

import bisect

import numpy as np

from drillcast.data.history import SeriesHistory

__all__ = ["COMPONENTS", "SHRINK", "rule_one_step", "component_likelihoods", "stack_weights"]

COMPONENTS = ("pooled", "strict-rotation", "uniform")
SHRINK = 3.0  # pseudo-years of the pooled weights in a series' own weights
HALF_LIFE = 1000.0  # years: how fast older one-step-ahead scores lose weight


def rule_one_step(history: SeriesHistory, since: int | None = None) -> dict[int, tuple]:
    """Per known year ``t`` (from ``since`` on): the strict rule's one-step-ahead forecast from the years before ``t``.

    Returns ``{t: (observed, q, evidence)}``: the observed label index, the rule's
    probabilities of every label (``theta`` on the predicted label, the rest shared evenly;
    uniform before the first anchor), with ``theta = (hits + 1) / (trials + 2)`` counted on
    earlier years, and the rotation evidence of :func:`drillcast.models.pooled.rotation_evidence`
    on the years before ``t`` (0 for a recurring series).
    """
    info = history.info
    K = len(history.categories)
    none = K - 1
    ys, os_ = history.observed()
    P_dir = len(info.directions) if info.rotating else 0
    out = {}
    hits = trials = dhits = dtrials = 0
    anchor = None  # (year, label) of the last anchor
    dprev = None
    gaps = []  # sorted gaps between held years (a recurring series)
    P = 1  # the usual gap of a recurring series: median gap between the held years so far
    for y, o in zip(ys.tolist(), os_.tolist()):
        if info.rotating:
            pred = None if anchor is None else (anchor[1] + y - anchor[0]) % P_dir
        else:
            pred = None if anchor is None else (0 if (y - anchor[0]) % P == 0 else none)
        if since is None or y >= since:
            if pred is None:
                q = np.full(K, 1.0 / K)
            else:
                theta = (hits + 1.0) / (trials + 2.0)
                q = np.full(K, (1.0 - theta) / (K - 1))
                q[pred] = theta
            ev = 0.0
            if P_dir >= 2:
                m = (dhits + 1.0) / (dtrials + 2.0)
                ev = min(1.0, max(0.0, (m - 1.0 / P_dir) / (1.0 - 1.0 / P_dir)))
            out[y] = (o, q, ev)
        if pred is not None:
            trials += 1
            hits += int(pred == o)
        if info.rotating:
            if o < P_dir:
                if dprev is not None:
                    dtrials += 1
                    dhits += int((dprev[1] + y - dprev[0]) % P_dir == o)
                dprev = anchor = (y, o)
        elif o != none:
            if anchor is not None:  # the median gap, kept from a sorted list (np.median's value)
                bisect.insort(gaps, y - anchor[0])
                k = len(gaps)
                P = max(1, int(round((gaps[(k - 1) // 2] + gaps[k // 2]) / 2.0)))
            anchor = (y, 0)
    return out


def component_likelihoods(history: SeriesHistory, p_reg: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """One-step-ahead probability of what happened, per component, for the years in ``p_reg``.

    ``p_reg`` maps a past year to the refitted regression's P(held) for it. Returns
    ``(years, L)`` with ``L[i, c]`` the probability component ``c`` of :data:`COMPONENTS`
    gave the outcome of ``years[i]``.
    """
    K = len(history.categories)
    none = K - 1
    rule = rule_one_step(history, since=min(p_reg) if p_reg else None)
    years, rows = [], []
    for y in sorted(p_reg):
        if y not in rule:
            continue
        o, q, ev = rule[y]
        p = p_reg[y]
        if o == none:
            reg = 1.0 - p
        else:  # the direction: the rule's share (its evidence) of the rule given held, the rest uniform
            reg = p * (ev * q[o] / (1.0 - q[none]) + (1.0 - ev) / (K - 1))
        years.append(y)
        rows.append((reg, q[o], 1.0 / K))
    return np.array(years, dtype=int), np.array(rows, dtype=float).reshape(-1, len(COMPONENTS))


def _em(L: np.ndarray, groups: np.ndarray, prior: np.ndarray, n0: float, rw: np.ndarray,
        iters: int = 100) -> np.ndarray:
    """Per group, the weights maximising ``sum rw * log(L @ w) + n0 * prior . log w`` on the simplex.

    EM (the objective is concave in ``w``), every group at once: ``groups`` are 0..G-1,
    ``rw`` the rows' weights. Returns ``(G, C)``.
    """
    G, C = int(groups.max()) + 1, L.shape[1]
    n = np.bincount(groups, weights=rw, minlength=G)[:, None]
    w = np.tile(prior, (G, 1))
    for _ in range(iters):
        r = L * w[groups]
        r *= (rw / np.maximum(r.sum(axis=1), 1e-300))[:, None]
        s = np.stack([np.bincount(groups, weights=r[:, c], minlength=G) for c in range(C)], axis=1)
        new = (s + n0 * prior) / (n + n0)
        if np.max(np.abs(new - w)) < 1e-6:
            return new
        w = new
    return w


def stack_weights(L: np.ndarray, groups: np.ndarray, n0: float = SHRINK, age=None,
                  half_life: float = HALF_LIFE) -> tuple[np.ndarray, dict]:
    """Pooled stacking weights of the components and each group's shrunk weights.

    Parameters
    ----------
    L : ndarray (n, C)
        One-step-ahead probability each component gave each row's outcome.
    groups : ndarray (n,)
        The series of each row.
    n0 : float
        Weight of the pooled weights in a series' own (pseudo-rows).
    age : ndarray (n,), optional
        Years between each row's year and the last year before the cutoff: a row counts
        ``0.5 ** (age / half_life)`` (the components' recent record matters most; a
        regression learns as the catalogue grows). None: every row counts 1.

    Returns
    -------
    pooled : ndarray (C,)
        ``argmax_w sum_rows log(L @ w)`` (with a flat Dirichlet(1 + 1/C) nudge that keeps
        every weight positive).
    per_group : dict
        group -> ``argmax_w sum_own log(L @ w) + n0 * pooled . log w``.
    """
    C = L.shape[1]
    flat = np.full(C, 1.0 / C)
    if len(L) == 0:
        return flat, {}
    L = np.maximum(L, 1e-12)
    rw = np.ones(len(L)) if age is None else 0.5 ** (np.asarray(age, dtype=float) / half_life)
    pooled = _em(L, np.zeros(len(L), dtype=int), flat, 1.0, rw)[0]
    names, idx = np.unique(groups, return_inverse=True)
    per = _em(L, idx, pooled, n0, rw)
    return pooled, {g.item() if hasattr(g, "item") else g: w for g, w in zip(names, per)}
