"""Per series: the key assumptions behind the estimate, and what would change it.

Everything comes from the series' own record as known on the as-of date:
how often announced exercises were held, how often and how far ahead the
series was announced (and in which month the first reports came), the usual
start season, the years of data and the coverage gap. No general rule is
printed for a series whose record says otherwise (the air patrols were never
announced ahead, so an announcement is not their signal).
"""

from __future__ import annotations

from collections import Counter

from drillcast.present.report.document import Doc
from drillcast.present.report.evidence import announcement_phrase, announcements
from drillcast.present.report.facts import STALE_DAYS, checked_through, coverage_gap, short_name, skill
from drillcast.present.report.wording import esc, label_text, pct


def _first_report_month(events) -> tuple[str, int, int] | None:
    """The month in which announcements (first reports before the start) most often came."""
    months = [e["first_reported"].low.strftime("%B") for e in events
              if e["status"] == "held" and e["primary"] and e["first_reported"] is not None
              and e["first_reported"].precision != "year" and e["first_reported"].high < e["start"].low]
    if len(months) < 3:
        return None
    m, k = Counter(months).most_common(1)[0]
    return m, k, len(months)


def _season(events) -> str | None:
    days = sorted(e["start"].low for e in events if e["status"] == "held" and e["primary"]
                  and e["start"].precision != "year")
    if len(days) < 3:
        return None
    months = Counter(d.strftime("%B") for d in days)
    (m1, k1), *rest = months.most_common(2)
    top = [m1] + [m for m, k in rest if k >= 0.25 * len(days)]
    k = sum(months[m] for m in top)
    return f"{' or '.join(top)} ({k} of {len(days)} starts)"


def assumptions(doc: Doc, r, as_of):
    """The 'Key assumptions and what would change the estimate' part of a series chapter."""
    fc = r.forecast
    if not fc.ok:
        return
    doc.heading("Key assumptions and what would change the estimate", 1)
    h = r.history
    held = [e for e in r.events if e["status"] == "held" and e["primary"]]
    a = announcements(held)
    assume = []
    if fc.kind == "rotating":
        order = " \u2192 ".join(label_text(c) for c in r.info.directions)
        assume.append(f"The rotation of {h.n_years} complete years ({esc(order)}) continues as the model "
                      "learnt it; a year without an exercise stays possible.")
    else:
        known = h.known if h.n_years else []
        yes, n = (int((h.held() & known).sum()), int(known.sum())) if h.n_years else (0, 0)
        assume.append(f"The rate of the last years continues: held in {yes} of {n} complete years"
                      + (", with recent years weighted more" if r.info.multi_event else "") + ".")
    assume.append(f"Announced exercises are held with p = {1 - fc.p_cancel:.2f} (the catalogue's announcements "
                  "and what became of them).")
    season = _season(r.events)
    if season:
        assume.append(f"Starts fall in the usual season: {esc(season)}.")
    gap = coverage_gap(r, as_of)
    if gap > STALE_DAYS:
        assume.append(f"The {gap} days since the last check ({checked_through(r)}) are unknown, not empty "
                      "(To verify, page 1).")
    change = []
    if a["n"] and a["ahead"] == 0:
        change.append(f"Not an announcement: the series was {announcement_phrase(a)}; the first report is the "
                      "event itself, so silence does not lower the odds.")
    elif a["n"]:
        fm = _first_report_month(r.events)
        when = f"; first reports came most often in {fm[0]} ({fm[1]} of {fm[2]})" if fm else ""
        change.append(f"An announcement: the series was {announcement_phrase(a)}{when}; none "
                      f"{a['median_days']:.0f} days before the usual start lowers the odds."
                      if a["ahead"] else f"An announcement would be new: the series was {announcement_phrase(a)}.")
    if gap > STALE_DAYS:
        change.append(f"A check of the sources since {checked_through(r)}: an event found settles its year.")
    s = skill(r)
    if s is None or s["status"] == "no skill":
        change.append("Each new year of data: without skill the estimate is a base rate and moves with each "
                      "outcome.")
    if fc.kind == "rotating":
        nxt = next((y for y in fc.years if y.outcomes and y.year > as_of.year), None)
        if nxt is not None:
            lab, p = max(((k, v) for k, v in nxt.outcomes.items() if k != "none"), key=lambda kv: kv[1])
            change.append(f"A break in the rotation: {nxt.year} is expected to be {esc(label_text(lab))} "
                          f"({pct(p)}); another direction announced would replace the estimate.")
    doc.para("<b>Assumptions.</b> " + " ".join(assume), "small")
    if change:
        doc.para(f"<b>What would change it ({esc(short_name(r.name))}).</b> " + " ".join(change), "small")

