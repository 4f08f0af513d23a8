"""The part a decision maker reads: bottom line up front, what changed, indicators, key judgments.

Everything here is computed from the :class:`~.results.SeriesResults` of the
run (no refit). Wording rules:

- an event the snapshot records as held is a fact: it is stated with its
  dates and source, never with an estimative word or a percentage;
- a series whose check (``checked_through``) ends more than
  :data:`STALE_DAYS` days before the as-of date is said to be so, and its
  confidence is lowered (the forecasts themselves treat the unchecked time
  as unknown, not as a time without exercises);
- the confidence level (high / medium / low) is separate from the
  probability and comes from the data: sample size, track record, source
  confidence of the events used and the coverage gap.
"""

from __future__ import annotations

import datetime as _dt
import json
import statistics
from urllib.parse import urlparse

from drillcast.evaluation.confidence import STALE_DAYS, confidence_level, skill_from_folds
from drillcast.evaluation.confidence import skill_phrase as _skill_phrase
from drillcast.present.report.document import Doc
from drillcast.present.report.results import SeriesResults
from drillcast.present.report.wording import (
    ICD203_SCALE,
    SECTION_TITLES,
    country,
    emphasise,
    esc,
    icd203_term,
    judgment_sentences,
    label_text,
    day_month,
    part_of_month,
    pct,
)

READER_ORDER = ("russia-strategic", "union-shield", "joint-air-patrol", "joint-sea", "joint-maritime-patrol",
                "china-russia-interaction", "maritime-security-belt", "peace-mission", "joint-submarine-patrol")
"""Default order of the series: Russia's strategic rotation first, then by reader interest."""


def reader_order(series_ids, order=None) -> list[str]:
    """``series_ids`` sorted by ``order`` (default :data:`READER_ORDER`); series not named keep their order last."""
    rank = {s: i for i, s in enumerate(READER_ORDER if order is None else order)}
    return sorted(series_ids, key=lambda s: (rank.get(s, len(rank)), list(series_ids).index(s)))


# --------------------------------------------------------------------------- facts, gaps, confidence


def short_name(name: str) -> str:
    """A series name without its parenthesis or alternative name: 'Joint Sea / Morskoye ...' -> 'Joint Sea'."""
    return name.split(" (")[0].split(" / ")[0].strip() or name


def held_events(r: SeriesResults, year: int) -> list:
    """Primary events of ``year`` the snapshot records as held (facts as known on the as-of date)."""
    return [e for e in r.events if e["status"] == "held" and e["primary"] and e["start"].year == year]


def checked_through(r: SeriesResults):
    """The date the catalogue's search for this series ends (its ``checked_through``), as known on the as-of date."""
    return r.snapshot.checked_through(r.sid) if r.snapshot is not None else None


def coverage_gap(r: SeriesResults, as_of) -> int:
    """Days between the end of the catalogue's check of the series and ``as_of``; 0 if none."""
    ct = checked_through(r)
    return max(0, (as_of - ct).days) if ct is not None else 0


def skill(r: SeriesResults) -> dict | None:
    """Default model against the uniform guess, year by year, from the report's one backtest."""
    if r.backtest is None or not r.forecast.ok:
        return None
    return skill_from_folds(r.backtest.folds, r.sid, r.forecast.model)


def skill_phrase(r: SeriesResults) -> str:
    """The track record in plain words (no skill is said as such)."""
    return _skill_phrase(skill(r))


def confidence(r: SeriesResults, as_of) -> tuple[str, list[str]]:
    """(``"high"``/``"medium"``/``"low"``, reasons): how far to trust the forecast, from the data
    (:func:`drillcast.evaluation.confidence.confidence_level`)."""
    return confidence_level(r.history.n_years, skill(r), [e["confidence"] for e in r.events if e["status"] == "held"],
                            coverage_gap(r, as_of))


# --------------------------------------------------------------------------- table cells


def _when(e) -> str:
    """An event's dates as the catalogue gives them, days shown as '12 Sep'."""
    def one(d):
        return day_month(d.low.isoformat()) if d.precision == "day" else d.text
    a = one(e["start"])
    b = one(e["end"]) if e["end"] is not None else ""
    return a if not b or b == a else f"{a}\u2013{b}"


def _source(e) -> str:
    src = e["sources"][0] if e["sources"] else ""
    if not src.startswith(("http://", "https://")):
        return esc(src)
    host = urlparse(src).netloc.removeprefix("www.")
    return f'<a href="{esc(src)}" color="#0B5394">{esc(host)}</a>'


def _fact(events, short=False) -> str:
    """Held events as facts: name (unless ``short``), dates and the first source as a link."""
    parts = []
    for e in events:
        what = "" if short else f" {esc(e['name'])},"
        parts.append(f"<b>held</b>{what} {esc(_when(e))} ({_source(e)})")
    return "; ".join(parts)


def outcome_cell(r: SeriesResults, y, as_of) -> str:
    """The most likely outcome of year ``y`` in words and numbers, a fact, or why it is not judged."""
    facts = held_events(r, y.year)
    if facts:
        return _fact(facts, short=True)
    if r.forecast.kind == "rotating" and y.outcomes:
        cats = list(r.forecast.categories)
        lab, p = max(y.outcomes.items(), key=lambda kv: (kv[1], -cats.index(kv[0])))
        what = {"none": "none held", "other": "another exercise"}.get(lab, label_text(lab))
        return f"{what} <b>{icd203_term(p)}</b> ({pct(p)})"
    return f"held <b>{icd203_term(y.p_held)}</b> ({pct(y.p_held)})"


def when_who(r: SeriesResults, as_of) -> tuple[str, str]:
    """Start (part of a month, given held) and likely participants of the next year not yet held."""
    fc = r.forecast
    for y in fc.years:
        if held_events(r, y.year) or not y.start:
            continue
        when = f"{part_of_month(y.start['median'], short=True)} {y.year}"
        if y.start["median"] < as_of.isoformat():  # possible only when coverage ends before the as-of date
            when += " (may have passed unrecorded)"
        who = [country(c) for c, v in sorted(y.participants.items(), key=lambda kv: -kv[1]) if v >= 0.5]
        return when, ", ".join(who) or "\u2013"
    return "\u2013", "\u2013"


# --------------------------------------------------------------------------- pages


def bottom_line(doc: Doc, results, as_of, catalogue, chapters=True):
    """Page 1: a lede in three sentences and one table of every series and year (linked to ``chapters``)."""
    from reportlab.platypus import Spacer

    doc.story.append(Spacer(1, 6))
    doc.para("Recurring Russian and Chinese military exercises: what to expect", "title")
    latest = catalogue.as_of(as_of).latest_report()
    stale = f" (<b>{(as_of - latest).days} days before the as-of date</b>)" if (
        latest is not None and (as_of - latest).days > STALE_DAYS) else ""
    doc.para(f"drillcast report as of {as_of.isoformat()} \u00b7 {len(results)} series \u00b7 catalogue "
             f"{catalogue.sha256[:12]}, latest report {latest or 'none'}{stale}", "subtitle")
    doc.heading("Bottom line", 0, key="sec-bottom-line", style="H2")
    for s in lede(results, as_of):
        doc.para(s)
    years = next(([y.year for y in r.forecast.years] for r in results if r.forecast.ok), [])

    def name(r):
        n = esc(short_name(r.info.name))
        return f'<a href="#series-{esc(r.sid)}" color="#0B5394">{n}</a>' if chapters else n

    header = ["Series", *[str(y) for y in years], "next start", "who", "confidence"]
    rows = []
    for r in results:
        if not r.forecast.ok:
            rows.append([name(r),
                         f"<i>no forecast</i>: {esc(r.forecast.reason)}", *[""] * (len(years) - 1), "", "", "low"])
            continue
        level, why = confidence(r, as_of)
        when, who = when_who(r, as_of)
        rows.append([name(r),
                     *[outcome_cell(r, y, as_of) for y in r.forecast.years], esc(when), esc(who),
                     f"<b>{level}</b><br/><font size=6>{esc('; '.join(why))}</font>"])
    k = len(years)
    rest = doc.width - 96 - 58 - 54 - 76
    doc.table(header, rows, [96, *[rest / max(k, 1)] * k, 58, 54, 76], cell_style="cellsmall")
    doc.para("Probabilities in the words of ICD 203 (almost no chance &lt;5 %, very unlikely 5\u201320 %, "
             "unlikely 20\u201345 %, roughly even 45\u201355 %, likely 55\u201380 %, very likely 80\u201395 %, almost "
             "certain &gt;95 %). 'Held' is what the catalogue records, with its source. Confidence is separate "
             "from probability: it drops for few years of data, no skill over a uniform guess in the backtest, "
             "low source confidence and a coverage gap. 'Next start': median start given held; 'who': states "
             "more likely than not to take part.", "tiny")


def lede(results, as_of) -> list[str]:
    """Three sentences: the lead series' next outcome, how many series are expected, and the main caveat."""
    ok = [r for r in results if r.forecast.ok]
    if not ok:
        return ["No series could be forecast as of this date."]
    first = ok[0]
    nxt = next((y for y in first.forecast.years if not held_events(first, y.year)), None)
    out = []
    if nxt is not None:
        cell = outcome_cell(first, nxt, as_of).replace("<b>", "").replace("</b>", "")
        out.append(f"<b>{esc(short_name(first.info.name))}, {nxt.year}</b>: {cell}.")
    nyear = as_of.year + 1
    likely = [r for r in ok for y in r.forecast.years if y.year == nyear and y.p_held >= 0.55]
    names = ", ".join(esc(short_name(r.info.name)) for r in likely[:5]) + (", ..." if len(likely) > 5 else "")
    out.append(f"In {nyear}, {len(likely)} of the {len(ok)} series {'is' if len(ok) == 1 else 'are'} likely "
               f"or more to be held" + (f" ({names})." if likely else "."))
    levels = [confidence(r, as_of)[0] for r in ok]
    gap = max(coverage_gap(r, as_of) for r in ok)
    late = [r for r in ok if coverage_gap(r, as_of) > STALE_DAYS]
    caveat = (f" {len(late)} of the series {'was' if len(late) == 1 else 'were'} last checked more than "
              f"{STALE_DAYS} days before the as-of date (up to {gap} days): an exercise held since would be "
              "missing, and confidence is lowered for it." if late else "")
    out.append(f"Confidence: {levels.count('high')} high, {levels.count('medium')} medium, "
               f"{levels.count('low')} low.{caveat}")
    return out


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
                    rows.append([esc(r.info.name), str(y.year), esc(label_text(lab)),
                                 f"{pct(a)} \u2192 {pct(b)}", why])
    doc.para(f"Against the forecast as of {prev_as_of} (seed {since.get('seed', '?')}): every probability that "
             "moved by 5 points or more, and the events reported since that moved it.", "small")
    if rows:
        doc.table(["Series", "year", "outcome", "then \u2192 now", "what moved it"], rows,
                  [120, 32, 60, 62, doc.width - 274])
    else:
        doc.para("No probability moved by 5 points or more.")


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
    """How far ahead each series is usually announced, and where the first reports came from."""
    rows = []
    for r in results:
        leads, hosts = [], {}
        for e in r.events:
            if e["status"] != "held" or e["first_reported"] is None or e["start"].precision != "day":
                continue
            leads.append((e["start"].low - e["first_reported"].low).days)
            for u in e["sources"][:1]:
                h = urlparse(u).netloc.removeprefix("www.")
                if h:
                    hosts[h] = hosts.get(h, 0) + 1
        if not leads:
            continue
        ahead = [d for d in leads if d > 0]
        med = statistics.median(leads)
        top = ", ".join(h for h, _ in sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0]))[:2])
        rows.append([esc(r.info.name), str(len(leads)),
                     f"{len(ahead)} of {len(leads)}" + (f"; median {statistics.median(ahead):.0f} days ahead"
                                                       if ahead else ""),
                     f"{med:+.0f}", esc(top)])
    if not rows:
        return
    doc.heading("Indicators to watch", 1, key="sec-indicators")
    doc.para("From the catalogue's first-report dates: how often an exercise was reported before it started, "
             "how far ahead, and which outlets reported first. An announcement from these outlets is the "
             "signal to expect; its absence late in the usual lead time lowers the odds.", "small")
    doc.table(["Series", "events", "reported before the start", "median first report vs start (days)",
               "first reported by"], rows, [130, 36, 130, 70, doc.width - 366], align_right={1, 3})


def icd203_table(doc: Doc):
    """The ICD 203 scale and its boundaries (for the methods annex)."""
    doc.table(["ICD 203 term", "probability range", "", "ICD 203 term", "probability range"], [
        [ICD203_SCALE[i][0], f"{100 * ICD203_SCALE[i][1]:.0f}\u2013{100 * ICD203_SCALE[i][2]:.0f} %", "",
         ICD203_SCALE[i + 4][0] if i + 4 < 7 else "",
         f"{100 * ICD203_SCALE[i + 4][1]:.0f}\u2013{100 * ICD203_SCALE[i + 4][2]:.0f} %" if i + 4 < 7 else ""]
        for i in range(4)], [110, 80, 20, 110, 80], zebra=False)
    doc.para("Boundaries: a probability rounded to a whole per cent of exactly 45 or 55 % is 'roughly even "
             "chance', 20 % 'unlikely', 80 % 'likely', 5 % 'very unlikely', 95 % 'very likely'. Below 1 % the "
             "term is 'almost no chance' (shown as <1 %), above 99 % 'almost certain' (>99 %).", "tiny")


def judgments(doc: Doc, results, as_of):
    """Key judgments: every year in words, facts as facts, and the track record in plain words."""
    from reportlab.platypus import KeepTogether, Paragraph

    doc.heading(SECTION_TITLES["judgments"], 0, page_break=True, key="sec-judgments")
    doc.para("Each forecast is a probability from the default model of the series, in the words of ICD 203 and "
             "in numbers; start dates are given for the case that the exercise is held. Events already held "
             "are stated as facts.", "small")
    for r in results:
        block = [Paragraph(f"<b>{esc(r.info.name)}</b> <font size=7 color='#555555'>({esc(r.sid)}; "
                           f"{r.forecast.n_events_used} events over {r.forecast.n_years_used} years; confidence "
                           f"{confidence(r, as_of)[0]})</font>", doc.s["body"])]
        sentences = judgment_sentences(r.forecast, r.info) if r.forecast.ok else [f"No forecast: {r.forecast.reason}."]
        for y, t in zip(r.forecast.years if r.forecast.ok else [None], sentences):
            if y is not None and held_events(r, y.year):
                facts = held_events(r, y.year)
                xml = f"<b>{y.year}:</b> " + _fact(facts) + "."
                if r.info.multi_event and y.count_pmf is not None:
                    more = float(sum(y.count_pmf[len(facts) + 1:]))
                    xml += (f" Another event this year: {icd203_term(more)} ({pct(more)})." if more >= 0.01 else
                            " No other event is expected this year.")
            else:
                xml = emphasise(esc(t))
            block.append(Paragraph(xml, doc.s["bullet"], bulletText="\u2022"))
        if r.forecast.ok:
            block.append(Paragraph(esc(skill_phrase(r)), doc.s["note"]))
        doc.story.append(KeepTogether(block))


