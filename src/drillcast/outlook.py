"""The months ahead of the as-of date (:func:`outlook`) and one question, one probability (:func:`ask`).

Both answer from the same joint draws of whole calendars
(:func:`drillcast.windows.simulate`, on the default model's forecast of every
year from the first one the catalogue does not cover), never from products of
yearly marginals, so a window spanning two calendar years, or holding a year's
second event, is handled as such. The draws of a series depend only on the
catalogue, the as-of date and the seed, and cover :data:`SPAN_YEARS` years from
the as-of year (further when a question reaches further): every outlook window
and every question inside that span is answered from the same paths, so
``ask`` on an outlook's window gives its ``p_any``, and a window inside another
never gets the higher probability.

What the catalogue already settles is a fact, not a forecast: held events are
counted as they are; between a series' ``checked_through`` and the as-of date
nothing is known, so an event due there is listed *to verify* with the
probability that it has started by now, never as an expectation.

The orchestrator :mod:`drillcast.analysis` checks the parameters and calls :func:`outlook_of`
and :func:`answer` (its ``outlook`` and ``ask``); this module sits below it and never calls it.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

from drillcast.errors import ParameterError, did_you_mean

__all__ = ["outlook_of", "answer", "check_months", "Outlook", "SeriesOutlook", "Answer", "add_months", "N_PATHS",
           "SPAN_YEARS", "MONTHS_MAX", "ANY_TIME"]

N_PATHS = 10_000  # joint draws of whole calendars per series: Monte Carlo error about 0.005 at p = 0.5
SPAN_YEARS = 4  # years simulated from the as-of year (every window of up to MONTHS_MAX months fits)
MONTHS_MAX = 36
FLAT_BELOW = 0.2  # total variation from uniform over the window's months under which timing is "any time of year"
TO_VERIFY_MIN = 0.05  # a forecast (unannounced) event in the gap is listed from this probability of having started
NEXT_START_MIN = 0.05  # below this probability of any event, no next start is given (as for the forecast's start)
ANY_TIME = "any time of year"


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    import calendar

    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    return _dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def _iso(ordinal) -> str:
    return _dt.date.fromordinal(int(ordinal)).isoformat()


def _r(x):
    return None if x is None else float(round(float(x), 4))


# --------------------------------------------------------------------------- shared: draws of one series


@dataclass(frozen=True)
class _Fitted:
    """A series' history, forecast and paths as of one date (internal)."""

    sid: str
    info: object
    history: object
    forecast: object
    paths: object  # EventPaths, or None when the series cannot be forecast
    facts: tuple


def _fit(snap, sid: str, as_of: _dt.date, last_year: int, seed: int, n: int) -> _Fitted:
    from drillcast.forecasting import Forecaster
    from drillcast.windows import facts_of, simulate

    fitted = Forecaster().fit(snap, sid)
    h = fitted.history
    facts = facts_of(snap, sid)
    first = h.gap_years[0] if h.gap_years else h.current_year
    years = list(range(first, max(last_year, as_of.year + SPAN_YEARS - 1) + 1))
    fc = fitted.forecast(years, seed=seed)
    paths = simulate(fc, h, facts, n=n, seed=seed) if fc.ok else None
    return _Fitted(sid, snap.get_series(sid), h, fc, paths, facts)


def _quantiles(ordinals, qs=(0.5, 0.1, 0.9)) -> dict:
    import numpy as np

    v = np.quantile(np.asarray(ordinals), qs, method="inverted_cdf")
    return {"median": _iso(v[0]), "q10": _iso(v[1]), "q90": _iso(v[2])}


# --------------------------------------------------------------------------- outlook results


@dataclass(frozen=True)
class SeriesOutlook:
    """What to expect of one series in the window.

    Attributes
    ----------
    series, series_name, model : str
    p_any : float or None
        Probability that at least one event starts in the window (None: no forecast).
    expected_count : float or None
        Expected number of events starting in the window.
    next_start : dict or None
        ``{"median", "q10", "q90"}`` (ISO dates, all on or after the as-of date) of the
        first start in the window, given one; None when ``p_any`` is below 5 %.
    any_time_of_year : bool
        The first start is close to uniform over the window's months (total variation
        below 0.2): "any time of year" is said instead of a median.
    directions : dict or None
        Rotating series: probability that the next event in the window is of each
        direction (``other``; ``none`` = no event in the window).
    participants : dict
        Per tracked country: ``{"given_event", "overall"}``, the probability of taking
        part given an event in the window, and overall.
    to_verify : tuple of dict
        Events announced for, or forecast to start in, the unverified gap between
        ``checked_through`` and the as-of date: ``{"name", "year", "direction",
        "announced", "due", "p_started", "recorded_that_year"}`` (``announced``: the start
        as announced, or None; ``due``: median and 80 % interval of the start, given it fell
        in the gap; ``p_started``: probability that it (for a multi-event series: at least
        one more event) has started by the as-of date; ``recorded_that_year``: events of the
        series the catalogue already records as held that year).
    confidence : str
        high, medium or low, as the report says it (:mod:`drillcast.evaluation.confidence`).
    confidence_reasons : tuple of str
    skill : str
        The track record in a few words; "no skill: treat as a base rate" where the
        model is no better than a uniform guess.
    checked_through : datetime.date
    reason : str
        Why there is no forecast ('' when there is one).
    start_density : tuple of float
        For each day of the window, the expected number of events not yet known as held
        that start that day (the share of paths with such a start): the start-date density
        weighted by the chance of an event, as the calendar figure draws it. Its sum is the
        expected count less the facts. Empty when there is no forecast.
    window_events : tuple of dict
        Events the catalogue already records in the window: ``{"id", "name", "status"
        ("held" or "announced"), "start" (as written), "low", "high" (ISO: the first and
        last possible day of the start), "label"}``, by start.
    """

    series: str
    series_name: str
    model: str
    p_any: float | None
    expected_count: float | None
    next_start: dict | None
    any_time_of_year: bool
    directions: dict | None
    participants: dict
    to_verify: tuple
    confidence: str
    confidence_reasons: tuple
    skill: str
    checked_through: _dt.date
    reason: str = ""
    start_density: tuple = field(default=(), compare=False, repr=False)
    window_events: tuple = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict:
        ns = None
        if self.next_start is not None:
            ns = dict(self.next_start)
            if self.any_time_of_year:
                ns["median"] = ANY_TIME
        d = {"series": self.series, "p_any": _r(self.p_any), "expected_count": _r(self.expected_count),
             "next_start": ns,
             "directions": {k: _r(v) for k, v in self.directions.items()} if self.directions is not None else None,
             "participants": {c: {k: _r(v) for k, v in p.items()} for c, p in self.participants.items()},
             "to_verify": [dict(t, p_started=_r(t["p_started"])) for t in self.to_verify],
             "confidence": self.confidence, "skill": self.skill,
             "checked_through": self.checked_through.isoformat()}
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass(frozen=True)
class Outlook:
    """The window after the as-of date, series by series (sorted by when the next event is expected).

    Attributes
    ----------
    as_of : datetime.date
    start, end : datetime.date
        The window: the as-of date and the day before the same date ``months`` later.
    months, seed : int
    catalogue_sha256 : str
    series : tuple of SeriesOutlook
    warnings : tuple of str
    """

    as_of: _dt.date
    start: _dt.date
    end: _dt.date
    months: int
    seed: int
    catalogue_sha256: str
    series: tuple
    warnings: tuple = ()

    def __iter__(self):
        return iter(self.series)

    def __getitem__(self, sid: str) -> SeriesOutlook:
        for s in self.series:
            if s.series == sid:
                return s
        raise KeyError(sid)

    def to_dict(self) -> dict:
        """The JSON document of ``drillcast outlook --format json`` (exactly the keys of issue 21;
        the warnings go to stderr)."""
        return {"as_of": self.as_of.isoformat(), "window": {"start": self.start.isoformat(),
                                                             "end": self.end.isoformat()},
                "seed": self.seed, "catalogue_sha256": self.catalogue_sha256,
                "series": [s.to_dict() for s in self.series]}

    def to_frame(self):
        """One row per series (``kind`` = "series") and per event to verify (``kind`` = "to_verify")."""
        import pandas as pd

        rows, extra = [], {}
        for s in self.series:
            row = {"kind": "series", "series": s.series, "p_any": _r(s.p_any), "expected_count": _r(s.expected_count)}
            ns = s.next_start or {}
            row.update({"next_start_median": ANY_TIME if s.any_time_of_year else ns.get("median"),
                        "next_start_q10": ns.get("q10"), "next_start_q90": ns.get("q90")})
            more = {f"p_{k}": _r(v) for k, v in (s.directions or {}).items()}
            for c, p in s.participants.items():
                more[f"{c}_given_event"], more[f"{c}_overall"] = _r(p["given_event"]), _r(p["overall"])
            extra.update(dict.fromkeys(more))
            row.update(more, confidence=s.confidence, skill=s.skill, checked_through=s.checked_through.isoformat())
            rows.append(row)
        for s in self.series:
            for t in s.to_verify:
                rows.append({"kind": "to_verify", "series": s.series, "name": t["name"], "year": t["year"],
                             "direction": t["direction"], "announced": t["announced"],
                             "due_median": (t["due"] or {}).get("median"), "due_q10": (t["due"] or {}).get("q10"),
                             "due_q90": (t["due"] or {}).get("q90"), "p_started": _r(t["p_started"]),
                             "recorded_that_year": t["recorded_that_year"],
                             "checked_through": s.checked_through.isoformat()})
        columns = ["kind", "series", "p_any", "expected_count", "next_start_median", "next_start_q10",
                   "next_start_q90", *extra, "confidence", "skill", "checked_through", "name", "year", "direction",
                   "announced", "due_median", "due_q10", "due_q90", "p_started", "recorded_that_year"]
        return pd.DataFrame(rows, columns=columns).astype({"year": "Int64", "recorded_that_year": "Int64"})

    def summary(self) -> str:
        """The text of ``drillcast outlook``."""
        from drillcast.present.outlook_text import outlook_text

        return outlook_text(self)


# --------------------------------------------------------------------------- outlook


def check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MONTHS_MAX:
        raise ParameterError("months", f"{months!r} is not allowed; give a whole number of months from 1 to "
                                       f"{MONTHS_MAX}")
    return months


def _flat(first, start: _dt.date, end: _dt.date, months: int) -> bool:
    """The first start is close to uniform over the window's months (6 months or more)."""
    import numpy as np

    if months < 6 or len(first) == 0:
        return False
    lo, span = start.toordinal(), end.toordinal() - start.toordinal() + 1
    bins = np.minimum((np.asarray(first) - lo) * months // span, months - 1)
    share = np.bincount(bins, minlength=months) / len(first)
    return 0.5 * float(np.abs(share - 1.0 / months).sum()) < FLAT_BELOW


def _to_verify(f: _Fitted, snap, as_of: _dt.date) -> list:
    """Events announced for, or forecast in, the days after ``checked_through`` and before ``as_of``.

    A series that cannot be forecast lists its announced events with ``due`` and ``p_started`` None.
    """
    import numpy as np

    ct = snap.checked_through(f.sid)
    lo, hi = ct + _dt.timedelta(days=1), as_of - _dt.timedelta(days=1)
    if hi < lo:
        return []
    announced = {}
    for r in snap.events(f.sid):
        if r["status"] == "announced" and r["primary"] and r["start"].low <= hi and r["start"].high >= lo:
            announced.setdefault(r["start"].year, r)
    p = f.paths
    years = p.years if p is not None else tuple(sorted(announced))
    has = p.year_has(lo, hi) if p is not None else None  # (n, Y)
    out = []
    for j, y in enumerate(years):
        ann = announced.get(y)
        share = float(np.mean(has[:, j])) if p is not None else None
        if ann is None and (share is None or share < TO_VERIFY_MIN):
            continue
        due = None
        if p is not None and has[:, j].any():
            due = _quantiles(p.first_in_year(lo, hi, j)[has[:, j]])
        out.append({"name": ann["name"] if ann is not None else None, "year": y,
                    "direction": ann["direction"] if ann is not None and f.info.rotating else None,
                    "announced": ann["start"].text if ann is not None else None, "due": due,
                    "p_started": share, "recorded_that_year": sum(x.day.year == y for x in f.facts)})
    return out


def _window_events(snap, f: _Fitted, start: _dt.date, end: _dt.date) -> tuple:
    """Held and announced events of the series whose start may fall in ``[start, end]``, by start."""
    out = []
    for r in snap.events(f.sid):
        if r["status"] not in ("held", "announced") or r["start"].high < start or r["start"].low > end:
            continue
        label = ((r["direction"] if r["direction"] in f.info.directions else "other") if f.info.rotating
                 else "held")
        out.append({"id": r["id"], "name": r["name"], "status": r["status"], "start": r["start"].text,
                    "low": r["start"].low.isoformat(), "high": r["start"].high.isoformat(), "label": label})
    return tuple(out)


def _series_outlook(f: _Fitted, snap, as_of, start, end, months, skill, confidence) -> SeriesOutlook:
    import numpy as np

    ct = snap.checked_through(f.sid)
    common = dict(series=f.sid, series_name=f.info.name, model=f.forecast.model, confidence=confidence[0],
                  confidence_reasons=tuple(confidence[1]), skill=skill, checked_through=ct,
                  window_events=_window_events(snap, f, start, end))
    if f.paths is None:
        return SeriesOutlook(p_any=None, expected_count=None, next_start=None, any_time_of_year=False,
                             directions=None, participants={}, to_verify=tuple(_to_verify(f, snap, as_of)),
                             reason=f.forecast.reason, **common)
    p = f.paths
    inside = p._in(start, end)
    density = np.bincount(p.days[inside] - start.toordinal(), minlength=(end - start).days + 1) / p.n
    common["start_density"] = tuple(float(round(v, 6)) for v in density)
    facts = p.facts_in(start, end)
    count = p.counts(start, end) + len(facts)
    first, year_idx = p.first(start, end)
    if facts:  # a fact on the as-of date comes first
        first = np.full_like(first, facts[0].day.toordinal())
    anyev = count > 0
    p_any = float(anyev.mean())
    next_start, flat = None, False
    if p_any >= NEXT_START_MIN:
        next_start = _quantiles(first[anyev])
        flat = _flat(first[anyev], start, end, months)
    directions = None
    if f.info.rotating:
        labels = p.labels[np.arange(p.n), year_idx]
        cats = list(p.categories)
        directions = {c: float(np.mean(anyev & (labels == i) & (first > 0))) for i, c in enumerate(cats[:-1])}
        if facts:
            directions = {c: float(c == facts[0].label) for c in cats[:-1]}
        directions["none"] = 1.0 - p_any
    in_year = p.year_has(start, end)
    participants = {}
    for c, takes in p.takes_part.items():
        took = (takes & in_year).any(axis=1) | any(c in x.participants for x in facts)
        overall = float(took.mean())
        participants[c] = {"given_event": overall / p_any if p_any > 0 else None, "overall": overall}
    return SeriesOutlook(p_any=p_any, expected_count=float(count.mean()), next_start=next_start,
                         any_time_of_year=flat, directions=directions, participants=participants,
                         to_verify=tuple(_to_verify(f, snap, as_of)), **common)


def outlook_of(catalogue, series_ids, *, as_of: _dt.date, months: int, seed: int, skills: dict,
               warnings=()) -> Outlook:
    """The outlook of checked ``series_ids`` (see :func:`drillcast.analysis.outlook`, which checks and calls this).

    ``skills`` maps each series to its track record (:func:`drillcast.evaluation.confidence.skill_from_folds`).
    """
    from drillcast.evaluation.confidence import confidence_level, skill_short

    sel = list(series_ids)
    start, end = as_of, add_months(as_of, months) - _dt.timedelta(days=1)
    snap = catalogue.as_of(as_of)
    fitted = [_fit(snap, sid, as_of, end.year, seed, N_PATHS) for sid in sel]
    out = []
    for f in fitted:
        s = skills.get(f.sid) if f.forecast.ok else None  # as the report: no forecast, no track record
        gap = max(0, (as_of - snap.checked_through(f.sid)).days)
        conf = confidence_level(f.history.n_years, s, [e["confidence"] for e in snap.events(f.sid)
                                                       if e["status"] == "held"], gap)
        out.append(_series_outlook(f, snap, as_of, start, end, months, skill_short(s), conf))
    out.sort(key=lambda o: (o.next_start is None, o.next_start["median"] if o.next_start else "", o.series))
    return Outlook(as_of, start, end, months, seed, catalogue.sha256, tuple(out), tuple(warnings))


# --------------------------------------------------------------------------- ask


@dataclass(frozen=True)
class Answer:
    """One question about one series, and its probability.

    Attributes
    ----------
    question : dict
        ``{"text", "series", "start", "end", "direction", "participants", "at_least"}``.
    probability : float
    se : float or None
        Monte Carlo standard error (None when resolved).
    resolved : bool
        The catalogue already settles the question: ``probability`` is 1 or 0.
    resolution : dict
        ``{"criterion", "resolves_by", "events", "note"}``: what counts as yes, in words,
        from which fields of the catalogue and by which date; the held events that settle
        it, with their sources; how it was settled (or what is still open).
    as_of : datetime.date
    seed : int
    catalogue_sha256 : str
    """

    question: dict
    probability: float
    se: float | None
    resolved: bool
    resolution: dict
    as_of: _dt.date
    seed: int
    catalogue_sha256: str
    checked_through: _dt.date | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        """The JSON document of ``drillcast ask --format json``."""
        return {"question": self.question, "probability": _r(self.probability),
                "se": None if self.se is None else float(round(self.se, 5)), "resolved": self.resolved,
                "resolution": self.resolution, "as_of": self.as_of.isoformat(), "seed": self.seed,
                "catalogue_sha256": self.catalogue_sha256}

    def to_frame(self):
        """One row: the question's fields, the probability and how it resolves."""
        import pandas as pd

        q = self.question
        return pd.DataFrame([{**{k: v for k, v in q.items() if k != "participants"},
                              "participants": ";".join(q["participants"]), "probability": self.probability,
                              "se": self.se, "resolved": self.resolved, "as_of": self.as_of.isoformat(),
                              "criterion": self.resolution["criterion"]}])

    def summary(self) -> str:
        """The text of ``drillcast ask``."""
        from drillcast.present.outlook_text import answer_text

        return answer_text(self)


def _check_day(value, parameter: str) -> _dt.date:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise ParameterError(parameter, f"{value!r} is not a date; give a datetime.date such as 2027-06-30")
    return value


def _check_question(catalogue, sid, start, end, direction, participants, at_least):
    """The checked question: (series id, info, start, end, direction, participants, at_least)."""
    from drillcast.data.countries import is_code

    info = catalogue.series[sid]
    start, end = _check_day(start, "start"), _check_day(end, "end")
    if end < start:
        raise ParameterError("end", f"{end} is before the start {start}; give an end on or after the start")
    if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
        raise ParameterError("at_least", f"{at_least!r} is not allowed; give a whole number of events, 1 or more")
    if direction is not None:
        if not info.rotating:
            raise ParameterError("direction", f"{sid!r} does not rotate: it has no directions; leave out the "
                                              "direction")
        known = list(info.directions) + ["other"]
        if direction not in known:
            raise ParameterError("direction", f"unknown direction {direction!r} of {sid}"
                                              f"{did_you_mean(direction, known)}; choose from {', '.join(known)}")
    if isinstance(participants, str):
        participants = [participants]
    parts = []
    for c in participants or ():
        code = str(c).strip().upper()
        if not is_code(code):
            raise ParameterError("participants", f"{c!r} is not an ISO 3166-1 alpha-3 country code; give e.g. CHN")
        if code not in info.regular_participants:
            tracked = ", ".join(info.regular_participants) or "none"
            raise ParameterError("participants", f"{code} is not a tracked participant of {sid} (tracked: "
                                                 f"{tracked}); drillcast forecasts the participation of a "
                                                 "series' regular participants only")
        parts.append(code)
    return sid, info, start, end, direction, tuple(dict.fromkeys(parts)), at_least


def _question_text(sid, start, end, direction, parts, k) -> str:
    what = "an event" if k == 1 else f"at least {k} events"
    s = f"Will {what} of {sid} start between {start} and {end}"
    if direction:
        s += f", of direction {direction}"
    if parts:
        s += f", with {' and '.join(parts)} taking part"
    return s + "?"


def _criterion(sid, start, end, direction, parts, k) -> str:
    what = "a primary event" if k == 1 else f"at least {k} primary events"
    s = (f"yes if the catalogue (exercises.csv) records {what} of series {sid} with status 'held' and a "
         f"start_date from {start} to {end} inclusive")
    if direction:
        s += f", direction '{direction}'"
    if parts:
        s += f", and {', '.join(parts)} among its participants"
    return (s + f"; no once series.csv's checked_through for {sid} reaches {end} without one "
            "(an event recorded later resolves it then)")


def answer(catalogue, series: str, *, start, end, direction=None, participants=(), at_least: int = 1,
           as_of: _dt.date, seed: int = 0) -> Answer:
    """The answer to a question about one known series (see :func:`drillcast.analysis.ask`, which checks
    ``series`` and ``as_of`` and calls this)."""
    from drillcast._params import HORIZON_MAX

    sid, info, start, end, direction, parts, k = _check_question(catalogue, series, start, end, direction,
                                                                 participants, at_least)
    snap = catalogue.as_of(as_of)
    ev = snap.evidence_date(sid) or as_of
    limit = as_of.year + HORIZON_MAX - SPAN_YEARS
    if end.year > limit:
        whole = "wholly " if start.year > limit else ""
        raise ParameterError("end", f"the window {start} to {end} lies {whole}beyond the forecast horizon "
                                    f"(forecasts as of {as_of} reach {limit}-12-31); ask about an earlier window")
    question = {"text": _question_text(sid, start, end, direction, parts, k), "series": sid,
                "start": start.isoformat(), "end": end.isoformat(), "direction": direction,
                "participants": list(parts), "at_least": k}
    from drillcast.windows import facts_of, qualifying_facts

    facts = qualifying_facts(facts_of(snap, sid), start, end, direction=direction, participants=parts)
    resolution = {"criterion": _criterion(sid, start, end, direction, parts, k), "resolves_by": end.isoformat(),
                  "events": [f.to_dict() for f in facts], "note": ""}
    common = dict(as_of=as_of, seed=seed, catalogue_sha256=catalogue.sha256,
                  checked_through=snap.checked_through(sid))
    if len(facts) >= k:
        resolution["note"] = f"resolved yes: the catalogue records {facts[k - 1].name} (started {facts[k - 1].start})"
        return Answer(question, 1.0, None, True, resolution, **common)
    if end <= ev:
        resolution["note"] = (f"resolved no: the window ends on or before {ev}, through which {sid} is checked, "
                              f"with {len(facts)} such event{'s' if len(facts) != 1 else ''} recorded")
        return Answer(question, 0.0, None, True, resolution, **common)
    f = _fit(snap, sid, as_of, end.year, seed, N_PATHS)
    if f.paths is None:
        raise ParameterError("series", f"no forecast of {sid} as of {as_of}: {f.forecast.reason}")
    count = f.paths.counts(start, end, direction=direction, participants=parts) + len(facts)
    p, se = f.paths.probability(count >= k)
    resolution["note"] = f"open: {sid} is checked through {snap.checked_through(sid)}"
    return Answer(question, p, se if math.isfinite(se) else None, False, resolution, **common)
