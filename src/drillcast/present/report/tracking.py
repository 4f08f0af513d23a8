"""What follows page 1: what changed since the last report, the live record of a ledger, indicators to watch."""

from __future__ import annotations

import datetime as _dt
import json

from drillcast.present.report.document import Doc
from drillcast.present.report.evidence import announcements
from drillcast.present.report.wording import esc, label_text, pct


def changes(doc: Doc, results, as_of, since: dict | None):
    """Probabilities that moved since the previous report (a ``drillcast forecast --format json`` document)."""
    if since is None:
        return
    doc.heading("What changed", 1, key="sec-changes")
    prev_as_of = _dt.date.fromisoformat(since["as_of"])
    prev = {f["series"]: f for f in since.get("forecasts", [])}
    rows = []
    for r in results:
        p = prev.get(r.sid)
        if p is None or not r.forecast.ok or p.get("status") != "ok":
            continue
        old = {y["year"]: y for y in p["years"]}
        new_events = [e for e in r.events if e["known"] > prev_as_of]
        for y in r.forecast.years:
            o = old.get(y.year)
            if o is None:
                continue
            if r.forecast.kind == "rotating" and y.outcomes and o.get("outcomes"):
                moved = [(lab, o["outcomes"].get(lab, 0.0), v) for lab, v in y.outcomes.items()]
            else:
                moved = [("held", o["p_held"], y.p_held)]
            for lab, a, b in moved:
                if abs(b - a) >= 0.05:
                    why = "; ".join(f"{esc(e['name'])} ({esc(e['status'])}, reported {e['known']})"
                                    for e in new_events if e["start"].year == y.year) or "refit on the new data"
                    rows.append([esc(r.name), str(y.year), esc(label_text(lab)),
                                 f"{pct(a)} \u2192 {pct(b)}", why])
    origin = f"recorded in {esc(since['source'])}" if since.get("source") else "given"
    doc.para(f"Against the forecast as of {prev_as_of} ({origin}; seed {since.get('seed', '?')}): every probability that "
             "moved by 5 points or more, and the events reported since that moved it.", "small")
    if rows:
        doc.table(["Series", "year", "outcome", "then \u2192 now", "what moved it"], rows,
                  [120, 32, 60, 62, doc.width - 274])
    else:
        doc.para("No probability moved by 5 points or more.")


def since_from_ledger(ledger_path, as_of, *, allow_broken: bool = False) -> dict | None:
    """The latest earlier forecast in a ledger, as a ``since`` document for :func:`changes`; None if there is none.

    Only entries that existed on ``as_of`` count (recorded by then, made as of an
    earlier date): a report as of a past date does not compare with forecasts
    made after it. Live entries are preferred to replayed ones.
    """
    from drillcast.ledger import Ledger

    day = as_of.isoformat()
    entries = [e for e in Ledger(ledger_path, archive=False).entries(strict=not allow_broken)
               if e.get("kind", "forecast") == "forecast"  # not the questions of `ask --record`
               and e.get("as_of", "") < day and e.get("recorded_at", "")[:10] <= day]
    if not entries:
        return None
    live = [e for e in entries if not e.get("replayed")]
    pool = live or entries
    prev = max(e["as_of"] for e in pool)
    forecasts = {}
    for e in pool:
        if e["as_of"] != prev:
            continue
        f = forecasts.setdefault(e["series"], {"series": e["series"], "status": "ok", "years": {}})
        f["years"][e["year"]] = {"year": e["year"], "p_held": e["forecast"]["p_held"],
                                 "outcomes": e["forecast"].get("outcomes")}
    seeds = sorted({e.get("seed") for e in pool if e["as_of"] == prev} - {None})
    return {"as_of": prev, "seed": seeds[0] if len(seeds) == 1 else "?", "source": str(ledger_path),
            "forecasts": [dict(f, years=list(f["years"].values())) for f in forecasts.values()]}


def live_record(doc: Doc, results, as_of, catalogue, ledger_path, *, allow_broken: bool = False):
    """The forecasts recorded in a ledger, scored against the catalogue as known on ``as_of``
    (a broken ledger only with ``allow_broken``, and the break is printed)."""
    if ledger_path is None:
        return
    from drillcast.ledger import Ledger

    score = Ledger(ledger_path, archive=False).score(catalogue.as_of(as_of), today=as_of, allow_broken=allow_broken)
    doc.heading("Live record", 1, key="sec-live-record")
    if not score.verification.ok:
        doc.para(f"<b>The ledger is broken</b>: {esc(score.verification.text())}. Only the "
                 f"{score.verification.n_entries} entries before the break are scored below.", "small")
    wanted = {r.sid for r in results}
    for part, title in (("live", "recorded when made"), ("replayed", "replayed with hindsight")):
        summ = score.summary[part]
        if not summ["n_entries"]:
            continue
        doc.para(f"<b>Forecasts {title}</b>: {summ['n_entries']} in the ledger, {summ['n_resolved']} resolved, "
                 f"{summ['n_pending']} pending, {summ['n_unresolvable']} not resolvable yet (coverage).", "small")
        rows = []
        for row in summ["by_series"]:
            if row["baseline"] or row["series"] not in wanted:
                continue
            v = row.get("vs_baselines", {}).get("uniform")
            rows.append([esc(row["series"]), esc(row["model"]), str(row["n"]), f"{row['mean_log_score']:.2f}",
                         "\u2013" if not v else f"{v['mean_difference']:+.2f} (p {v['p_value']:.2f})"])
        if rows:
            doc.table(["Series", "model", "resolved", "mean log score", "vs uniform"], rows,
                      [150, 70, 50, 70, doc.width - 340], align_right={2, 3, 4})
    if not any(score.summary[p]["n_entries"] for p in ("live", "replayed")):
        doc.para(f"The ledger {esc(str(ledger_path))} holds no forecast yet.", "small")


def load_since(path) -> dict:
    """The previous forecast document (``drillcast forecast --format json``) given as ``since``."""
    from drillcast.errors import ParameterError

    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        _dt.date.fromisoformat(doc["as_of"])
        doc["forecasts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError("since", f"{path} is not a forecast JSON document from 'drillcast forecast "
                                      f"--format json' ({exc})") from None
    return doc


def indicators(doc: Doc, results):
    """How often and how far ahead each series was announced, from the catalogue's own first-report dates."""
    from drillcast.present.report.facts import short_name

    rows = []
    for r in results:
        a = announcements([e for e in r.events if e["primary"]])
        if not a["n"]:
            continue
        rows.append([esc(short_name(r.name)), f"{a['ahead']} of {a['n']}",
                     "\u2013" if not a["ahead"] else f"{a['median_days']:.0f} (up to {a['max_days']:.0f})",
                     esc(signal(a))])
    if not rows:
        return
    doc.heading("Indicators to watch", 1, key="sec-indicators")
    doc.para("From the catalogue's own first-report dates (held events with a known start day): how often each "
             "series was announced before it started, and how far ahead.", "small")
    doc.table(["Series", "announced ahead", "days ahead: median (max)", "what to watch"], rows,
              [110, 56, 70, doc.width - 236], align_right={1, 2})


def signal(a: dict) -> str:
    """What an announcement (or its absence) tells for a series with this announcement record."""
    if not a["n"]:
        return "no record of announcements"
    share = a["ahead"] / a["n"]
    if a["ahead"] == 0:
        return "never announced ahead: expect no warning; the first report is the event itself"
    if share < 0.5:
        return "rarely announced ahead: silence says little"
    return (f"an announcement is the signal; none {a['median_days']:.0f} days before the usual start lowers "
            "the odds")
