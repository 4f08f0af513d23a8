"""The next twelve months of each series, from the report's one forecast (no refit).

Page 1 is organised by the reader's question (what to expect in the twelve
months after the as-of date, when, with whom, and what to verify), not by
calendar year. Each calendar year's forecast gives the probability that the
series is held (``p_held``) and the start day of its first event given that it
is (``start_pmf``, already conditioned on no start before the last day the
catalogue covers). From these, per year Y that the window touches:

- ``p_window(Y) = p_held(Y) * P(start in window and in Y | held)``;
- ``p_gap(Y) = p_held(Y) * P(start between checked_through and the as-of date | held)``:
  an event that may have happened while the catalogue was not checked (to
  verify, never an expectation);

and ``p_any = 1 - prod_Y (1 - p_window(Y))``. In a year with events already
held (multi-event series), a further event has the probability of one more
event (``count_pmf``) and starts after the last one held. The start of the
next event is the mixture of the years' start distributions weighted by the
chance that it is the first in the window; when its 80 % interval covers most
of the year the report says "any time of year" instead of a median.
Participants are given *given* an event (``participants / p_held``).
"""

from __future__ import annotations

import datetime as _dt

WINDOW_MONTHS = 12
ANY_TIME_DAYS = 240
"""An 80 % start interval at least this long is said as "any time of year"."""


def window_end(as_of: _dt.date, months: int = WINDOW_MONTHS) -> _dt.date:
    """The last day of the ``months`` after ``as_of`` (2026-12-07 -> 2027-12-06)."""
    m = as_of.month - 1 + months
    y, m = as_of.year + m // 12, m % 12 + 1
    import calendar

    d = min(as_of.day, calendar.monthrange(y, m)[1])
    return _dt.date(y, m, d) - _dt.timedelta(days=1)


def _mass(pmf, year, lo, hi):
    """Probability of the days of ``year`` in [lo, hi] (dates)."""
    jan1 = _dt.date(year, 1, 1)
    a = max(0, (lo - jan1).days)
    b = min(len(pmf) - 1, (hi - jan1).days)
    return float(pmf[a:b + 1].sum()) if b >= a else 0.0


def series_window(r, as_of, held_events):
    """The next twelve months of one series (see the module docstring), as a dict."""
    import numpy as np

    fc = r.forecast
    ct = r.snapshot.checked_through(r.sid)
    evidence = min(as_of, ct)
    end = window_end(as_of)
    p_none = 1.0
    parts, weights, days, verify = [], [], [], []
    for y in fc.years:
        if y.year > end.year:
            break
        pmf = np.asarray(y.start_pmf, dtype=float)
        if pmf.sum() <= 0:
            continue
        pmf = pmf / pmf.sum()
        held = held_events(r, y.year)
        p = y.p_held
        if held:  # only a further event can still come, after the last one held
            if not r.info.multi_event or y.count_pmf is None:
                continue
            p = float(sum(y.count_pmf[len(held) + 1:]))
            last = max(e["start"].low for e in held)
            after = pmf.copy()
            after[:max(0, (last - _dt.date(y.year, 1, 1)).days + 1)] = 0.0
            if after.sum() <= 0:
                after = np.zeros_like(pmf)
                after[(last - _dt.date(y.year, 1, 1)).days + 1:] = 1.0
                if after.sum() <= 0:
                    continue
            pmf = after / after.sum()
        gap = p * _mass(pmf, y.year, evidence + _dt.timedelta(days=1), as_of - _dt.timedelta(days=1))
        if gap >= 0.005:
            verify.append(_to_verify(r, y, gap, evidence, as_of, pmf))
        pw = p * _mass(pmf, y.year, as_of, end)
        if pw <= 0:
            continue
        jan1 = _dt.date(y.year, 1, 1)
        lo, hi = max(0, (as_of - jan1).days), min(len(pmf) - 1, (end - jan1).days)
        w = np.zeros(len(pmf))
        w[lo:hi + 1] = pmf[lo:hi + 1]
        first = p_none  # the chance that no earlier year's event fell in the window
        for i in range(lo, hi + 1):
            if w[i] > 0:
                days.append((jan1 + _dt.timedelta(days=i), first * p * w[i]))
        weights.append(first * pw)
        parts.append((y, pw / p if p > 0 else 0.0, p, bool(held)))
        p_none *= 1.0 - pw
    p_any = 1.0 - p_none
    return {"series": r.sid, "p_any": p_any, "next_start": _start(days), "directions": _directions(r, parts, weights),
            "participants": _participants(r, parts, weights), "to_verify": verify,
            "checked_through": ct.isoformat(), "window": {"start": as_of.isoformat(), "end": end.isoformat()}}


def _start(days):
    total = sum(w for _, w in days)
    if total <= 0:
        return None
    out, acc, qs = {}, 0.0, iter((("q10", 0.1), ("median", 0.5), ("q90", 0.9)))
    k, q = next(qs)
    for d, w in days:
        acc += w / total
        while acc >= q - 1e-12:
            out[k] = d.isoformat()
            nxt = next(qs, None)
            if nxt is None:
                break
            k, q = nxt
        if len(out) == 3:
            break
    lo, hi = _dt.date.fromisoformat(out["q10"]), _dt.date.fromisoformat(out["q90"])
    out["any_time"] = (hi - lo).days >= ANY_TIME_DAYS
    return out


def _directions(r, parts, weights):
    if r.forecast.kind != "rotating" or not parts:
        return None
    tot = {}
    for (y, _, _, held), w in zip(parts, weights):
        if held or not y.outcomes or y.p_held <= 0:
            continue
        for lab, v in y.outcomes.items():
            if lab != "none":
                tot[lab] = tot.get(lab, 0.0) + w * v / y.p_held
    s = sum(tot.values())
    return {k: v / s for k, v in tot.items()} if s > 0 else None


def _participants(r, parts, weights):
    out = {}
    wsum = sum(weights)
    if wsum <= 0:
        return out
    for (y, _, _, _), w in zip(parts, weights):
        for c, v in y.participants.items():
            given = min(1.0, v / y.p_held) if y.p_held > 0 else 0.0
            out[c] = out.get(c, 0.0) + w * given / wsum
    return out


def _to_verify(r, y, p_gap, evidence, as_of, pmf):
    """An event that may have started while the series was not checked."""
    ann = [e for e in r.events if e["status"] == "announced" and e["start"].year == y.year and e["primary"]]
    jan1 = _dt.date(y.year, 1, 1)
    lo = max(0, (evidence - jan1).days + 1)
    hi = min(len(pmf) - 1, (as_of - jan1).days - 1)
    seg = pmf[lo:hi + 1]
    due = None
    if seg.sum() > 0:
        acc, half = 0.0, seg.sum() / 2
        for i, v in enumerate(seg):
            acc += v
            if acc >= half:
                due = (jan1 + _dt.timedelta(days=lo + i)).isoformat()
                break
    return {"name": ann[0]["name"] if ann else None, "announced": bool(ann), "year": y.year,
            "due": ann[0]["start"].text if ann else None, "gap_median": due, "p_happened": p_gap,
            "gap": [(evidence + _dt.timedelta(days=1)).isoformat(), as_of.isoformat()]}
