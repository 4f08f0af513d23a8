"""Per-series chapters (history, forecast, track record) and the hypothesis tests of the annex."""

from __future__ import annotations

from drillcast.present.report.document import Doc
from drillcast.present.report.results import SeriesResults
from drillcast.present.report.wording import ALPHA, SECTION_TITLES, count, country, format_p, pct
from drillcast.present.report.wording import esc as _esc


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


def history_figure(r: SeriesResults, width: float):
    """Every event by date above the outcome of each year, ``width`` points wide."""
    from drillcast.present import plotting
    from drillcast.present.plot_timeline import plot_timeline, timeline_rows

    # about 9 pt a lane (one year, or one of a crowded year's lanes): bars, codes and year labels readable
    t_h = max(1.9, min(5.0, 0.85 + 0.125 * timeline_rows(r.snapshot, r.sid)))
    g_h = 0.65 + 0.17 * len(r.history.categories)
    with plotting.style():
        fig = new_figure(width / 72, t_h + g_h)
        axs = fig.subplots(2, 1, height_ratios=[t_h, g_h])
        plot_timeline(r.snapshot, r.sid, ax=axs[0])
        plotting.plot_rotation_grid(r.history, ax=axs[1])
    return fig


def forecast_figure(r: SeriesResults, width: float):
    """Observed and forecast start dates (the date fan)."""
    from drillcast.present import plotting

    with plotting.style():
        fig = new_figure(width / 72, 2.35 if r.forecast.kind == "rotating" else 2.0)  # the legend lists directions
        plotting.plot_date_fan(r.history, r.forecast, ax=fig.add_subplot())
    return fig


def track_record_figure(r: SeriesResults, width: float):
    """The probability each backtest forecast gave to what happened, against the uniform guess."""
    from drillcast.present import plotting, plotting_scores

    with plotting.style():
        fig = new_figure(width / 72, 1.7)
        plotting_scores.plot_forecast_vs_outcome(r.backtest, r.sid, r.forecast.model, ax=fig.add_subplot())
    return fig


def calendar_section(doc: Doc, outlook):
    """The 12-month calendar: one row per series, when an event may start and how likely (page 2)."""
    from drillcast.present import plotting
    from drillcast.present.plot_outlook import outlook_size, plot_outlook_calendar

    w, h = outlook_size(outlook, width=doc.width / 72)
    with plotting.style():
        fig = new_figure(w, h)
        plot_outlook_calendar(outlook, ax=fig.add_subplot())
    doc.heading("Calendar", 1, key="sec-calendar")
    doc.figure(fig, f"<b>Figure.</b> The 12 months from {outlook.as_of}: per week, the expected number of starts "
                    "(the start-date density weighted by the chance of an event), events the catalogue already "
                    "records marked, and the chance of at least one event at the end of each row.")


def map_section(doc: Doc, results, catalogue, as_of):
    """Where every held event of the reported series took place (the catalogue's coordinates), on one map."""
    from dataclasses import replace

    from drillcast import analysis
    from drillcast.present import plotting
    from drillcast.present.plot_map import map_size, plot_event_map
    from drillcast.present.report.facts import short_name

    places = analysis.places(catalogue, [r.sid for r in results], as_of=as_of)
    if not places.places:
        return
    places = replace(places, names={r.sid: short_name(r.name) for r in results})  # names as known then
    w, h = map_size(places, width=doc.width / 72)
    with plotting.style():
        fig = new_figure(w, min(h, 3.8))
        plot_event_map(places, ax=fig.add_subplot())
    doc.heading("Where they took place", 1, key="sec-map")
    doc.figure(fig, f"<b>Figure.</b> Held events with a place in the catalogue, by series, as of {as_of}.")


def series_chapter(doc: Doc, r: SeriesResults, as_of, parts):
    """One series' chapter: a heading, what the series is, then ``parts`` in order."""
    from drillcast.present.report.assumptions import assumptions

    doc.heading(f"{r.name}", 0, page_break="cond", key=f"series-{r.sid}")
    for s in parts:
        {"history": _history, "forecast": _forecast, "track_record": _track_record}[s](doc, r, as_of)
        if s == "forecast":
            assumptions(doc, r, as_of)


def _history(doc: Doc, r: SeriesResults, as_of):
    import numpy as np


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
    doc.para(txt, keep=True)
    if not r.events:
        return
    doc.figure(history_figure(r, doc.width), f"<b>Figure.</b> {_esc(r.name)}: every event by date and the outcome of "
                                             f"each year, as of {as_of} (how to read: How to read this report).")


def _given(y, c):
    v = y.participants.get(c)
    return None if v is None or y.p_held <= 0 else min(1.0, v / y.p_held)


def _label_width(doc: Doc, label: str, minimum: float) -> float:
    """A column wide enough for the longest word of its header (cells never split a word)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    head = doc.s["head"]
    return max(minimum, max(stringWidth(w, head.fontName, head.fontSize) for w in label.split()) + 8)


def _forecast(doc: Doc, r: SeriesResults, as_of):
    from reportlab.platypus import Paragraph

    from drillcast.present.report.evidence import event_name
    from drillcast.present.report.facts import fact, held_events, skill
    from drillcast.present.report.wording import emphasise, icd203_term, judgment_sentences
    from drillcast.present.text import start_phrase

    fc = r.forecast
    doc.heading(SECTION_TITLES["forecast"], 1)
    if not fc.ok:
        doc.para(f"No forecast: {_esc(fc.reason)}.")
        return
    s = skill(r)
    base = ("<b>No skill: these numbers are base rates</b> (track record below). " if s is not None and
            s["status"] == "no skill" else "")
    doc.para(f"{base}Model <b>{_esc(fc.model)}</b> (How to read this report), fitted on {fc.n_events_used} events "
             f"over {fc.n_years_used} years.", "small", keep=True)
    for y, t in zip(fc.years, judgment_sentences(fc, r.info)):
        held = held_events(r, y.year)
        if held:
            xml = f"<b>{y.year}:</b> {fact(held)}."
            if r.info.multi_event and y.count_pmf is not None:
                more = float(sum(y.count_pmf[len(held) + 1:]))
                xml += (f" Another event this year: {icd203_term(more)} ({pct(more)})." if more >= 0.01 else
                        " No other event is expected this year.")
        else:
            xml = emphasise(_esc(event_name(t)))
        doc.story.append(Paragraph(xml.replace(" %", "\u00a0%"), doc.s["bullet"], bulletText="\u2022"))
    parts = sorted({k for y in fc.years for k in y.participants})
    pcols = [f"{_esc(country(p))} if held" for p in parts]
    pw = [_label_width(doc, country(p), 44) for p in parts]
    if fc.kind == "rotating":
        cats = list(fc.categories)
        header = ["Year", *[_esc(c) for c in cats], "held", "start if held: median (80 %)", *pcols]
        rows = [[str(y.year), *[pct(y.outcomes[c]) for c in cats], pct(y.p_held), _esc(start_phrase(y.start)),
                 *[pct(_given(y, p)) for p in parts]] for y in fc.years]
        cw = [_label_width(doc, c, 36) for c in cats]
        fixed = 34 + sum(cw) + 36 + sum(pw)
        widths = [34, *cw, 36, max(90, doc.width - fixed), *pw]
        right = set(range(1, len(cats) + 2)) | set(range(len(cats) + 3, len(header)))
    else:
        header = ["Year", "held", "expected count (80 %)", "start if held: median (80 %)", *pcols]
        rows = [[str(y.year), pct(y.p_held), f"{y.expected_count:.1f} ({y.count_interval[0]}\u2013"
                 f"{y.count_interval[1]})", _esc(start_phrase(y.start)), *[pct(_given(y, p)) for p in parts]]
                for y in fc.years]
        fixed = 34 + 40 + 90 + sum(pw)
        widths = [34, 40, 90, max(110, doc.width - fixed), *pw]
        right = {1, 2} | set(range(4, len(header)))
    doc.table(header, rows, widths, align_right=right)
    doc.space(6)
    doc.figure(forecast_figure(r, doc.width), f"<b>Figure.</b> {_esc(r.name)}: the start of the year's first event, "
                                              f"observed and forecast if held, as of {as_of}.")


def _default_and_members(r: SeriesResults) -> list[str]:
    """The default model, the members it pools, and the uniform guess: the rows of the main-body table."""
    from drillcast.models import get_model

    members = [m.name for m in getattr(get_model(r.forecast.model), "members", ())]
    return list(dict.fromkeys([r.forecast.model, *members, "uniform"]))


def _model_table(doc: Doc, r: SeriesResults, models=None):
    """Scores per model (all backtested models, or ``models`` in that order); the default in bold."""
    from drillcast.models import BASELINES

    rows_sum = [s for s in r.backtest.summary if s["series"] == r.sid]
    if models is not None:
        by = {s["model"]: s for s in rows_sum}
        rows_sum = [by[m] for m in models if m in by]
    header = ["Model", "n", "mean log score", "Brier", "CRPS (days)", "vs uniform", "80 % start cover"]
    body, bold = [], set()
    for i, s in enumerate(rows_sum):
        v = s.get("vs_baselines", {}).get("uniform")
        cov = next((c for c in s.get("coverage", []) if abs(c["level"] - 0.8) < 1e-9), None)
        body.append([
            _esc(s["model"]) + (" *" if s["model"] in BASELINES else ""), str(s["n"]),
            f"{s['mean_log_score']:.2f}", f"{s['mean_brier']:.2f}",
            "\u2013" if s["mean_crps_days"] is None else f"{s['mean_crps_days']:.1f}",
            "\u2013" if not v else f"{v['mean_difference']:+.2f} (p {format_p(v['p_value'])})",
            "\u2013" if not cov else f"{cov['hits']}/{cov['n']}",
        ])
        if s["model"] == r.forecast.model:
            bold.add(i)
    doc.table(header, body, [96, 24, 56, 44, 52, 96, doc.width - 368], align_right={1, 2, 3, 4, 5, 6},
              bold_rows=bold)


MIN_CHART_YEARS = 5
"""Fewer scored years than this and the forecast-versus-outcome chart is left out (the words say it all)."""


def _track_record(doc: Doc, r: SeriesResults, as_of):
    from drillcast.present.report.facts import short_name, skill_phrase

    doc.heading(SECTION_TITLES["track_record"], 1)
    res = r.backtest
    if res is None or not any(s["series"] == r.sid for s in res.summary):
        doc.para(f"No track record: {count(r.history.n_years, 'complete year')} of {_esc(r.name)} known on "
                 f"{as_of}; a past year can be scored once 5 precede it. Treat the forecast as a base rate.")
        return
    years = sorted({f["year"] for f in res.folds if f["series"] == r.sid})
    doc.para(f"<b>{_esc(short_name(r.name))}.</b> {_esc(skill_phrase(r))}", "small")
    _model_table(doc, r, _default_and_members(r))
    if len(years) >= MIN_CHART_YEARS:
        doc.space(4)
        doc.figure(track_record_figure(r, doc.width),
                   f"<b>Figure.</b> {_esc(r.name)}: the probability each past forecast gave to what then "
                   "happened, against a uniform guess.")


def models(doc: Doc, results, as_of):
    """Annex: every backtested model's scores, per series."""
    from drillcast.present.report.wording import SECTION_TITLES as T

    doc.heading(T["track_record"] + " by model", 0, page_break=True, key="sec-models")
    doc.para(f"One-year-ahead backtests of every model, scored on the outcomes as known on {as_of}; bold: the "
             "default model.", "small")
    for r in results:
        if r.backtest is None or not any(s["series"] == r.sid for s in r.backtest.summary):
            continue
        doc.heading(r.name, 1, key=f"models-{r.sid}")
        _model_table(doc, r)


def hypotheses(doc: Doc, results, as_of, page_break=True):
    """Annex: the battery of tests for every series; tests that do not apply are named in one line."""
    from drillcast.present import plotting, plotting_scores

    doc.heading(SECTION_TITLES["hypotheses"], 0, page_break=page_break, key="sec-hypotheses")
    doc.para(f"The battery of tests on each yearly record as known on {as_of}; p-values are adjusted for the "
             "tests of a series by Holm's method. Power is the chance of rejecting at the 5 % level against "
             "the stated alternative with the data so far; 'n for 80 %' is the total n at which it would "
             "reach 80 %.", "small")
    for r in results:
        doc.heading(r.name, 1, key=f"hyp-{r.sid}")
        if r.battery is None:
            doc.para(f"No tests: {_esc(r.battery_note)}.", "small")
            continue
        ran = [t for t in r.battery if not getattr(t, "skipped", None)]
        skipped = [t for t in r.battery if getattr(t, "skipped", None)]
        rows = []
        for t in ran:
            name = f"<b>{_esc(t.test)}</b>"
            if t.h0:
                name += f"<br/><font size=6.5>H0: {_esc(t.h0)}</font>"
            unit = (t.details or {}).get("unit", "")
            n80 = "\u2013" if t.n_for_80 is None else f"{t.n_for_80} {_esc(unit)}".strip()
            if t.n_for_80 is None and t.power is not None:
                n80 = f">{t.n + 100}"
            rows.append([name, format_p(t.p_value), format_p(t.p_adjusted),
                         "\u2013" if t.power is None else f"{t.power:.2f}", n80, _esc(t.reading)])
        if rows:
            doc.table(["Test and null hypothesis", "p", "adj. p", "power", "n for 80 %", "Reading"], rows,
                      [104, 42, 42, 30, 44, doc.width - 262], align_right={1, 2, 3, 4})
        if skipped:
            doc.para("Not applicable: " + "; ".join(f"{_esc(t.test)} ({_esc(t.skipped)})" for t in skipped) + ".",
                     "tiny")
        curve = None
        for t in ran:
            c = (t.details or {}).get("power_curve")
            if c and t.test == "rotation":
                pairs = sorted((int(k) - int(t.n), float(v)) for k, v in c.items() if int(k) >= int(t.n))
                if len(pairs) >= 3:
                    curve = {"n_future": [k for k, _ in pairs], "power": [v for _, v in pairs], "test": t.test,
                             "alpha": ALPHA, "unit": (t.details or {}).get("unit", "years")}
                break
        if curve is not None:
            with plotting.style():
                fig = new_figure(doc.width / 72 * 0.72, 2.4)
                plotting_scores.plot_power_curve(curve, ax=fig.add_subplot())
            doc.figure(fig, f"<b>Figure.</b> Power of the {_esc(curve['test'])} test against the number of "
                            "future years observed (points: the simulations behind 'n for 80 %').")
