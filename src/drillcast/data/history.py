"""A series' history as yearly arrays: what every model, score and test reads.

:func:`series_history` turns a catalogue snapshot into one
:class:`SeriesHistory`: per year from the series' first event to the last
complete year before the snapshot date, the outcome label, the event count,
the first start date (as an interval of day-of-year, honest about precision)
and the participation of regular participants. Known announcements for the
current and later years are kept apart, in :attr:`SeriesHistory.announced`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from drillcast.data.catalogue import OTHER, Catalogue, SeriesInfo

__all__ = ["SeriesHistory", "Announcement", "series_history", "day_of_year", "days_in_year"]


def days_in_year(year: int) -> int:
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def day_of_year(d: _dt.date) -> int:
    """0-based day of the year (1 January is 0)."""
    return d.timetuple().tm_yday - 1


@dataclass(frozen=True)
class Announcement:
    """An event known on the snapshot date that has not (surely) started.

    Attributes
    ----------
    id, name : str
    year : int
    label : str
        Outcome label it would produce (a direction, ``other`` or ``held``).
    start_lo, start_hi : int
        Day-of-year interval of its announced start.
    participants : tuple of str
    """

    id: str
    name: str
    year: int
    label: str
    start_lo: int
    start_hi: int
    participants: tuple = ()


@dataclass(frozen=True)
class SeriesHistory:
    """The yearly record of one series as known on ``as_of``.

    Attributes
    ----------
    info : SeriesInfo
    as_of : datetime.date
    categories : tuple of str
        Outcome labels; the last is always ``"none"``.
    years : ndarray of int
        Complete years, consecutive, from the first known event's year to
        ``as_of.year - 1`` (the current year is in ``current``), less any trailing
        years after the catalogue's coverage (``evidence_date``) with nothing held:
        those are unknown, and forecasts marginalise over them (:attr:`gap_years`).
    outcomes : ndarray of int
        Index into ``categories`` per year (the year's primary held event).
    known : ndarray of bool
        False for a past year whose only primary event is still reported as
        announced (neither held nor cancelled): its outcome is unknown, and
        models and scores leave it out rather than count it as ``none``.
    counts : ndarray of int
        Number of held primary events per year.
    start_lo, start_hi : ndarray of float
        Day-of-year interval of the year's first held start (NaN if none).
    participation : dict of str to ndarray of float
        Per regular participant and year: 1 took part, 0 did not (observers
        count as 0), NaN no event.
    current_year : int
        ``as_of.year``: the first year to forecast.
    current_outcome : int or None
        Outcome already realised in the current year (an event has surely
        started by ``as_of``), else None.
    current_count : int
        Events already held in the current year.
    current_start : tuple of (int, int) or None
        Day-of-year interval of the current year's first held start.
    announced : tuple of Announcement
        Known, not yet started events of the current and later years.
    cancelled : tuple of (int, str)
        ``(year, label)`` of known cancellations or postponements in the current and later years.
    n_events : int
        Held primary events used (including the current year's).
    event_days : ndarray of int
        Start day-of-year (first possible day) of every held primary event, not
        only each year's first (how a multi-event series spreads over the year).
    evidence_date : datetime.date
        ``min(as_of, checked_through)``: the last day on which the catalogue's
        silence is evidence. A past year after it with nothing held is unknown
        (``known`` False), and in the current year only starts after it count as
        ruled out.
    current_held : tuple of (str, str, str)
        ``(name, start, first source)`` of each primary event held in the current year: facts, not estimates.
    """

    info: SeriesInfo
    as_of: _dt.date
    categories: tuple
    years: np.ndarray = field(repr=False)
    outcomes: np.ndarray = field(repr=False)
    known: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    start_lo: np.ndarray = field(repr=False)
    start_hi: np.ndarray = field(repr=False)
    participation: dict = field(repr=False)
    current_year: int = 0
    current_outcome: int | None = None
    current_count: int = 0
    current_start: tuple | None = None
    current_participants: tuple = ()
    announced: tuple = ()
    cancelled: tuple = ()
    n_events: int = 0
    event_days: np.ndarray = field(default=None, repr=False)
    evidence_date: _dt.date | None = None
    current_held: tuple = ()

    @property
    def evidence_day(self) -> int:
        """Day of the current year up to which a start is ruled out by the catalogue's silence (-1: none)."""
        ev = self.evidence_date or self.as_of
        return day_of_year(ev) if ev.year == self.current_year else -1

    @property
    def gap_years(self) -> list:
        """Years between the last known year and the current one: unknown, forecast rather than assumed."""
        start = int(self.years[-1]) + 1 if len(self.years) else self.current_year
        return list(range(start, self.current_year))

    @property
    def coverage_gap(self) -> bool:
        """True when the catalogue was not checked up to the as-of date."""
        return self.evidence_date is not None and self.evidence_date < self.as_of

    @property
    def none_index(self) -> int:
        return len(self.categories) - 1

    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def labels(self) -> list[str]:
        return [self.categories[i] for i in self.outcomes]

    def held(self) -> np.ndarray:
        return self.outcomes != self.none_index

    def observed(self) -> tuple[np.ndarray, np.ndarray]:
        """Years and outcomes whose outcome is known, including the current year if already realised."""
        ys, os_ = self.years[self.known], self.outcomes[self.known]
        if self.current_outcome is not None:
            ys = np.append(ys, self.current_year)
            os_ = np.append(os_, self.current_outcome)
        return ys.astype(int), os_.astype(int)


def _label(info: SeriesInfo, r) -> str:
    if not info.rotating:
        return "held"
    return r["direction"] if r["direction"] in info.directions else OTHER


def series_history(catalogue: Catalogue, series: str, as_of: _dt.date | None = None) -> SeriesHistory:
    """Build the yearly history of ``series`` from a snapshot.

    Parameters
    ----------
    catalogue : Catalogue
        Usually ``catalogue.as_of(date)``. If it is not a snapshot, ``as_of``
        must be given and the snapshot is taken here.
    series : str
    as_of : datetime.date, optional
    """
    if not isinstance(catalogue, Catalogue):
        from drillcast.errors import ParameterError

        raise ParameterError("catalogue", f"{type(catalogue).__name__} is not a catalogue; give a snapshot such as "
                                          "load_catalogue().as_of(datetime.date(2025, 1, 1))")
    if as_of is not None and catalogue.as_of_date != as_of:
        catalogue = catalogue.as_of(as_of)
    as_of = catalogue.as_of_date
    if as_of is None:
        raise ValueError("series_history needs a snapshot: call catalogue.as_of(date) first")
    info = catalogue.get_series(series)
    cats = info.categories
    cat_index = {c: i for i, c in enumerate(cats)}
    none = len(cats) - 1
    cur = as_of.year
    events = [r for r in catalogue.events(series) if r["primary"]]
    held_by_year: dict[int, list] = {}
    unresolved = set()
    announced = []
    cancelled = []
    known_years = []
    for r in events:
        y = r["start"].low.year
        status = r["status"]
        if status == "held":
            held_by_year.setdefault(y, []).append(r)
            known_years.append(y)
        elif status == "announced":
            if y < cur:
                unresolved.add(y)
            else:
                lo, hi = r["doy"]
                announced.append(Announcement(r["id"], r["name"], y, _label(info, r), lo, hi, r["participants"]))
        elif status in ("cancelled", "postponed"):
            known_years.append(y)
            if y >= cur:
                cancelled.append((y, _label(info, r)))
    first = min(known_years) if known_years else cur
    first = min(first, cur)
    years = np.arange(first, cur, dtype=int)

    def year_summary(rs):
        r0 = rs[0]  # records come sorted by start date
        s_lo, s_hi = r0["doy"]
        who = set()
        for r in rs:
            who.update(r["participants"])
        return cat_index[_label(info, r0)], len(rs), (s_lo, s_hi), who

    evidence = catalogue.evidence_date(series)
    # A past year with nothing held is "none" only if the catalogue was checked through its end.
    checked_to = evidence.year if (evidence.month, evidence.day) == (12, 31) else evidence.year - 1
    known = [y in held_by_year or (y not in unresolved and y <= checked_to) for y in range(first, cur)]
    # Trailing years the catalogue's coverage does not reach are not history at all: forecasts
    # marginalise over them (drillcast.forecasting) instead of reading them as "none".
    n = len(known)
    while n and not known[n - 1] and first + n - 1 > checked_to:
        n -= 1
    years, known = years[:n], np.array(known[:n], dtype=bool)
    outcomes = np.full(n, none, dtype=int)
    counts = np.zeros(n, dtype=int)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    parts = {c: np.full(n, np.nan) for c in info.regular_participants}
    # every held year's summary (year_summary, inlined: the pooled models build every series' history
    # at every backtest cutoff), written into the arrays at once
    rows = [y - first for y in held_by_year if y - first < n]
    if rows:
        firsts = [held_by_year[first + i] for i in rows]
        outcomes[rows] = [cat_index[_label(info, rs[0])] for rs in firsts]
        counts[rows] = [len(rs) for rs in firsts]
        lo[rows] = [rs[0]["doy"][0] for rs in firsts]
        hi[rows] = [rs[0]["doy"][1] for rs in firsts]
        if parts:
            whos = [rs[0]["participants"] if len(rs) == 1 else set().union(*(r["participants"] for r in rs))
                    for rs in firsts]
            for c, v in parts.items():
                v[rows] = [1.0 if c in who else 0.0 for who in whos]
    cur_outcome = None
    cur_count = 0
    cur_start = None
    cur_parts: tuple = ()
    cur_held: tuple = ()
    if cur in held_by_year:
        cur_outcome, cur_count, cur_start, who = year_summary(held_by_year[cur])
        cur_parts = tuple(sorted(who))
        cur_held = tuple((r["name"], r["start"].text, r["sources"][0] if r["sources"] else "")
                         for r in held_by_year[cur])
    n_events = int(counts.sum()) + cur_count
    event_days = np.array([r["doy"][0] for rs in held_by_year.values() for r in rs], dtype=int)
    return SeriesHistory(
        info=info, as_of=as_of, categories=cats, years=years, outcomes=outcomes, known=known, counts=counts,
        start_lo=lo, start_hi=hi, participation=parts, current_year=cur, current_outcome=cur_outcome,
        current_count=cur_count, current_start=cur_start, current_participants=cur_parts,
        announced=tuple(sorted(announced, key=lambda a: (a.year, a.start_lo))), cancelled=tuple(sorted(cancelled)),
        n_events=n_events, event_days=event_days, evidence_date=evidence,
        current_held=cur_held,
    )
