"""The next twelve months of each series, for page 1: :func:`drillcast.analysis.outlook`, asked once.

The outlook draws whole calendars of every series (so a window spanning two
calendar years, or a year's second event, is counted as such) and lists
what may have happened while a series was not checked (*to verify*). The
report hands it the skill of its own backtest, so nothing is backtested
twice, and reads each series' outlook into the plain dict page 1 uses:

``{"p_any", "next_start": {"median", "q10", "q90", "any_time"} | None,
"directions": {label: p given an event} | None, "participants": {code: p given an event},
"to_verify": [{"name", "announced", "due", "gap_median", "p_happened"}], "window": {"start", "end"}}``.
"""

from __future__ import annotations

WINDOW_MONTHS = 12


def windows(catalogue, results, as_of, seed, skill) -> tuple[list, object]:
    """(one dict per series of ``results``, None where there is no forecast, in their order; the
    :class:`~drillcast.outlook.Outlook` itself, with the series named as on ``as_of``)."""
    from dataclasses import replace

    from drillcast import analysis

    o = analysis.outlook(catalogue, [r.sid for r in results], as_of=as_of, months=WINDOW_MONTHS, seed=seed,
                         skills={r.sid: skill(r) for r in results})
    names = {r.sid: r.name for r in results}
    o = replace(o, series=tuple(replace(s, series_name=names.get(s.series, s.series_name)) for s in o.series))
    return [_read(o[r.sid], o) if r.forecast.ok else None for r in results], o


def _read(s, o) -> dict | None:
    from drillcast.present.report.evidence import event_name

    if s.p_any is None:
        return None
    ns = None
    if s.next_start is not None:
        ns = dict(s.next_start, any_time=bool(s.any_time_of_year))
    dirs = None
    if s.directions:
        held = {k: v for k, v in s.directions.items() if k != "none"}
        tot = sum(held.values())
        dirs = {k: v / tot for k, v in held.items()} if tot > 0 else None
    parts = {c: v["given_event"] for c, v in s.participants.items() if v.get("given_event") is not None}
    verify = [{"name": event_name(t["name"]) if t["name"] else None, "announced": t["announced"] is not None,
               "due": t["announced"], "gap_median": (t["due"] or {}).get("median"), "p_happened": t["p_started"],
               "year": t["year"]} for t in s.to_verify]
    return {"p_any": s.p_any, "next_start": ns, "directions": dirs, "participants": parts, "to_verify": verify,
            "window": {"start": o.start.isoformat(), "end": o.end.isoformat()}}
