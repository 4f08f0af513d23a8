"""Every event of a series on simulated calendars, so that any window of dates can be asked about.

:meth:`drillcast.forecasting.Forecast.sample` draws whole calendars: per path
(one parameter draw each), every year's outcome and the start day of its first
event. A window of dates (the twelve months after the as-of date, "between 1
March and 30 June 2027") can span two calendar years and, for a multi-event
series, hold a year's second or third event, so :func:`simulate` extends each
path with, per year:

- the number of events of a held year, from the forecast's count distribution
  given held (``count_pmf[k] / p_held``, k >= 1); in the current year, when events
  are already held, the number still to come (``count_pmf[held:]``);
- the start days of the events after the first (or, in the current year, after the
  evidence date), drawn after it from the distribution of every past event's start
  day smoothed by a :data:`SMOOTH_DAYS`-day moving window (with a 1 % uniform floor);
  the forecast uses the same empirical spread for the events still to come this year;
- whether each tracked participant takes part in the year's events, with the
  forecast's probability given held (``participants[c] / p_held``);

and keeps the events the catalogue records as held (facts) as they are. Paths that
put a first start in a gap year (after the catalogue's coverage, before the current
year) on or before the evidence date are dropped: the catalogue's silence rules
those out, as the forecast's truncation does in the current year.

Probabilities of events in a window are shares of paths, with the cluster-robust
Monte Carlo error of :meth:`drillcast.forecasting.CalendarSample.probability`.
Every window of the same paths is answered from the same draws, so a window
inside another never gets the higher probability.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from drillcast.data.history import day_of_year, days_in_year

__all__ = ["Fact", "EventPaths", "simulate", "facts_of", "qualifying_facts", "SMOOTH_DAYS"]

SMOOTH_DAYS = 15


@dataclass(frozen=True)
class Fact:
    """A primary event the catalogue records as held.

    Attributes
    ----------
    id, name : str
    day : datetime.date
        First possible day of its start.
    start : str
        The start as the catalogue gives it (``2026-09-15``, ``2026-09``).
    label : str
        Direction (rotating series; ``other`` if not one of the series'), else ``held``.
    participants : frozenset of str
    source : str
        Its first source.
    """

    id: str
    name: str
    day: _dt.date
    start: str
    label: str
    participants: frozenset
    source: str

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "start": self.start, "direction": self.label,
                "participants": sorted(self.participants), "source": self.source}


def facts_of(snapshot, series: str) -> tuple:
    """The primary events of ``series`` the snapshot records as held, oldest first."""
    info = snapshot.get_series(series)
    out = []
    for r in snapshot.events(series):
        if r["status"] != "held" or not r["primary"]:
            continue
        label = (r["direction"] if r["direction"] in info.directions else "other") if info.rotating else "held"
        out.append(Fact(r["id"], r["name"], r["start"].low, r["start"].text, label, frozenset(r["participants"]),
                        r["sources"][0] if r["sources"] else ""))
    return tuple(sorted(out, key=lambda f: (f.day, f.id)))


def qualifying_facts(facts, start, end, *, direction=None, participants=()) -> list:
    """The facts starting in ``[start, end]`` of ``direction`` (if given) with every one of ``participants``."""
    return [f for f in facts if start <= f.day <= end and (direction is None or f.label == direction)
            and set(participants) <= f.participants]


@dataclass(frozen=True)
class EventPaths:
    """Simulated calendars of one series: every event's start day on every path.

    Attributes
    ----------
    series : str
    categories : tuple of str
    years : tuple of int
        The years simulated (gap years first, then from the as-of year on).
    days : ndarray (n, Y, M) of int
        Proleptic ordinal (:meth:`datetime.date.toordinal`) of each event's start; 0 where none.
    labels : ndarray (n, Y) of int
        Index into ``categories`` of each year's outcome.
    takes_part : dict of str to ndarray (n, Y) of bool
        Whether each tracked participant takes part in the year's events.
    clusters : ndarray (n,) or None
        Parameter draw of each path (paths of one draw are dependent).
    facts : tuple of Fact
    evidence_date : datetime.date
        Nothing after it is a fact; no path has an event on or before it.
    """

    series: str
    categories: tuple
    years: tuple
    days: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)
    takes_part: dict = field(repr=False)
    clusters: np.ndarray | None = field(repr=False)
    facts: tuple = ()
    evidence_date: _dt.date | None = None

    @property
    def n(self) -> int:
        return self.days.shape[0]

    def _in(self, lo: _dt.date, hi: _dt.date) -> np.ndarray:
        return (self.days >= lo.toordinal()) & (self.days <= hi.toordinal())

    def _qualifies(self, direction, participants) -> np.ndarray:
        """(n, Y) bool: the year's events are of ``direction`` with every one of ``participants``."""
        ok = np.ones(self.labels.shape, dtype=bool)
        if direction is not None:
            ok &= self.labels == self.categories.index(direction)
        for c in participants:
            ok &= self.takes_part[c]
        return ok

    def counts(self, lo, hi, *, direction=None, participants=()) -> np.ndarray:
        """Per path, the simulated events (facts excluded) starting in ``[lo, hi]`` that qualify."""
        per_year = self._in(lo, hi).sum(axis=2)
        return (per_year * self._qualifies(direction, participants)).sum(axis=1)

    def facts_in(self, lo, hi, *, direction=None, participants=()) -> list:
        """The facts starting in ``[lo, hi]`` that qualify."""
        return qualifying_facts(self.facts, lo, hi, direction=direction, participants=participants)

    def first(self, lo, hi) -> tuple[np.ndarray, np.ndarray]:
        """Per path, the ordinal of the first simulated start in ``[lo, hi]`` (0: none) and its year's index."""
        big = np.iinfo(np.int64).max
        d = np.where(self._in(lo, hi), self.days, big).reshape(self.n, -1)
        k = d.argmin(axis=1)
        first = d[np.arange(self.n), k]
        return np.where(first == big, 0, first), k // self.days.shape[2]

    def first_in_year(self, lo, hi, j: int) -> np.ndarray:
        """Per path, the ordinal of the first simulated start in ``[lo, hi]`` in year ``years[j]`` (int64 max: none)."""
        return np.where(self._in(lo, hi)[:, j, :], self.days[:, j, :], np.iinfo(np.int64).max).min(axis=1)

    def year_has(self, lo, hi) -> np.ndarray:
        """(n, Y) bool: the year has a simulated start in ``[lo, hi]``."""
        return self._in(lo, hi).any(axis=2)

    def probability(self, mask) -> tuple[float, float]:
        """Share of paths where ``mask`` holds and its cluster-robust Monte Carlo standard error."""
        from drillcast.forecasting import CalendarSample

        s = CalendarSample(self.years, self.categories, self.labels, self.labels, self.clusters)
        return s.probability(mask)


def _later_pmf(event_days: np.ndarray) -> np.ndarray:
    """Smoothed distribution (366 days) of every past event's start day, with a 1 % uniform floor."""
    hist = np.bincount(np.clip(np.asarray(event_days, dtype=int), 0, 365), minlength=366).astype(float)
    if hist.sum() > 0:
        k = np.ones(SMOOTH_DAYS) / SMOOTH_DAYS
        hist = np.convolve(np.concatenate([hist[-SMOOTH_DAYS:], hist, hist[:SMOOTH_DAYS]]), k, "same")
        hist = hist[SMOOTH_DAYS:-SMOOTH_DAYS]
        hist = 0.99 * hist / hist.sum()
    return hist + 0.01 / 366 if hist.sum() > 0 else np.full(366, 1.0 / 366)


def _draw_counts(pmf: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` draws of 0, 1, 2, ... from ``pmf``."""
    pmf = np.asarray(pmf, dtype=float)
    if pmf.sum() <= 0:
        return np.zeros(n, dtype=int)
    cdf = np.cumsum(pmf / pmf.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(n), side="right")


def _days_after(after: np.ndarray, k: np.ndarray, pmf: np.ndarray, n_days: int, rng) -> np.ndarray:
    """(n, max k) start days drawn from ``pmf`` after each path's day ``after`` (-1 beyond each path's k).

    Only the ``k.sum()`` days wanted are drawn (most paths have none or one).
    """
    width = int(k.max()) if k.size else 0
    out = np.full((len(after), width), -1)
    if width == 0:
        return out
    rows = np.repeat(np.arange(len(after)), k)
    cols = np.arange(len(rows)) - np.repeat(np.cumsum(k) - k, k)
    p = pmf[:n_days] / pmf[:n_days].sum()
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    a = after[rows]
    base = np.where(a >= 0, cdf[np.clip(a, 0, n_days - 1)], 0.0)
    day = np.minimum(np.searchsorted(cdf, base + rng.random(len(rows)) * (1.0 - base), side="left"), n_days - 1)
    day = np.maximum(day, a + 1)  # rounding at the top of the cdf
    ok = day < n_days
    out[rows[ok], cols[ok]] = day[ok]
    return out


def simulate(forecast, history, facts, *, n: int, seed: int) -> EventPaths:
    """Draw ``n`` calendars of every event of the forecast's years (see the module docstring).

    Parameters
    ----------
    forecast : Forecast
        An ``ok`` forecast of the years to simulate (made by the same forecaster as ``history``).
    history : SeriesHistory
    facts : tuple of Fact
    n, seed : int
    """
    h = history
    sample = forecast.sample(n, seed=seed)
    rng = np.random.default_rng([seed, 0x57])
    none = len(forecast.categories) - 1
    multi = h.info.multi_event
    later = _later_pmf(h.event_days) if multi else None
    ev = h.evidence_date or h.as_of
    Y = len(forecast.years)
    cols, keep = [], np.ones(n, dtype=bool)
    takes = {c: np.zeros((n, Y), dtype=bool) for c in h.participation}
    for j, yf in enumerate(forecast.years):
        y = yf.year
        D = days_in_year(y)
        first = sample.start_day[:, j].astype(int)
        held = sample.outcomes[:, j] != none
        if y < h.current_year and ev.year == y:  # a gap year: starts up to the evidence date are ruled out
            keep &= ~(held & (first <= day_of_year(ev)))
        if y == h.current_year and h.current_outcome is not None:
            # the year's held events are facts; a multi-event series may hold more after the evidence date
            first = np.full(n, -1)
            more = _draw_counts(yf.count_pmf[h.current_count:], n, rng) if multi else np.zeros(n, dtype=int)
            extra = _days_after(np.full(n, h.evidence_day), more, later, D, rng) if multi else None
        else:
            first = np.where(held, first, -1)
            extra = None
            if multi:
                given = np.asarray(yf.count_pmf, dtype=float)[1:]
                k = np.where(held, _draw_counts(given, n, rng), 0)  # events after the first
                extra = _days_after(first, k, later, D, rng)
        block = first[:, None] if extra is None else np.concatenate([first[:, None], extra], axis=1)
        jan1 = _dt.date(y, 1, 1).toordinal()
        cols.append(np.where(block >= 0, jan1 + block, 0))
        for c in takes:
            p = yf.participants.get(c, 0.0) / yf.p_held if yf.p_held > 0 else 0.0
            takes[c][:, j] = rng.random(n) < min(1.0, p)
    width = max(c.shape[1] for c in cols)
    days = np.zeros((n, Y, width), dtype=np.int64)
    for j, c in enumerate(cols):
        days[:, j, :c.shape[1]] = c
    clusters = sample.clusters[keep] if sample.clusters is not None else None
    return EventPaths(forecast.series, tuple(forecast.categories), tuple(yf.year for yf in forecast.years),
                      days[keep], sample.outcomes[keep], {c: v[keep] for c, v in takes.items()}, clusters,
                      tuple(facts), ev)
