"""``drillcast outlook`` and ``drillcast ask`` as text a reader takes in at a glance."""

from __future__ import annotations

import datetime as _dt

from drillcast.present.text import pct, safe_text, table

__all__ = ["outlook_text", "answer_text", "date_range"]


def _d(iso: str, year: bool = True) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}" + (f" {d.year}" if year else "")


def date_range(q: dict, flat: bool = False) -> str:
    """'14 Sep 2027 (2 Jul - 30 Oct 2027)' (median and 80 % interval) from ``{"median", "q10", "q90"}``; 'any time of year (...)' if flat."""
    lo, hi = _dt.date.fromisoformat(q["q10"]), _dt.date.fromisoformat(q["q90"])
    rng = f"{_d(q['q10'], lo.year != hi.year)} - {_d(q['q90'])}"
    return f"any time of year ({rng})" if flat else f"{_d(q['median'])} ({rng})"


def _top(directions: dict | None) -> str:
    if not directions:
        return "-"
    held = {k: v for k, v in directions.items() if k != "none"}
    if not held or sum(held.values()) <= 0:
        return "-"
    best = max(held, key=lambda k: held[k])
    return f"{best} {pct(held[best] / sum(held.values()))}"


def _who(participants: dict) -> str:
    cells = [f"{c} {pct(p['given_event'])}" for c, p in participants.items() if p["given_event"] is not None]
    if len(cells) > 2:
        cells = cells[:2] + ["..."]
    return ", ".join(cells) or "-"


def outlook_text(o) -> str:
    """One line per series, sorted by when the next event is expected; then what to verify."""
    head = (f"Outlook as of {o.as_of}: the {o.months} month{'s' if o.months != 1 else ''} from {o.start} to "
            f"{o.end} (seed {o.seed})")
    rows, notes = [], []
    for s in o.series:
        if s.p_any is None:
            rows.append([s.series, "-", "-", "no forecast", "-", "-", s.confidence, s.skill])
            notes.append(f"{s.series}: {s.reason}")
            continue
        count = f"{s.expected_count:.1f}" if abs(s.expected_count - s.p_any) > 0.005 else "-"
        start = date_range(s.next_start, s.any_time_of_year) if s.next_start else "-"
        rows.append([s.series, pct(s.p_any), count, start, _top(s.directions), _who(s.participants),
                     s.confidence, s.skill])
    lines = [head, table(["series", "any event", "count", "next start: median (80 % interval)",
                          "next direction", "who (given an event)", "confidence", "skill"], rows, "lrrlllll")]
    lines.append("any event: probability that at least one event starts in the window; count: expected number "
                 "(multi-event series); next start and direction: of the first event in the window, given one")
    verify = []
    for s in o.series:
        for t in s.to_verify:
            n = t["recorded_that_year"]
            what = (f"{t['name']} (announced for {t['announced']})" if t["name"] else
                    f"another unannounced {t['year']} event ({n} recorded)" if n else
                    f"an unannounced {t['year']} event")
            due = f", due {date_range(t['due'])}" if t["due"] else ""  # median (80 % interval)
            when = (f": started by {o.as_of} with probability {pct(t['p_started'])}" if t["p_started"] is not None
                    else ": no forecast of whether it started")
            verify.append(f"  {s.series}: {what}{due}{when}")
    if verify:
        lines.append("To verify (after a series' checked_through, before the as-of date: not checked, so not "
                     "expectations):")
        lines += verify
    lines += notes
    return "\n".join(safe_text(x) if "\n" not in x else x for x in lines) + "\n"


def answer_text(a) -> str:
    """The question, its probability (and Monte Carlo error) or resolution, and the criterion."""
    q = a.question
    if a.resolved:
        p = f"{'yes' if a.probability >= 1 else 'no'} (resolved: probability {a.probability:.0f})"
    else:
        p = f"{pct(a.probability)} (probability {a.probability:.3f}, Monte Carlo error {a.se:.3f})"
    lines = [q["text"], f"  as of {a.as_of}: {p}", f"  {a.resolution['note']}"]
    for e in a.resolution["events"]:
        lines.append(f"  event: {e['name']} ({e['id']}), started {e['start']}; source: {e['source']}")
    lines.append(f"  resolution: {a.resolution['criterion']}")
    return "\n".join(safe_text(x) for x in lines) + "\n"
