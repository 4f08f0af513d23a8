"""The report's front matter and per-series chapters."""

from __future__ import annotations

import os
import re

from drillcast.present.report.document import FONT_MONO, Doc
from drillcast.present.report.results import SeriesResults, track_record_summary
from drillcast.present.report.wording import (
    ALPHA,
    ICD203_SCALE,
    SECTION_TITLES,
    SECTIONS,
    count,
    emphasise,
    esc as _esc,
    format_p,
    judgment_sentences,
    pct,
)


def new_figure(width_in, height_in):
    """A Figure to draw on the page (imports the matplotlib canvas module on first use)."""
    from drillcast.present.report.canvas import new_figure as make

    return make(width_in, height_in)


def latest_report_cell(catalogue, as_of) -> str:
    """The catalogue's latest knowledge date on the as-of date, flagged when over 90 days old."""
    latest = catalogue.as_of(as_of).latest_report()
    if latest is None:
        return "-"
    days = (as_of - latest).days
    if days > 90:
        return (f"{latest.isoformat()} (<b>{days} days before the as-of date</b>: anything not recorded since is "
                "treated as not having happened)")
    return latest.isoformat()


def cover(doc: Doc, catalogue, results, as_of, seed, horizon, command_line, version, wanted=SECTIONS):
    from reportlab.platypus import Spacer

    doc.story.append(Spacer(1, 60))
    doc.para("drillcast report", "title")
    n = len(results)
    doc.para(f"Forecasts of recurring military exercises, their track record and tests of their rotation "
             f"\u2014 {n} series, as of {as_of.isoformat()}", "subtitle")
    rows = [
        ["As of", f"<b>{as_of.isoformat()}</b> (nothing reported after this date is used)"],
        ["Catalogue SHA-256", f'<font name="{FONT_MONO}">{catalogue.sha256}</font>'],
        ["Catalogue file", _esc(os.path.basename(catalogue.path) or "-")],
        ["Latest report in it", latest_report_cell(catalogue, as_of)],
        ["drillcast version", _esc(version)],
        ["Series", ", ".join(_esc(r.sid) for r in results)],
        ["Forecast horizon", f"{horizon} year(s) from {as_of.year}"],
        ["Seed", str(seed)],
    ]
    if command_line:
        rows.append(["Command", f'<font name="{FONT_MONO}">{_esc(command_line)}</font>'])
    doc.table(None, rows, [110, doc.width - 110], zebra=False)
    doc.space(16)
    doc.para("Probabilities are stated in the words of US Intelligence Community Directive 203 "
             "(almost no chance 1-5 %, very unlikely 5-20 %, unlikely 20-45 %, roughly even chance 45-55 %, "
             "likely 55-80 %, very likely 80-95 %, almost certain 95-99 %) and always with the number. "
             "Every forecast is made as of the date above from a sourced open-source catalogue; the data "
             "appendix lists every event used with its sources.", "small")
    doc.space(10)
    items = []
    if "judgments" in wanted:
        items.append(("sec-judgments", SECTION_TITLES["judgments"]))
    if any(x in wanted for x in ("history", "forecast", "track_record", "hypotheses")):
        items += [(f"series-{r.sid}", r.info.name) for r in results]
    items += [(f"sec-{x}", SECTION_TITLES[x]) for x in ("methods", "limitations", "appendix", "reproducibility")
              if x in wanted]
    doc.para("<b>Contents</b>", "body")
    for key, title in items:
        doc.para(f'<a href="#{key}" color="#0B5394">{_esc(title)}</a>', "contents")


def judgments(doc: Doc, results):
    doc.heading(SECTION_TITLES["judgments"], 0, page_break=True, key="sec-judgments")
    doc.para("Each forecast below is a probability from the default model of the series, stated in the "
             "words of ICD 203 and in numbers; start dates are given for the case that the exercise is held. "
             "How far to trust each one is shown in the series' track record.", "small")
    from reportlab.platypus import KeepTogether, Paragraph

    for r in results:
        block = [Paragraph(f"<b>{_esc(r.info.name)}</b> <font size=7 color='#555555'>({_esc(r.sid)}; "
                           f"{r.forecast.n_events_used} events over {r.forecast.n_years_used} years)</font>",
                           doc.s["body"])]
        block += [Paragraph(emphasise(_esc(t)), doc.s["bullet"], bulletText="\u2022")
                  for t in judgment_sentences(r.forecast, r.info)]
        tr = track_record_summary(r)
        if tr:
            from drillcast.present.render import track_record_phrase

            block.append(Paragraph(_esc(track_record_phrase(tr).capitalize()) + ".", doc.s["note"]))
        doc.story.append(KeepTogether(block))
    doc.space(4)
    doc.table(["ICD 203 term", "probability range", "", "ICD 203 term", "probability range"], [
        [ICD203_SCALE[i][0], f"{100 * ICD203_SCALE[i][1]:.0f}\u2013{100 * ICD203_SCALE[i][2]:.0f} %", "",
         ICD203_SCALE[i + 4][0] if i + 4 < 7 else "",
         f"{100 * ICD203_SCALE[i + 4][1]:.0f}\u2013{100 * ICD203_SCALE[i + 4][2]:.0f} %" if i + 4 < 7 else ""]
        for i in range(4)], [110, 80, 20, 110, 80], zebra=False)
    doc.para("Boundaries: a probability rounded to a whole per cent of exactly 45 or 55 % is 'roughly even "
             "chance', 20 % 'unlikely', 80 % 'likely', 5 % 'very unlikely', 95 % 'very likely'. Below 1 % the "
             "term is 'almost no chance' (shown as <1 %), above 99 % 'almost certain' (>99 %).", "tiny")


def series_chapter(doc: Doc, r: SeriesResults, as_of, parts):
    """One series' chapter: a heading, what the series is, then ``parts`` in order."""
    doc.heading(f"{r.info.name}", 0, page_break=True, key=f"series-{r.sid}")
    doc.para(f"Series <font name='{FONT_MONO}'>{_esc(r.sid)}</font> ({_esc(r.info.kind)}"
             + (f": {', '.join(_esc(d) for d in r.info.directions)}" if r.info.rotating else "") + ").", "small")
    for s in parts:
        {"history": _history, "forecast": _forecast, "track_record": _track_record,
         "hypotheses": _hypotheses}[s](doc, r, as_of)


def _history(doc: Doc, r: SeriesResults, as_of):
    import numpy as np

    from drillcast.present import plotting

    h = r.history
    doc.heading(SECTION_TITLES["history"], 1)
    held = [e for e in r.events if e["status"] == "held"]
    cancelled = [e for e in r.events if e["status"] in ("cancelled", "postponed")]
    announced = [e for e in r.events if e["status"] == "announced"]
    counts = {c: int(np.sum(h.outcomes == i)) for i, c in enumerate(h.categories)}
    span = f"{int(h.years[0])}\u2013{int(h.years[-1])}" if h.n_years else "no complete year"
    txt = (f"{count(len(r.events), 'event')} known on {as_of} ({len(held)} held, {len(cancelled)} cancelled or "
           f"postponed, {len(announced)} announced); {count(h.n_events, 'held primary event')} "
           f"{'is' if h.n_events == 1 else 'are'} used, over {count(h.n_years, 'complete year')} ({span}).")
    if h.info.rotating:
        txt += " Years by outcome: " + ", ".join(f"{_esc(c)} {n}" for c, n in counts.items()) + "."
    else:
        txt += f" Years with at least one event: {counts.get('held', 0)}; without: {counts.get('none', 0)}."
    doc.para(txt)
    if not r.events:
        return
    n_rows = len({e["start"].year for e in r.events}) + 1
    t_h = min(5.2, 1.0 + 0.17 * n_rows)
    g_h = 0.75 + 0.24 * len(h.categories)
    with plotting.style():
        fig = new_figure(doc.width / 72, t_h + g_h)
        axs = fig.subplots(2, 1, height_ratios=[t_h, g_h])
        plotting.plot_timeline(r.snapshot, r.sid, ax=axs[0])
        plotting.plot_rotation_grid(h, ax=axs[1])
    doc.figure(fig, f"<b>Figure.</b> {_esc(r.info.name)}: every event by date (top; hatched: date known only to "
                    f"the month or year, outline: cancelled, dashed: announced) and the outcome of each year "
                    f"(bottom). As of {as_of}.")


def _forecast(doc: Doc, r: SeriesResults, as_of):
    from drillcast.present import plotting
    from drillcast.present.text import start_phrase

    fc = r.forecast
    doc.heading(SECTION_TITLES["forecast"], 1)
    if not fc.ok:
        doc.para(f"No forecast: {_esc(fc.reason)}.")
        return
    doc.para(f"Model <b>{_esc(fc.model)}</b> ({_esc(fc.model_info.get('description', ''))}), fitted on "
             f"{fc.n_events_used} events over {fc.n_years_used} years. Announced exercises are cancelled with "
             f"probability {fc.p_cancel:.2f} (the catalogue's record of announcements).")
    parts = sorted({k for y in fc.years for k in y.participants})
    if fc.kind == "rotating":
        cats = list(fc.categories)
        header = ["Year", *[_esc(c) for c in cats], "held", "start if held: median (80 %)", *map(_esc, parts)]
        rows = [[str(y.year), *[pct(y.outcomes[c]) for c in cats], pct(y.p_held), _esc(start_phrase(y.start)),
                 *[pct(y.participants.get(p)) for p in parts]] for y in fc.years]
        fixed = 34 + 40 * len(cats) + 36 + 40 * len(parts)
        widths = [34, *[40] * len(cats), 36, max(90, doc.width - fixed), *[40] * len(parts)]
        right = set(range(1, len(cats) + 2)) | set(range(len(cats) + 3, len(header)))
    else:
        header = ["Year", "held", "expected count (80 %)", "start if held: median (80 %)", *map(_esc, parts)]
        rows = [[str(y.year), pct(y.p_held), f"{y.expected_count:.1f} ({y.count_interval[0]}\u2013"
                 f"{y.count_interval[1]})", _esc(start_phrase(y.start)), *[pct(y.participants.get(p)) for p in parts]]
                for y in fc.years]
        fixed = 34 + 40 + 90 + 40 * len(parts)
        widths = [34, 40, 90, max(110, doc.width - fixed), *[40] * len(parts)]
        right = {1, 2} | set(range(4, len(header)))
    doc.table(header, rows, widths, align_right=right)
    notes = [f"{y.year}: {_esc(y.known)}" for y in fc.years if y.known]
    if parts:
        notes.append(f"{', '.join(_esc(p) for p in parts)}: probability of taking part in the year's exercise "
                     "(unconditional).")
    for n in notes:
        doc.para(n, "tiny")
    doc.space(6)
    with plotting.style():
        fig = new_figure(doc.width / 72, 5.6)
        axs = fig.subplots(2, 1, height_ratios=[2.5, 3.1])
        plotting.plot_forecast(fc, ax=axs[0])
        plotting.plot_date_fan(r.history, fc, ax=axs[1])
    doc.figure(fig, f"<b>Figure.</b> {_esc(r.info.name)}: forecast probabilities by year (top) and the start "
                    f"date of the year's first event: observed (points) and forecast quantile bands given the "
                    f"exercise is held (bottom). As of {as_of}.")


def _track_record(doc: Doc, r: SeriesResults, as_of):
    from drillcast.present import plotting
    from drillcast.models import BASELINES

    doc.heading(SECTION_TITLES["track_record"], 1)
    res = r.backtest
    rows_sum = [s for s in (res.summary if res is not None else ()) if s["series"] == r.sid]
    if not rows_sum:
        doc.para(f"No track record: fewer than 5 years of history before a scorable year as of {as_of}, so "
                 "no past forecast could be scored.")
        return
    years = sorted({f["year"] for f in res.folds if f["series"] == r.sid})
    default = r.forecast.model
    doc.para(f"Every model re-run as of 1 January of each year {years[0]}\u2013{years[-1]} using only what was "
             f"reported by then, and scored on that year's outcome as known on {as_of} ({rows_sum[0]['n']} "
             "forecasts per model). Log score: higher is better, 0 is perfect; Brier and CRPS: lower is better. "
             "'vs' columns: mean log-score difference per forecast and the two-sided paired sign-flip "
             "permutation p-value; * baseline.")
    header = ["Model", "n", "mean log score", "Brier", "CRPS (days)", "vs uniform", "vs climatology",
              "80 % start cover"]
    body = []
    bold = set()
    for i, s in enumerate(rows_sum):
        vs = s.get("vs_baselines", {})

        def cmp(b):
            v = vs.get(b)
            return "\u2013" if not v else f"{v['mean_difference']:+.2f} (p {format_p(v['p_value'])})"

        cov = next((c for c in s.get("coverage", []) if abs(c["level"] - 0.8) < 1e-9), None)
        body.append([
            _esc(s["model"]) + (" *" if s["model"] in BASELINES else ""), str(s["n"]),
            f"{s['mean_log_score']:.2f}", f"{s['mean_brier']:.2f}",
            "\u2013" if s["mean_crps_days"] is None else f"{s['mean_crps_days']:.1f}",
            cmp("uniform"), cmp("climatology"),
            "\u2013" if not cov else f"{cov['hits']}/{cov['n']}",
        ])
        if s["model"] == default:
            bold.add(i)
    doc.table(header, body, [80, 24, 52, 40, 48, 86, 86, doc.width - 416], align_right={1, 2, 3, 4, 5, 6, 7},
              bold_rows=bold)
    doc.para(f"Bold: the default model, whose forecasts this report gives. With {rows_sum[0]['n']} forecasts, "
             "differences under about 0.5 in mean log score are rarely significant.", "tiny")
    doc.space(6)
    with plotting.style():
        fig = new_figure(doc.width / 72, 3.6)
        gs = fig.add_gridspec(1, 2, width_ratios=[1.75, 1])
        ax1 = fig.add_subplot(gs[0])
        ax2 = fig.add_subplot(gs[1])
        plotting.plot_backtest_scores(res, r.sid, ax=ax1)
        ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=6)
        ax1.set_title(f"Log score by year (truth as of {as_of})", loc="left")
        ax1.set_xlabel("")
        plotting.plot_reliability(res, r.sid, default, ax=ax2)
        n_prob = sum(x["n"] for x in res.reliability.get(f"{r.sid}/{default}", []) if x.get("n"))
        ax2.set_title(f"Reliability of {default}\n({n_prob} probabilities)", loc="left")
        if ax2.get_legend() is not None:
            ax2.get_legend().remove()
    doc.figure(fig, f"<b>Figure.</b> {_esc(r.info.name)}: log score of each one-year-ahead forecast (left; "
                    "dashed: baselines) and the reliability of the default model's outcome probabilities "
                    "(right): observed frequency against mean forecast per bin (points, with the number of "
                    "probabilities) and the 90 % range a calibrated forecaster would produce (grey bars).")


def _hypotheses(doc: Doc, r: SeriesResults, as_of):
    from drillcast.present import plotting

    doc.heading(SECTION_TITLES["hypotheses"], 1)
    if r.battery is None:
        doc.para(f"Hypothesis tests are not part of this report: {_esc(r.battery_note)}.")
        return
    ran = [t for t in r.battery if not getattr(t, "skipped", None)]
    n_p = len([t for t in ran if t.p_value is not None])
    adjusted = (f"p-values are adjusted for {count(n_p, 'test')} by Holm's method" if n_p > 1 else
                "no adjustment for multiplicity is needed" if n_p == 1 else "no test yields a p-value yet")
    doc.para(f"The battery of tests on the yearly record as known on {as_of}; {adjusted}. Power is the chance "
             "of rejecting at the 5 % level against the stated alternative with the data so far; 'n for 80 %' "
             "is the total n at which it would reach 80 %.")
    header = ["Test and null hypothesis", "p", "adj. p", "power", "n for 80 %", "Reading"]
    rows = []
    for t in r.battery:
        name = f"<b>{_esc(t.test)}</b>"
        if t.h0:
            name += f"<br/><font size=6.5>H0: {_esc(t.h0)}</font>"
        if getattr(t, "skipped", None):
            rows.append([name, "\u2013", "\u2013", "\u2013", "\u2013", f"not applicable: {_esc(t.skipped)}"])
            continue
        unit = (t.details or {}).get("unit", "")
        n80 = "\u2013" if t.n_for_80 is None else f"{t.n_for_80} {_esc(unit)}".strip()
        if t.n_for_80 is None and t.power is not None:
            n80 = f">{t.n + 100}"
        rows.append([name, format_p(t.p_value), format_p(t.p_adjusted),
                     "\u2013" if t.power is None else f"{t.power:.2f}", n80, _esc(t.reading)])
    doc.table(header, rows, [110, 36, 36, 32, 46, doc.width - 260], align_right={1, 2, 3, 4})
    curve = None
    for t in ran:
        c = (t.details or {}).get("power_curve")
        if c and len(c) >= 2 and t.test == "rotation":
            pairs = sorted((int(k), float(v)) for k, v in c.items())
            curve = {"n_future": [k - int(t.n) for k, _ in pairs], "power": [v for _, v in pairs],
                     "test": t.test, "alpha": ALPHA, "unit": (t.details or {}).get("unit", "years")}
            break
    if curve is not None and any(n >= 0 for n in curve["n_future"]):
        keep = [(n, p) for n, p in zip(curve["n_future"], curve["power"]) if n >= 0]
        curve["n_future"], curve["power"] = [k for k, _ in keep], [v for _, v in keep]
        with plotting.style():
            fig = new_figure(doc.width / 72 * 0.72, 2.4)
            plotting.plot_power_curve(curve, ax=fig.add_subplot())
        doc.figure(fig, f"<b>Figure.</b> Power of the {_esc(curve['test'])} test against the number of future "
                        "years observed (points: the simulations behind 'n for 80 %').")


