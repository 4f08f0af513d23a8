"""When in the year, learnt from every series: a location per series, a spread pooled over all.

A series' next start is forecast in two parts:

location
    a recency-weighted circular mean of the series' past starts (mid-points of
    month-precision starts), with half-life ``hl`` years; ``hl`` is chosen, per
    snapshot, among :data:`HALF_LIVES` by the mean absolute one-year-ahead error
    over every series' past day-precision starts (a short half-life is "same
    day as last year"; a long one the series' usual day);
spread
    one-year-ahead deviations ``obs - location`` of every series, each divided
    by its series' scale, form one pooled distribution of standardised errors
    (with a standard Laplace law worth :attr:`PooledTiming.prior_n` pseudo-errors
    when there are few). A series' scale is its mean absolute deviation shrunk
    toward the pooled one, ``s = (sum |dev| + n0 s_pool) / (k + n0)``, computed
    leaving the standardised error's own year out;
width
    a split-conformal factor ``c`` (:meth:`PooledTiming._conformal`) chosen so that the
    80 % interval would have held 80 % of the one-step-ahead errors, each divided by the
    scale its series had when that year was forecast (its earlier errors only).

The predictive pmf of a series is ``location + c s z`` over the pooled errors ``z``,
binned to days on the circle of the year and smoothed by a Gaussian kernel
(bandwidth ``max(2, s / 4)`` days), plus a small uniform floor. Only what the
snapshot knows enters: the same snapshot gives the same pmfs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillcast.data.history import SeriesHistory, series_history
from drillcast.models.timing import N_DAYS, FittedTiming, quantile_days

__all__ = ["PooledTiming", "HALF_LIVES", "series_starts"]

HALF_LIVES = (0.35, 1.0, 2.0, 4.0, 1e9)
RULES = tuple((kind, hl) for kind in ("mean", "median") for hl in HALF_LIVES)
_YEAR = 365.0
_FLOOR = 0.003
_TIE = 1e-11  # relative cost gap below which two candidate medians count as tied (rounding ~1e-14)
Z_SUMMARY = 2000  # pooled errors above which the pmf uses their quantile summary
MIN_SCALE = 1.0  # days: a series that always started on the same day still gets a spread
MIN_CONFORMAL = 20  # pooled one-step errors needed before the conformal width factor departs from 1
WIDTH_BOUNDS = (0.5, 2.0)


def _wrap(x):
    return (np.asarray(x, dtype=float) + _YEAR / 2) % _YEAR - _YEAR / 2


def series_starts(h: SeriesHistory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years, mid-point days and day-precision flags of the series' known first starts."""
    held = (h.outcomes != h.none_index) & ~np.isnan(h.start_lo)
    ys, lo, hi = h.years[held], h.start_lo[held], h.start_hi[held]
    if h.current_start is not None:
        ys = np.append(ys, h.current_year)
        lo = np.append(lo, h.current_start[0])
        hi = np.append(hi, h.current_start[1])
    return ys.astype(int), (lo + hi) / 2.0, lo == hi


def _location(ys, days, year, rule):
    """Recency-weighted circular mean (``rule = ("mean", hl)``) or median (``("median", hl)``) of past starts."""
    kind, hl = rule
    w = 0.5 ** ((year - ys) / hl)
    if kind == "median":  # the past start with the least weighted circular absolute deviation
        cost = np.abs(_wrap(days[:, None] - days[None, :])) @ w
        return float(days[int(np.argmin(cost))])
    ang = 2 * np.pi * days / _YEAR
    return float(np.arctan2(w @ np.sin(ang), w @ np.cos(ang)) * _YEAR / (2 * np.pi)) % _YEAR


def _one_step(ys, days, precise, rule, dist=None):
    """Deviations of every day-precision start from the location of the starts before it.

    Equal to ``_wrap(days[j] - _location(ys[:j], days[:j], ys[j], rule))`` for every ``j >= 1``
    with ``precise[j]``, all ``j`` at once: the weight ``0.5 ** ((ys[j] - ys[i]) / hl)`` is
    ``2 ** ((ys[i] - ys[0]) / hl)`` times a factor common to every ``i`` of one ``j``, which
    neither the circular mean's angle nor the median's argmin depends on, so running
    (cumulative) sums of the rebased weights give every prefix's location. Where two
    candidate medians on different days cost the same up to rounding (relative gap below ``_TIE``; the long
    half-life makes the weights nearly equal), the prefix's median is recomputed as
    :func:`_location` computes it, so the choice among tied starts is the same. ``dist``:
    the circular distances ``|_wrap(days[:, None] - days[None, :])|`` if already computed.
    """
    ys, days = np.asarray(ys), np.asarray(days, dtype=float)
    j = np.flatnonzero(np.asarray(precise)[1:]) + 1
    if len(j) == 0:
        return np.zeros(0)
    kind, hl = rule
    if (ys[-1] - ys[0]) / hl > 1000.0:  # rebased weights would overflow: one prefix at a time
        return np.array([_wrap(days[i] - _location(ys[:i], days[:i], ys[i], rule)) for i in j])
    e = 2.0 ** ((ys - ys[0]) / hl)
    if kind == "median":  # cost[k, i]: weighted circular distance of start k to the starts before i
        dist = np.abs(_wrap(days[:, None] - days[None, :])) if dist is None else dist
        cost = np.cumsum(dist * e[None, :], axis=1)[:, j - 1]
        cost[np.arange(len(days))[:, None] >= j[None, :]] = np.inf  # candidates: starts before i
        loc = days[np.argmin(cost, axis=0)]
        best = cost.min(axis=0)
        rival = (cost <= best * (1.0 + _TIE)) & (days[:, None] != loc[None, :])
        near = np.flatnonzero(rival.any(axis=0))
        for n in near:  # a start elsewhere (near-)tied: rounding picks, so pick as the per-prefix code does
            loc[n] = _location(ys[:j[n]], days[:j[n]], ys[j[n]], rule)
    else:
        ang = 2 * np.pi * days / _YEAR
        loc = (np.arctan2(np.cumsum(e * np.sin(ang))[j - 1], np.cumsum(e * np.cos(ang))[j - 1])
               * _YEAR / (2 * np.pi)) % _YEAR
    return _wrap(days[j] - loc)


# One-step deviations already computed, per series id: its record (years, days, precision) and the
# deviations under each rule. A backtest fits the snapshots of many cutoffs, where a series' record
# at an earlier cutoff usually begins its record at a later one.
_STEPS: dict = {}
_STEPS_MAX = 50_000


def _one_step_reused(sid, ys, days, precise, rule, memo):
    """:func:`_one_step`, read off the deviations of a record that begins with this one when there are some.

    The deviation of start ``j`` depends only on the starts before it, so a record that begins with
    ``(ys, days, precise)`` has the same deviations for its first starts (the same numbers: the running
    sums add the same terms in the same order), unless only one of the two records is long enough for
    :func:`_one_step` to compute one prefix at a time. ``sid`` only finds the candidate; the arrays
    decide. ``memo`` keeps the circular distances between the record's starts across rules.
    """
    n = len(ys)
    wide = (ys[-1] - ys[0]) / rule[1] > 1000.0
    kept = _STEPS.get(sid)
    if "begins" not in memo:  # once per record: does the kept record begin with this one?
        memo["begins"] = kept is not None and len(kept[0][0]) >= n and all(
            a.dtype == b.dtype and a[:n].tobytes() == b.tobytes() for a, b in zip(kept[0], (ys, days, precise)))
    if memo["begins"] and rule in kept[1]:
        hwide, at = kept[1][rule]
        if hwide == wide:
            return at[1:n][precise[1:]]
    if rule[0] == "median" and "dist" not in memo:
        memo["dist"] = np.abs(_wrap(days[:, None] - days[None, :]))
    d = _one_step(ys, days, precise, rule, memo.get("dist"))
    at = np.full(n, np.nan)
    at[np.flatnonzero(precise[1:]) + 1] = d
    if kept is None or not memo["begins"]:  # a longer (or a revised) record replaces the kept one
        if len(_STEPS) >= _STEPS_MAX:  # bounded: many catalogues in one process
            _STEPS.clear()
        kept = _STEPS[sid] = ((ys, days, precise), {})
        memo["begins"] = True
    if len(kept[0][0]) == n:
        kept[1][rule] = (wide, at)
    return d


@dataclass(frozen=True)
class PooledTimingFit:
    """What a snapshot teaches about start days: the half-life, the pooled scale and errors."""

    rule: tuple
    scale: float
    z: np.ndarray
    n_series: int
    n_errors: int
    own: dict = None  # series id -> (starts, one-step deviations under ``rule``) as the fit computed them

    zq: np.ndarray = None  # the errors the pmf uses: ``z``, or its quantile summary (see :func:`_summary`)
    zw: float = 1.0  # how many errors each value of ``zq`` stands for
    width: float = 1.0  # conformal width factor of the pmf (PooledTiming._conformal)


def _summary(z: np.ndarray) -> tuple:
    """``(values, weight)``: the pooled errors, or for more than :data:`Z_SUMMARY` of them that many evenly
    spaced order statistics, each standing for ``n / Z_SUMMARY`` errors (a quantile summary: the pmf's cost
    stays bounded on large catalogues; identical below the limit)."""
    n = len(z)
    if n <= Z_SUMMARY:
        return z, 1.0
    idx = np.round(np.linspace(0, n - 1, Z_SUMMARY)).astype(int)
    return np.sort(z)[idx], n / Z_SUMMARY


@dataclass(frozen=True)
class PooledTiming:
    """Settings of the pooled start-day model (see the module).

    Parameters
    ----------
    n0 : float
        Shrinkage of a series' scale toward the pooled scale, in errors.
    prior_n : float
        Weight of the standard Laplace prior of standardised errors, in errors.
    default_scale : float
        Scale (days) when no series of the snapshot has a one-year-ahead error.
    calibrate : bool
        Widen or narrow the pmf by the split-conformal factor of :meth:`_conformal` so its
        80 % interval holds 80 % of the pooled one-year-ahead errors.
    """

    n0: float = 3.0
    prior_n: float = 10.0
    default_scale: float = 20.0
    calibrate: bool = True
    uniform = False

    def pooled(self, snapshot) -> PooledTimingFit:
        return snapshot.memo(("pooled-timing", self), self._fit_snapshot)

    def _fit_snapshot(self, snapshot) -> PooledTimingFit:
        starts, sids = [], []
        for sid in snapshot.series_ids():
            h = snapshot.memo(("history", sid), lambda snap, s=sid: series_history(snap, s))
            ys, days, precise = series_starts(h)
            if len(ys) >= 2:
                starts.append((ys, days, precise, {}))
                sids.append(sid)
        best, devs = RULES[1], None
        best_err = np.inf
        for rule in RULES:
            d = [_one_step_reused(sid, ys, days, precise, rule, dist) for sid, (ys, days, precise, dist) in zip(sids, starts)]
            allv = np.concatenate(d) if d else np.zeros(0)
            if len(allv) and np.mean(np.abs(allv)) < best_err - 1e-9:
                best, best_err, devs = rule, float(np.mean(np.abs(allv))), d
        if devs is None:
            return PooledTimingFit(best, self.default_scale, np.zeros(0), 0, 0, None, np.zeros(0), 1.0)
        s_pool = best_err
        z, u, scales = [], [], []
        for d in devs:
            a = np.abs(d)
            # the pmf's shape: each error over its series' scale, leaving the error's own year out
            z.append(d / np.maximum(MIN_SCALE, (a.sum() - a + self.n0 * s_pool) / (len(d) - 1 + self.n0)))
            # the calibration: each error over the scale its series had when that year was forecast
            before = np.concatenate([[0.0], np.cumsum(a)[:-1]])
            scales.append(np.maximum(MIN_SCALE, (before + self.n0 * s_pool) / (np.arange(len(d)) + self.n0)))
            u.append(d / scales[-1])
        z = np.concatenate(z)
        own = {sid: (st[:3], d) for sid, st, d in zip(sids, starts, devs)}
        zq, zw = _summary(z)
        width = self._conformal(np.concatenate(u), np.concatenate(scales), zq, zw) if self.calibrate else 1.0
        return PooledTimingFit(best, s_pool, z, sum(len(d) > 0 for d in devs), int(len(z)), own, zq, zw, width)

    def _conformal(self, u, scales, zq, zw) -> float:
        """The width factor that makes the 80 % interval hold 80 % of the one-step-ahead errors.

        Split-conformal calibration (Vovk et al. 2005; Lei et al. 2018, "Distribution-free predictive
        inference for regression", *JASA* 113, sec. 2): the pmf's central 80 % interval at the
        median scale, in units of that scale, is ``[a, b]``; a one-step-ahead error ``u`` (over the
        scale its series had before it) needs the factor ``max(u / b, u / a)`` to be inside it, and the factor is the ``ceil(0.8 (n + 1))``-th
        smallest of those needs (so at least 80 % of the errors are covered), bounded to
        :data:`WIDTH_BOUNDS`. Only errors known before the cutoff enter.
        """
        if len(u) < MIN_CONFORMAL:
            return 1.0
        s_ref = float(np.median(scales))
        pmf = self._pmf(_YEAR / 2, s_ref, zq, zw)
        a, b = (quantile_days(pmf, [0.1, 0.9]) - _YEAR / 2) / s_ref
        m = self._mixture(zq, zw)[2]  # the pmf stretches about this point (see _pmf)
        if not (a < m < b):
            return 1.0
        need = np.sort(np.maximum((u - m) / (b - m), (u - m) / (a - m)))
        k = min(len(need), int(np.ceil(0.8 * (len(need) + 1)))) - 1
        return float(np.clip(need[k], *WIDTH_BOUNDS))

    def fit_in(self, snapshot, history: SeriesHistory) -> FittedTiming:
        p = self.pooled(snapshot)
        ys, days, precise = series_starts(history)
        if len(ys) == 0:
            flat = np.full(N_DAYS, 1.0 / N_DAYS)
            return FittedTiming({}, flat, 0)
        loc = _location(ys, days, history.current_year + (history.current_start is not None), p.rule)
        kept = (p.own or {}).get(history.info.id)
        same = kept is not None and all(np.array_equal(a, b) for a, b in zip(kept[0], (ys, days, precise)))
        own = np.abs(kept[1] if same else _one_step(ys, days, precise, p.rule))
        s = max(MIN_SCALE, (own.sum() + self.n0 * p.scale) / (len(own) + self.n0))
        pmf = self._pmf(loc, s, p.zq, p.zw, p.width)
        return FittedTiming({}, pmf, int(len(ys)))

    def _mixture(self, z, wz):
        """The standardised errors of the pmf and their weights: the pooled errors (each of weight ``wz``)
        and a standard Laplace law (``prior_n`` pseudo-errors at its quantiles); and their weighted median."""
        q = (np.arange(64) + 0.5) / 64
        lap = np.where(q < 0.5, np.log(2 * q), -np.log(2 - 2 * q))
        x = np.r_[z, lap]
        w = np.r_[np.full(len(z), wz), np.full(64, self.prior_n / 64)]
        order = np.argsort(x, kind="stable")
        c = np.cumsum(w[order])
        return x, w, float(x[order][np.searchsorted(c, 0.5 * c[-1])])

    def _pmf(self, loc, s, z, wz=1.0, width=1.0):
        # the width factor stretches the errors about their median, so the median start stays put
        x, w, m = self._mixture(z, wz)
        off = (m + width * (x - m)) * s
        days = np.round(loc + off).astype(int) % int(_YEAR)
        hist = np.bincount(days, weights=w, minlength=int(_YEAR)).astype(float)
        bw = max(2.0, s / 4.0)
        k = np.arange(int(_YEAR))
        k = np.minimum(k, int(_YEAR) - k)  # circular distance
        kern = np.exp(-0.5 * (k / bw) ** 2)
        sm = np.maximum(np.real(np.fft.ifft(np.fft.fft(hist) * np.fft.fft(kern))), 0.0)
        sm = sm / sm.sum() * (1 - _FLOOR) + _FLOOR / _YEAR
        out = np.zeros(N_DAYS)
        out[: int(_YEAR)] = sm
        return out / out.sum()
