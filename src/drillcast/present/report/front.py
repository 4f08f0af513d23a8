"""Page 1: the outlook for the twelve months after the as-of date.

Title, as-of date and one line on coverage; three key judgments in prose
(what comes next and when, what is most likely, the largest uncertainty);
the outlook table (chance of at least one event in the window, when, who
*given* it is held, confidence and skill); and a short To verify box: events
due while a series was not checked, with the probability that they have
happened. Nothing on the page is in the past: a start that could have
fallen before the as-of date goes to To verify, never to the table. Calendar
years are on the series pages.

Everything is computed from the :class:`~.results.SeriesResults` of the run
and their twelve-month windows (:mod:`.window`, from :func:`drillcast.analysis.outlook`).
"""

from __future__ import annotations

import datetime as _dt

from drillcast.present.report.document import Doc
from drillcast.present.report.evidence import event_name
from drillcast.present.report.facts import (
    STALE_DAYS,
    cite,
    checked_through,
    confidence,
    coverage_gap,
    held_events,
    short_name,
    skill,
    skill_cell,
)
from drillcast.present.report.wording import country, esc, icd203_phrase, icd203_term, label_text, pct

READER_ORDER = ("russia-strategic", "union-shield", "joint-air-patrol", "joint-sea", "joint-maritime-patrol",
                "china-russia-interaction", "maritime-security-belt", "peace-mission", "joint-submarine-patrol")
"""Default order of the series: Russia's strategic rotation first, then by reader interest."""


def reader_order(series_ids, order=None) -> list[str]:
    """``series_ids`` sorted by ``order`` (default :data:`READER_ORDER`); series not named keep their order last."""
    rank = {s: i for i, s in enumerate(READER_ORDER if order is None else order)}
    return sorted(series_ids, key=lambda s: (rank.get(s, len(rank)), list(series_ids).index(s)))


def _pc(p) -> str:
    """A percentage as paragraph text ('&lt;1\u00a0%'), never split from its number."""
    return esc(pct(p)).replace(" %", "\u00a0%")


def _ph(p) -> str:
    """'likely (62\u00a0%)' as paragraph text."""
    return esc(icd203_phrase(p)).replace(" %", "\u00a0%")


def _d(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def _part(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    part = "early" if d.day <= 10 else ("mid" if d.day <= 20 else "late")
    return f"{part}-{d.strftime('%b')} {d.year}"


def when_text(w) -> str:
    """'mid-Sep 2027 (80 %: 26 Aug 2027 – 10 Oct 2027)', 'any time of year', or a dash."""
    s = w["next_start"]
    if s is None:
        return "\u2013"
    if s["any_time"]:
        return "any time of year"
    a, b = _dt.date.fromisoformat(s["q10"]), _dt.date.fromisoformat(s["q90"])
    if a == b:
        return f"{a.day} {a.strftime('%b')} {a.year}"
    return f"{_part(s['median'])} (80 %: {a.day} {a.strftime('%b')} \u2013 {b.day} {b.strftime('%b')})"


def who_text(w, limit=3) -> str:
    """Participants given an event in the window: 'China, Russia (>99 %); Kazakhstan 65 %'."""
    parts = sorted(w["participants"].items(), key=lambda kv: (-kv[1], kv[0]))
    sure = [esc(country(c)) for c, v in parts if v >= 0.995]
    rest = [f"{esc(country(c))} {_pc(v)}" for c, v in parts if 0.005 <= v < 0.995][:max(1, limit - len(sure))]
    head = f"{', '.join(sure)} (&gt;99\u00a0%)" if sure else ""
    return "; ".join(x for x in [head, ", ".join(rest)] if x).replace(" %", "\u00a0%")


def direction_text(w) -> str:
    d = w.get("directions")
    if not d:
        return ""
    lab, p = max(d.items(), key=lambda kv: kv[1])
    what = "another exercise" if lab == "other" else label_text(lab)
    if p >= 0.995:  # the direction is settled (announced): no false '100 %'
        return f"{esc(what)} if held"
    return f"{esc(what)} {_ph(p)} if held"


def _announced(r, w):
    """An announced event of the series due inside the window (a fact, with its name)."""
    lo, hi = w["window"]["start"], w["window"]["end"]
    verify = {v["name"] for v in w["to_verify"]}
    return [e for e in r.events if e["status"] == "announced" and e["primary"] and e["name"] not in verify
            and e["start"].high.isoformat() >= lo and e["start"].low.isoformat() <= hi]


def _base(r) -> str:
    """' (no skill: base rate)' where the model's estimate is a base rate, else ''."""
    s = skill(r)
    return (" (no track record: base rate)" if s is None else
            " (no skill: base rate)" if s["status"] == "no skill" else "")


def _lead(results, windows):
    return [(r, w) for r, w in zip(results, windows) if w is not None]


def key_judgments(results, windows, as_of) -> list[str]:
    """Three judgments in prose: what comes next and when, what is most likely, the largest uncertainty."""
    pairs = _lead(results, windows)
    if not pairs:
        return ["No series could be forecast as of this date."]
    dated = [(r, w) for r, w in pairs if w["next_start"] and not w["next_start"]["any_time"] and w["p_any"] >= 0.45]
    dated.sort(key=lambda rw: rw[1]["next_start"]["median"])
    out = []
    if dated:
        items = []
        for r, w in dated[:2]:
            who = who_text(w, 3)
            dirn = direction_text(w)
            items.append(f"<b>{esc(short_name(r.name))}</b> in {_part(w['next_start']['median'])}: "
                         f"{_ph(w['p_any'])}{esc(_base(r))}{', ' + dirn if dirn else ''}"
                         f"{', with ' + who + ' if held' if who else ''}")
        out.append("<b>What comes next.</b> " + "; ".join(items) + ".")
    else:
        out.append("<b>What comes next.</b> No series has a roughly even chance or more of an event at a "
                   "predictable time in the next twelve months.")
    top = sorted(pairs, key=lambda rw: -rw[1]["p_any"])[:3]
    bits = []
    for r, w in top:
        dirn = direction_text(w)
        bits.append(f"{esc(short_name(r.name))} {_ph(w['p_any'])}{esc(_base(r))}" + (f", {dirn}" if dirn else ""))
    out.append("<b>Most likely.</b> At least one event in the twelve months: " + "; ".join(bits) + ".")
    verify = [(r, v) for r, w in pairs for v in w["to_verify"] if v["p_happened"] >= 0.05]
    if verify:
        r, v = max(verify, key=lambda rv: (rv[1]["announced"], rv[1]["p_happened"]))
        what = esc(v["name"]) if v["name"] else f"a {esc(short_name(r.name))} event"
        late = [x for x in results if coverage_gap(x, as_of) > STALE_DAYS]
        out.append(f"<b>Largest uncertainty.</b> Whether {what} took place: "
                   f"{'announced, ' if v['announced'] else ''}due {esc(_due(v))}, after the series was last checked "
                   f"({_d(checked_through(r).isoformat())}); {_that(v['p_happened'])} it has. {len(late)} of the "
                   f"{len(results)} series were last checked more than {STALE_DAYS} days ago (To verify).")
    else:
        unsure = [(r, w) for r, w in pairs if skill(r) is None or skill(r)["status"] != "skill"]
        if unsure:
            names = [esc(short_name(r.name)) for r, _ in unsure[:4]]
            names = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
            out.append(f"<b>Largest uncertainty.</b> The track record: for {names} the model has no skill, too "
                       "short a record or no significant skill over a uniform guess, so their numbers are close "
                       "to base rates.")
    return out


def _short(reason: str) -> str:
    """A confidence reason in a few words: 'not checked in the last 158 days' -> 'unchecked 158 days'."""
    return (reason.replace("not checked in the last ", "").replace(" days", "-day gap")
            .replace(" complete years", " years").replace("no skill over a uniform guess", "no skill")
            .replace(" of events high-confidence", " high-confidence sources"))


def _that(p) -> str:
    t = icd203_term(p)
    return (f"there is {'a ' if t == 'roughly even chance' else ''}{t} ({_pc(p)})" if t in
            ("roughly even chance", "almost no chance") else f"it is {t} ({_pc(p)})")


def _due(v) -> str:
    """When a to-verify event was due: its announced date, or the most likely part of the unchecked time."""
    due, med = v.get("due"), v.get("gap_median")
    if due and len(due) == 10:
        return _part(due)
    if due and len(due) == 7:
        d = _dt.date.fromisoformat(due + "-01")
        return f"{d.strftime('%B')} {d.year}"
    return f"most likely {_part(med)}" if med else (due or "\u2013")


def outlook_page(doc: Doc, results, windows, as_of, catalogue, chapters=True, calendar=None):
    """Page 1 (see the module docstring)."""
    from reportlab.platypus import Spacer

    end = _dt.date.fromisoformat(next(w for w in windows if w)["window"]["end"]) if any(windows) else as_of
    doc.story.append(Spacer(1, 4))
    doc.para("Russian and Chinese military exercises: the next 12 months", "title")
    latest = catalogue.as_of(as_of).latest_report()
    stale = f" (<b>{(as_of - latest).days} days before the as-of date</b>)" if (
        latest is not None and (as_of - latest).days > STALE_DAYS) else ""
    doc.para(f"drillcast report as of <b>{as_of.isoformat()}</b> \u00b7 outlook {_d(as_of.isoformat())} \u2013 "
             f"{_d(end.isoformat())} \u00b7 catalogue {catalogue.sha256[:12]}, latest report "
             f"{latest or 'none'}{stale}", "subtitle")
    cts = [min(checked_through(r), as_of) for r in results]  # a check recorded later is not known on as_of
    late = [r for r in results if coverage_gap(r, as_of) > STALE_DAYS]
    short = [r for r, w in zip(results, windows) if w is None]
    cov = (f"<b>Coverage:</b> {len(results)} series"
           + (f" ({', '.join(esc(short_name(r.name)) for r in short)}: too few events to forecast)" if short else "")
           + ("; every series' sources searched up to the as-of date" if min(cts) == as_of else
              f"; sources searched through {_d(min(cts).isoformat())}"
              + (f"\u2013{_d(max(cts).isoformat())}" if max(cts) != min(cts) else ""))
           + (f"; {len(late)} series not checked in the last {STALE_DAYS} days, so an event since then would be "
              "missing (To verify)." if late else "."))
    doc.para(cov, "small")
    doc.heading("Key judgments", 0, key="sec-bottom-line", style="H2")
    for s in key_judgments(results, windows, as_of):
        doc.para(s)
    doc.heading("Outlook", 1, key="sec-outlook", style="H3")
    rows = []
    order = sorted(range(len(results)), key=lambda i: (
        windows[i] is None or windows[i]["next_start"] is None or windows[i]["p_any"] < 0.05,
        windows[i]["next_start"]["any_time"] if windows[i] and windows[i]["next_start"] else True,
        windows[i]["next_start"]["median"] if windows[i] and windows[i]["next_start"] else "9999"))
    for i in order:
        r, w = results[i], windows[i]
        name = esc(short_name(r.name))
        if chapters:
            name = f'<a href="#series-{esc(r.sid)}" color="#0B5394">{name}</a>'
        if w is None:
            continue
        chance = f"<b>{icd203_term(w['p_any'])}</b> ({_pc(w['p_any'])})"
        dirn = direction_text(w)
        if dirn:
            chance += f"<br/>{dirn}"
        ann = _announced(r, w)
        when = esc(when_text(w))
        if ann:
            src = f" ({cite(ann[0]['sources'][0])})" if ann[0]["sources"] else ""
            when = f"announced: {esc(ann[0]['name'])}{src}<br/>{when}"
        level, why = confidence(r, as_of)
        rows.append([name, chance, when, who_text(w) or "\u2013",
                     f"<b>{level}</b>: {esc(', '.join(_short(x) for x in why if x != 'no track record'))}"
                     f"<br/>{esc(skill_cell(r, short=True))}"])
    doc.table(["Series", "at least one event in 12 months", "when (start, if held)", "who, if held",
               "confidence: why; skill"], rows, [94, 80, 92, 96, doc.width - 362], cell_style="cellsmall")
    doc.para("ICD 203 words: almost no chance &lt;5 %, very unlikely 5\u201320 %, unlikely 20\u201345 %, roughly "
             "even 45\u201355 %, likely 55\u201380 %, very likely 80\u201395 %, almost certain &gt;95 %. Confidence "
             "is separate from probability. Skill: the model against a uniform guess in its backtest (paired "
             "permutation p). Details: <i>How to read this report</i>.", "tiny")
    to_verify(doc, results, windows, as_of)
    if calendar is not None:
        calendar(doc)


def to_verify(doc: Doc, results, windows, as_of):
    """Events due since each series' last check, with the probability that they have happened.

    Announced events and those more likely than not to have happened get a row; the rest one line.
    """
    rows, rest = [], []
    for r, w in zip(results, windows):
        if w is None:
            continue
        for v in w["to_verify"]:
            if v["p_happened"] < 0.05 and not v["announced"]:
                continue
            if not v["announced"] and v["p_happened"] < 0.5:
                rest.append(f"{esc(short_name(r.name))} {_pc(v['p_happened'])}")
                continue
            what = f"a {esc(short_name(r.name))} event"
            if v["name"]:
                e = next((x for x in r.events if event_name(x["name"]) == v["name"]), None)
                src = f", {cite(e['sources'][0], e['confidence'])}" if e is not None and e["sources"] else ""
                what = f"{esc(v['name'])} (announced{src})"
            rows.append((not v["announced"], -v["p_happened"],
                         [what, esc(_due(v)), _d(checked_through(r).isoformat()),
                          _ph(v["p_happened"]) + esc(_base(r))]))
    doc.heading("To verify", 1, key="sec-to-verify", style="H3")
    if not rows and not rest:
        doc.para("Nothing: every series is checked up to the as-of date, or nothing was due since its check.",
                 "small")
        return
    if rows:
        doc.table(["Event due while its series was not checked", "due", "last checked", "has happened"],
                  [row for *_, row in sorted(rows, key=lambda t: t[:2])], [190, 110, 70, doc.width - 370],
                  cell_style="cellsmall")
    if rest:
        doc.para("Less likely than not to have happened, since the last check: " + ", ".join(rest) + ".", "tiny")
