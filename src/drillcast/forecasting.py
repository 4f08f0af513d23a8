"""Probabilistic forecasts of a series: which outcome, when, how many, who.

:class:`Forecaster` assembles, for every model alike, the pieces that a
year's forecast needs:

1. the outcome model's predictive probabilities (:mod:`drillcast.models`);
2. what is already known on the as-of date, which overrides the model:
   an exercise that has started this year fixes the year's outcome; an
   announced exercise gets probability ``1 - p_cancel`` and its cancellation
   goes to ``none``, where ``p_cancel`` is a Beta(1, 1) posterior over how
   often announced exercises in the catalogue were cancelled or postponed
   (Zapad-2023); a reported cancellation leaves the year empty unless a
   replacement comes, with a Beta(1, 1) posterior over how often cancelled
   exercises were replaced within the year; late in a year with nothing started or announced, the held
   outcomes are multiplied by the probability of a start after the as-of date,
   ``P(held | not started by t) = p S(t) / (p S(t) + 1 - p)``;
3. the start day (:mod:`drillcast.models.timing`), mixed over the held outcomes
   and truncated to days after the as-of date in the current year;
4. counts per year: at most one for a single-event series; for a
   multi-event series ``count | held = 1 + X`` with X from a count model of
   :mod:`drillcast.models.counts` (recency-weighted Gamma-Poisson, or a Poisson GLM
   with a trend);
5. participation of each regular participant: a defining member (one that took
   part in every edition on record) takes part whenever the series is held;
   for the others a Beta(1, 1) prior updated by recency-weighted (half-life 4
   years) participation in held years; the reported probability is
   unconditional, ``p_held * P(takes part | held)``.

What is known is bounded by the catalogue's coverage: the evidence that an
exercise has *not* started runs only to ``min(as_of, checked_through)``
(:attr:`drillcast.data.history.SeriesHistory.evidence_date`). After that the
state is unknown, so survival and start-date truncation use that date, not the
as-of date.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

import numpy as np

from drillcast._words import plural
from drillcast.errors import ParameterError
from drillcast._params import check_horizon, check_seed
from drillcast.data.catalogue import Catalogue
from drillcast.data.history import SeriesHistory, day_of_year, days_in_year, series_history
from drillcast.models import DEFAULT_MODEL, OutcomeModel, get_model
from drillcast.models.counts import MAX_COUNT
from drillcast.models.timing import TimingModel, quantile_days

__all__ = ["Forecaster", "Forecast", "YearForecast", "CalendarSample", "forecast", "QUANTILES",
           "announcement_reliability"]

QUANTILES = {"q025": 0.025, "q10": 0.10, "q25": 0.25, "median": 0.5, "q75": 0.75, "q90": 0.90, "q975": 0.975}
MIN_EVENTS, MIN_YEARS = 2, 3
START_NULL_BELOW = 0.05  # a year's start is null when p_held is below this


def announcement_reliability(snapshot: Catalogue) -> tuple[int, int, int, int]:
    """What the snapshot says about announcements and cancellations, pooled over every series.

    Returns ``(cancelled, held_after_announcement, replaced, not_replaced)``:
    exercises announced ahead (``first_reported`` before the start) that were
    cancelled or postponed vs held; and, of the cancellations of a primary
    exercise in a past year, how many were replaced by another primary
    exercise of the same series in the same year.
    """
    cancelled = held = 0
    year = snapshot.as_of_date.year if snapshot.as_of_date else 10**6
    held_years, past_cancelled = set(), []  # one pass over the records (every backtest cutoff takes one)
    for r in snapshot.records:
        status = r["status"]
        if status == "held":
            start = r["start"].low
            if r["primary"]:
                held_years.add((r["series"], start.year))
            if r["first_reported"] is not None and r["first_reported"].high < start:
                held += 1
        elif status in ("cancelled", "postponed"):
            cancelled += 1
            if r["primary"] and r["start"].low.year < year:
                past_cancelled.append((r["series"], r["start"].low.year))
    replaced = sum(key in held_years for key in past_cancelled)
    return cancelled, held, replaced, len(past_cancelled) - replaced


@dataclass(frozen=True)
class YearForecast:
    """The forecast of one year.

    Attributes
    ----------
    year : int
    outcomes : dict of str to float or None
        Probability of each outcome label (rotating series), summing to 1.
    p_held : float
        Probability that at least one event of the series is held.
    expected_count : float
    count_interval : tuple of int
        80 % predictive interval of the number of events (10 % and 90 % quantiles).
    start : dict of str to str or None
        Quantiles of the start date of the year's first event, given it is held.
    start_pmf : ndarray
        Predictive probabilities of each day of the year (given held).
    participants : dict of str to float
        Unconditional probability that each regular participant takes part.
    known : str
        What the as-of date already tells about the year ("" if nothing).
    count_pmf : ndarray
        Probability of 0, 1, 2, ... events in the year.
    held_events : tuple of (str, str, str)
        ``(name, start, source)`` of events already held in the year: facts,
        not estimates (the year's occurrence is then certain).
    """

    year: int
    outcomes: dict | None
    p_held: float
    expected_count: float
    count_interval: tuple
    start: dict | None
    start_pmf: np.ndarray = field(repr=False, compare=False)
    participants: dict = field(default_factory=dict)
    known: str = ""
    count_pmf: np.ndarray = field(default=None, repr=False, compare=False)
    held_events: tuple = ()

    @property
    def settled(self) -> bool:
        """True when an event of the year has already been held (a fact, not a forecast)."""
        return bool(self.held_events)

    def to_dict(self) -> dict:
        d = {"year": self.year}
        if self.outcomes is not None:
            d["outcomes"] = {k: _r(v) for k, v in self.outcomes.items()}
        d["p_held"] = _r(self.p_held)
        d["expected_count"] = _r(self.expected_count)
        d["count_80"] = list(self.count_interval)
        d["start"] = self.start
        d["participants"] = {k: _r(v) for k, v in self.participants.items()}
        if self.known:
            d["known"] = self.known
        if self.held_events:
            d["held_events"] = [{"name": n, "start": s, "source": src} for n, s, src in self.held_events]
        return d


def _r(x: float) -> float:
    return float(round(float(x), 4))


@dataclass(frozen=True)
class CalendarSample:
    """Simulated future calendars: one row per path.

    Attributes
    ----------
    years : tuple of int
    categories : tuple of str
    outcomes : ndarray (n, H) of int
        Index into ``categories``.
    start_day : ndarray (n, H) of int
        Day-of-year of the start (-1 where no event).
    """

    years: tuple
    categories: tuple
    outcomes: np.ndarray = field(repr=False)
    start_day: np.ndarray = field(repr=False)
    clusters: np.ndarray = field(default=None, repr=False)

    def labels(self) -> np.ndarray:
        return np.asarray(self.categories, dtype=object)[self.outcomes]

    def is_(self, year: int, label: str) -> np.ndarray:
        """Boolean per path: the outcome of ``year`` is ``label``."""
        return self.outcomes[:, self.years.index(year)] == self.categories.index(label)

    def probability(self, mask: np.ndarray) -> tuple[float, float]:
        """Share of paths where ``mask`` holds, and its Monte Carlo standard error.

        Paths that share a parameter draw (``clusters``) are dependent, so the error is the
        cluster-robust one, ``sqrt(sum_c (sum_{i in c} (x_i - p))^2) / n`` over draws ``c``
        (Cameron & Miller 2015); with one path per draw it is the binomial ``sqrt(p (1 - p) / n)``.
        """
        x = np.asarray(mask, dtype=float)
        n = len(x)
        p = float(np.mean(x))
        if self.clusters is None:
            return p, math.sqrt(p * (1 - p) / n)
        _, inv = np.unique(self.clusters, return_inverse=True)
        sums = np.bincount(inv, weights=x - p)
        return p, float(math.sqrt(np.sum(sums ** 2)) / n)


@dataclass(frozen=True)
class Forecast:
    """A forecast of one series for several years, as of a date.

    Attributes
    ----------
    series, series_name, kind, model : str
    status : {"ok", "insufficient_data"}
    reason : str
    as_of : datetime.date
    seed : int
    n_events_used, n_years_used : int
    categories : tuple of str
    years : tuple of YearForecast
    p_cancel : float
        Posterior mean probability that an announced exercise is cancelled.
    model_info : dict
        Fitted parameters (e.g. posterior over the period or the change year).
    track_record : dict or None
        Filled by :func:`drillcast.evaluation.backtest.track_record` when asked for.
    """

    series: str
    series_name: str
    kind: str
    model: str
    status: str
    reason: str
    as_of: _dt.date
    seed: int
    n_events_used: int
    n_years_used: int
    categories: tuple
    years: tuple
    p_cancel: float = 0.0
    model_info: dict = field(default_factory=dict)
    track_record: dict | None = None
    _sampler: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "years", tuple(self.years))

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def year(self, y: int) -> YearForecast:
        for yf in self.years:
            if yf.year == y:
                return yf
        raise KeyError(y)

    def with_track_record(self, record: dict) -> "Forecast":
        from dataclasses import replace

        return replace(self, track_record=record)

    def to_dict(self) -> dict:
        d = {
            "series": self.series, "series_name": self.series_name, "kind": self.kind, "model": self.model,
            "status": self.status,
        }
        if self.reason:
            d["reason"] = self.reason
        d.update({
            "n_events_used": self.n_events_used, "n_years_used": self.n_years_used,
            "p_cancel_announced": _r(self.p_cancel),
            "years": [y.to_dict() for y in self.years],
            "model_info": self.model_info,
        })
        if self.track_record is not None:
            d["track_record"] = self.track_record
        return d

    def to_frame(self):
        """One row per year (and outcome probability columns ``p_<label>``)."""
        import pandas as pd

        rows = []
        for y in self.years:
            row = {"series": self.series, "model": self.model, "as_of": self.as_of.isoformat(), "year": y.year}
            if y.outcomes:
                row.update({f"p_{k}": v for k, v in y.outcomes.items()})
            row.update({"p_held": y.p_held, "expected_count": y.expected_count,
                        "count_q10": y.count_interval[0], "count_q90": y.count_interval[1]})
            for q in QUANTILES:
                row[f"start_{q}"] = (y.start or {}).get(q)
            row.update({f"participant_{k}": v for k, v in y.participants.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def sample(self, n: int = 10_000, seed: int | None = None) -> CalendarSample:
        """Draw ``n`` whole future calendars (outcomes and start days), vectorised.

        Paths carry parameter uncertainty (one parameter draw per path), so
        joint questions such as "Zapad in both 2027 and 2029" are answered
        correctly, not as products of marginals.
        """
        if not self.ok:
            raise ValueError(f"{self.series}: no forecast to sample ({self.reason})")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 10_000_000:
            raise ParameterError("n", f"{n!r} is not allowed; give a whole number of calendars from 1 to 10000000")
        rng = np.random.default_rng(self.seed if seed is None else check_seed(seed))
        return self._sampler(n, rng)


# --------------------------------------------------------------------------- assembly


def _check_settings(f: "Forecaster") -> None:
    """The settings of a :class:`Forecaster`, checked when it is made (ParameterError naming the parameter)."""
    from drillcast.models.names import check_count_model, check_model_name

    if not isinstance(f.model, OutcomeModel) and not (isinstance(f.model, str) and f.model == "default"):
        check_model_name(f.model)
    check_count_model(f.counts)
    for name in ("count_half_life", "participation_half_life"):
        v = getattr(f, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf:
            raise ParameterError(name, f"{v!r} is not allowed; give a positive number of years, e.g. 3")
    if not (isinstance(f.timing, str) and f.timing == "default") and not (hasattr(f.timing, "fit") or hasattr(f.timing, "fit_in")):
        raise ParameterError("timing", f"{f.timing!r} is not a timing model; give 'default' or a TimingModel")


def _check_years(years) -> list[int]:
    """``years`` as a list of whole years (1 to :data:`HORIZON_MAX` of them, each from the first knowledge year
    to :data:`HORIZON_MAX` years after the last), or ParameterError."""
    from drillcast._params import HORIZON_MAX
    from drillcast.data.dates import MAX_YEAR, MIN_YEAR

    if isinstance(years, (str, bytes)) or not hasattr(years, "__iter__"):
        raise ParameterError("years", f"{years!r} is not a list of years; give e.g. [2027, 2028]")
    years = list(years)
    top = MAX_YEAR + HORIZON_MAX
    bad = [y for y in years if isinstance(y, bool) or not isinstance(y, (int, np.integer)) or not MIN_YEAR <= y <= top]
    if bad:
        raise ParameterError("years", f"{bad[0]!r} is not a year; give whole years from {MIN_YEAR} to {top}, "
                                      "e.g. [2027, 2028]")
    check_horizon(len(years), parameter="years")
    return [int(y) for y in years]


def _decay_weights(years: np.ndarray, ref: int, half_life: float) -> np.ndarray:
    return 0.5 ** ((ref - years) / half_life)


@dataclass(frozen=True)
class Forecaster:
    """Settings of a forecast: the outcome model and the shared components.

    Parameters
    ----------
    model : str or OutcomeModel
        A name from :data:`drillcast.models.MODELS`, or ``"default"`` for
        the evidence-backed default of the series' kind.
    timing : "default", TimingModel or PooledTiming
        Start-day model; the default is :class:`drillcast.models.pooled_timing.PooledTiming`
        (location per series, spread pooled over every series of the snapshot).
    counts : {"gamma-poisson", "glm-trend"}
        Model of the number of events of a multi-event series, given at least
        one (:mod:`drillcast.models.counts`).
    count_half_life, participation_half_life : float
        Recency weighting (years) of the count and participation components.

    Examples
    --------
    >>> from drillcast import load_catalogue, Forecaster
    >>> snap = load_catalogue().as_of(datetime.date(2025, 1, 1))   # doctest: +SKIP
    >>> fc = Forecaster("calendar").fit(snap, "russia-strategic").forecast(horizon=2)  # doctest: +SKIP
    """

    model: object = "default"
    timing: object = "default"
    counts: str = "default"
    count_half_life: float = 3.0
    participation_half_life: float = 4.0

    def __post_init__(self):
        _check_settings(self)

    def fit(self, snapshot: Catalogue, series: str) -> "FittedForecaster":
        """Fit on one series of ``snapshot`` (a catalogue as of a date: ``catalogue.as_of(day)``)."""
        if not isinstance(snapshot, Catalogue):
            raise ParameterError("snapshot", f"{type(snapshot).__name__} is not a catalogue; give a snapshot such as "
                                             "load_catalogue().as_of(datetime.date(2025, 1, 1))")
        if not isinstance(series, str):
            raise ParameterError("series", f"{series!r} is not a series id; give one id such as 'russia-strategic'")
        snapshot.get_series(series)  # an unknown id: ParameterError("series") with the known ids
        hist = snapshot.memo(("history", series), lambda snap: series_history(snap, series))
        return FittedForecaster(self, hist, snapshot.memo("announcement_reliability", announcement_reliability),
                                snapshot=snapshot)

    def resolve_model(self, kind: str) -> OutcomeModel:
        m = self.model
        if isinstance(m, OutcomeModel):
            return m
        return get_model(DEFAULT_MODEL[kind] if m == "default" else m)


class FittedForecaster:
    """A forecaster fitted on one series' history; call :meth:`forecast`."""

    def __init__(self, settings: Forecaster, history: SeriesHistory, reliability: tuple[int, int, int, int],
                 snapshot: Catalogue | None = None):
        self.settings = settings
        self.history = history
        self.model = settings.resolve_model(history.info.kind)
        k, m, rep, norep = reliability
        self.p_cancel = (k + 1.0) / (k + m + 2.0)
        self.p_replace = (rep + 1.0) / (rep + norep + 2.0)
        h = history
        n_years = h.n_years + (h.current_outcome is not None)
        self.status, self.reason = "ok", ""
        if h.n_events < MIN_EVENTS or n_years < MIN_YEARS:
            self.status = "insufficient_data"
            self.reason = (f"{plural(h.n_events, 'event')} over {plural(n_years, 'complete year')} known on {h.as_of}; "
                           f"at least {MIN_EVENTS} events over {MIN_YEARS} years are needed")
            return
        # pooled models learn from every series of the snapshot (only what was known at its date)
        self.outcome_fit = self.model.fit(h) if snapshot is None else self.model.fit_in(snapshot, h)
        held = h.held()
        labels, lo, hi = h.outcomes[held], h.start_lo[held], h.start_hi[held]
        if h.current_start is not None:
            labels = np.append(labels, h.current_outcome)
            lo = np.append(lo, h.current_start[0])
            hi = np.append(hi, h.current_start[1])
        timing = settings.timing if self.model.uses_knowledge else TimingModel(uniform=True)
        if timing == "default":  # start days learnt from every series of the snapshot
            from drillcast.models.pooled_timing import PooledTiming

            timing = PooledTiming() if snapshot is not None else TimingModel()
        self.timing = timing.fit_in(snapshot, h) if hasattr(timing, "fit_in") else timing.fit(labels, lo, hi)
        from drillcast.models.counts import DEFAULT_COUNTS, fit_counts

        self.counts = fit_counts(DEFAULT_COUNTS if settings.counts == "default" else settings.counts,
                                 h.years[held], h.counts[held], h.current_year, settings.count_half_life)

    # -- pieces

    def _overrides(self, years):
        h = self.history
        K = len(h.categories)
        none = K - 1
        ovr, known = [], []
        by_year = {}
        for a in h.announced:
            by_year.setdefault(a.year, a)
        cancelled: dict[int, list] = {}
        for y, lab in h.cancelled:
            cancelled.setdefault(y, []).append(lab)
        for y in years:
            o, note = None, ""
            if y == h.current_year and h.current_outcome is not None:
                o = np.zeros(K)
                o[h.current_outcome] = 1.0
                note = "held: " + "; ".join(f"{name}, started {start}" + (f" (source: {src})" if src else "")
                                            for name, start, src in h.current_held)
            elif y in by_year:
                a = by_year[y]
                o = np.zeros(K)
                lab = h.categories.index(a.label)
                o[lab] += 1.0 - self.p_cancel
                o[none] += self.p_cancel
                what = f"{a.name} ({a.label})" if h.info.rotating else a.name  # 'held' is no label to print
                note = f"announced: {what}; announced exercises cancelled with p = {self.p_cancel:.2f}"
                if y == h.current_year and a.start_hi - a.start_lo >= 300 and h.evidence_day >= 0:
                    # Dates not announced: a start after the last day the catalogue covers is still required.
                    t = h.evidence_day
                    o[lab] *= self.timing.for_label(lab)[t + 1:].sum()
                    o /= o.sum()
                    note += f"; not started by {h.evidence_date}"
            elif y in cancelled:
                # A reported cancellation: the slot stays empty unless a replacement comes
                # (Beta(1, 1) posterior over how often cancelled exercises were replaced).
                base = self.outcome_fit.marginals([y])[0].copy()
                base[[h.categories.index(lab) for lab in cancelled[y]] + [none]] = 0.0
                base = base / base.sum() if base.sum() > 0 else np.full(K, 1.0 / K)
                o = self.p_replace * base
                if y == h.current_year:
                    t = h.evidence_day
                    o[:-1] *= [self.timing.for_label(c)[t + 1:].sum() for c in range(K - 1)]
                o[none] = 1.0 - self.p_replace
                o /= o.sum()
                note = (f"cancelled: {', '.join(cancelled[y])}; cancelled exercises were replaced in the same year "
                        f"with p = {self.p_replace:.2f}")
            elif y == h.current_year and h.evidence_day >= 0:
                t = h.evidence_day
                base = self.outcome_fit.marginals([y])[0]
                surv = np.array([self.timing.for_label(c)[t + 1:].sum() for c in range(K - 1)])
                o = np.append(base[:-1] * surv, base[-1])
                o /= o.sum()
                note = (f"nothing held or announced by {h.evidence_date}: only starts after it remain possible"
                        if not h.coverage_gap else f"nothing held or announced by {h.evidence_date}")
            if y == h.current_year and h.coverage_gap:
                gap = (f"not checked after {h.evidence_date}: an exercise held since then would be missing; "
                       "the probabilities allow for it")
                note = f"{note}; {gap}" if note else gap
            ovr.append(o)
            known.append(note)
        return ovr, known

    def _start_pmf(self, y, probs):
        """Start-day pmf of year y given held, mixed over held labels."""
        h = self.history
        K = len(h.categories)
        D = days_in_year(y)
        p_held = 1.0 - probs[-1]
        if p_held <= 0:
            return None
        pmf = np.zeros(366)
        ann = next((a for a in h.announced if a.year == y), None)
        for c in range(K - 1):
            if probs[c] <= 0:
                continue
            if ann is not None and h.categories[c] == ann.label and ann.start_hi - ann.start_lo < 300:
                part = np.zeros(366)
                part[ann.start_lo:ann.start_hi + 1] = 1.0
            else:
                part = self.timing.for_label(c).copy()
            pmf += probs[c] / p_held * part / part.sum()
        if y == h.current_year and self.model.uses_knowledge:  # the know-nothing baseline ignores the date too
            if h.current_start is not None:
                pmf = np.zeros(366)
                pmf[int(h.current_start[0]):int(h.current_start[1]) + 1] = 1.0
            else:
                t = h.evidence_day
                pmf[: t + 1] = 0.0
                if pmf.sum() <= 0:  # the model puts no mass after t: spread over the rest of the year
                    pmf[t + 1:D] = 1.0
        pmf[D:] = 0.0
        s = pmf.sum()
        return pmf / s if s > 0 else None

    def _count_dist(self, year, p_held, shift=0):
        """Distribution of the year's count: ``shift`` already held, then none with 1 - p_held, else 1 + X."""
        extra = self.counts.extra(year)
        dist = np.zeros(len(extra) + 1 + shift)
        dist[shift] += 1.0 - p_held
        dist[shift + 1:] += p_held * extra
        return dist

    def _participation(self, y, p_held):
        h = self.history
        out = {}
        for code, arr in h.participation.items():
            m = ~np.isnan(arr)
            seen = np.append(arr[m], [1.0 if code in h.current_participants else 0.0]
                             if h.current_outcome is not None else [])
            if seen.size and np.all(seen == 1.0):
                # A defining member: it took part in every edition on record, so it takes part
                # whenever the series is held (until the catalogue records an edition without it).
                out[code] = p_held
                continue
            w = _decay_weights(h.years[m], h.current_year, self.settings.participation_half_life)
            a = 1.0 + float(np.sum(w * arr[m]))
            b = 1.0 + float(np.sum(w * (1 - arr[m])))
            p = a / (a + b)
            if y == h.current_year and h.current_outcome is not None:
                p = 1.0 if code in h.current_participants else 0.0
            out[code] = p * p_held
        return out

    # -- the forecast

    def forecast(self, years=None, *, horizon: int = 3, seed: int = 0) -> Forecast:
        """Forecast ``years`` (default: the as-of year and the next ``horizon - 1``).

        Raises
        ------
        ParameterError
            ``horizon`` (or the number of ``years``) outside 1-:data:`drillcast._params.HORIZON_MAX`.
        """
        h = self.history
        seed = check_seed(seed)
        if years is None:
            check_horizon(horizon)
            years = list(range(h.current_year, h.current_year + horizon))
        years = _check_years(years)
        common = dict(series=h.info.id, series_name=h.info.name, kind=h.info.kind, model=self.model.name,
                      as_of=h.as_of, seed=seed, n_events_used=h.n_events,
                      n_years_used=h.n_years + (h.current_outcome is not None),
                      categories=h.categories, p_cancel=self.p_cancel)
        if self.status != "ok":
            return Forecast(status=self.status, reason=self.reason, years=(), **common)
        if self.model.uses_knowledge:
            ovr, known = self._overrides(years)
        else:
            ovr, known = [None] * len(years), [""] * len(years)
        fit = self.outcome_fit
        # Years after the catalogue's coverage and before the current one are unknown: forecast
        # them too (sequential models step through them) and report only the years asked for.
        gap = [y for y in h.gap_years if y < min(years)]
        probs = fit.marginals_with(gap + years, [None] * len(gap) + list(ovr),
                                   rng=np.random.default_rng([seed, 1]))[len(gap):]
        out = []
        for i, y in enumerate(years):
            p = probs[i]
            p_held = float(1.0 - p[-1])
            shift = 0
            if y == h.current_year and h.current_count:
                shift = h.current_count
            pmf = self._start_pmf(y, p) if p_held > 0 else None
            start = None
            if pmf is not None and p_held >= START_NULL_BELOW:
                q = quantile_days(pmf, list(QUANTILES.values()))
                jan1 = _dt.date(y, 1, 1)
                start = {k: (jan1 + _dt.timedelta(days=int(d))).isoformat() for k, d in zip(QUANTILES, q)}
            if not h.info.multi_event:
                # a single-event series holds at most one primary exercise a year
                cd = np.array([1.0 - p_held, p_held]) if not shift else np.array([0.0, 1.0])
                exp_count = float(cd[1])
            elif shift:
                # Events already held this year; more follow at the rate of a whole year
                # times the share of past events that started after this day of the year
                # (a smoothed empirical share, over every event, not only each year's first).
                t = h.evidence_day
                share = (np.sum(h.event_days > t) + 0.5) / (len(h.event_days) + 1.0)
                rate = (1.0 - float(fit.marginals([y])[0][-1])) * self.counts.mean_given_held(y) * share
                k = np.arange(MAX_COUNT)
                logfact = np.r_[0.0, np.cumsum(np.log(np.arange(1, MAX_COUNT)))]
                more = np.exp(k * math.log(max(rate, 1e-300)) - rate - logfact)
                cd = np.zeros(shift + MAX_COUNT)
                cd[shift:] = more / more.sum()
                exp_count = float(np.arange(len(cd)) @ cd)
            else:
                cd = self._count_dist(y, p_held)
                exp_count = float(np.arange(len(cd)) @ cd)
            cdf = np.cumsum(cd)
            interval = (int(np.searchsorted(cdf, 0.1 - 1e-12)), int(np.searchsorted(cdf, 0.9 - 1e-12)))
            outcomes = {c: float(v) for c, v in zip(h.categories, p)} if h.info.rotating else None
            out.append(YearForecast(y, outcomes, p_held, float(exp_count), interval, start,
                                    pmf if pmf is not None else np.zeros(366),
                                    self._participation(y, p_held), known[i], cd,
                                    h.current_held if y == h.current_year else ()))
        info = {"model": self.model.name, "description": self.model.description, **fit.describe(),
                "timing_events": self.timing.n}
        if h.info.multi_event:
            info.update(self.counts.describe())
        sampler = _Sampler(fit, tuple(years), h.categories, ovr, tuple(yf.start_pmf for yf in out), tuple(gap))
        return Forecast(status="ok", reason="", years=tuple(out), model_info=info, _sampler=sampler, **common)


@dataclass(frozen=True)
class _Sampler:
    fit: object
    years: tuple
    categories: tuple
    overrides: list
    pmfs: tuple
    gap: tuple = ()

    def __call__(self, n, rng):
        k = len(self.gap)
        outcomes, clusters = self.fit.sample_clustered(list(self.gap) + list(self.years), n, rng,
                                                       [None] * k + list(self.overrides))
        outcomes = np.ascontiguousarray(outcomes[:, k:])
        days = _draw_days(self.pmfs, n, rng)
        days.ravel()[np.flatnonzero(outcomes == len(self.categories) - 1)] = -1  # no event, no day
        return CalendarSample(self.years, self.categories, outcomes, days, clusters)


_GUIDE = 4096


def _draw_days(pmfs, n, rng) -> np.ndarray:
    """Exact inverse-CDF draws of a day per path and year, with a guide table (Chen & Asau 1974).

    The table gives, for each of ``_GUIDE`` equal slices of [0, 1), the first day
    whose CDF exceeds the slice start; a few vectorised steps finish the search.
    """
    H = len(pmfs)
    cdf = np.stack([np.cumsum(p) / p.sum() if p.sum() > 0 else np.linspace(1 / 366, 1, 366) for p in pmfs])
    cdf[:, -1] = 1.0
    guide = np.stack([np.searchsorted(c, np.arange(_GUIDE) / _GUIDE, side="right") for c in cdf])
    # positions in the flattened (H, 366) CDF table: day d of year h at h * 366 + d
    first = (guide + (np.arange(H) * 366)[:, None]).ravel()
    cdf = cdf.ravel()
    u = rng.random(n * H)  # path-major, as (n, H)
    slot = (u * _GUIDE).astype(np.int32).reshape(n, H)  # (casting through int32 is the fast path)
    slot += np.arange(H, dtype=np.int32) * _GUIDE
    pos = first.take(slot.astype(np.intp)).ravel()
    todo = np.flatnonzero(u >= cdf.take(pos))
    while todo.size:  # only the few draws that land in a slice spanning several days
        pos[todo] += 1
        last = todo % H * 366 + 365
        todo = todo[(pos[todo] < last) & (u[todo] >= cdf[np.minimum(pos[todo], last)])]
    day = pos.reshape(n, H)
    day -= np.arange(H) * 366
    return day


def forecast(snapshot: Catalogue, series: str, *, model="default", horizon: int = 3, seed: int = 0,
             years=None) -> Forecast:
    """Fit ``model`` on ``snapshot`` and forecast ``series`` (convenience wrapper)."""
    return Forecaster(model).fit(snapshot, series).forecast(years, horizon=horizon, seed=seed)
