"""The annex: methods, limitations, the data appendix and reproducibility."""

from __future__ import annotations

import os

from drillcast.present.report.document import FONT_MONO, Doc
from drillcast.present.report.sections import latest_report_cell
from drillcast.present.report.wording import ALPHA, CORRECTION, SECTION_TITLES, esc as _esc, link

_METHODS = [
    ("Data and knowledge dates",
     "Each event of the catalogue carries its public sources, a confidence level, the date it was first "
     "reported and, for a cancellation, when that was reported. A snapshot as of a date keeps only what was "
     "known by then: later reports do not exist, an exercise not surely started is 'announced', end dates "
     "after the date are unknown. Dates are kept at the precision of the sources (day, month or year) as "
     "intervals and never guessed. A series' history is one outcome per complete year: the direction of "
     "the year's primary exercise (or 'other'), or 'none' if no exercise was held; recurring series record "
     "held/none and the number of events."),
    ("Outcome models",
     "Baselines are models too, so all are compared on the same folds: <i>uniform</i> (every outcome equally "
     "likely), <i>climatology</i> (past frequencies, Dirichlet-multinomial with Jeffreys' prior), "
     "<i>persistence</i> (same as last year) and <i>strict rotation</i> (the fixed cycle continued); the rule "
     "baselines' hit rate has a Beta(1, 1) posterior from their own past one-step predictions. "
     "<i>Calendar rotation</i>: the outcome depends on the year modulo a period k with Dirichlet phase "
     "probabilities, averaged over k by marginal likelihood (Bayesian model averaging; Hoeting et al. 1999). "
     "<i>Change point</i>: two calendar-rotation regimes with an exact posterior over the change year "
     "(including 'no change'); forecasts come from the last regime. <i>Markov</i>: the next held exercise "
     "depends on the previous one (Dirichlet transition rows, Gelman et al. 2013, sec. 3.4), with a Beta "
     "disruption probability, so the cycle resumes after a year without an exercise. <i>Ensembles</i> are "
     "linear pools of member models (Stone 1961; Gneiting and Ranjan 2013)."),
    ("What the date already tells",
     "An exercise that has started fixes the year's outcome. An announced exercise gets probability "
     "1 - p_cancel, with p_cancel a Beta(1, 1) posterior over how often announced exercises in the "
     "catalogue were cancelled or postponed. Late in a year with nothing started or announced, held "
     "outcomes are multiplied by the probability of a start after the as-of date."),
    ("Start dates, counts and participants",
     "The start day follows a von Mises distribution on the circle of the year, discretised to days, with "
     "an exact grid posterior over its centre and concentration (Mardia and Jupp 2000; Fisher 1993); a date "
     "known only to a month contributes the probability of the whole month. Directions are shrunk towards "
     "the pooled fit. Counts per year are 1 + Poisson with a recency-weighted Gamma posterior (half-life "
     "3 years), a negative binomial predictive; participation of each regular participant has a "
     "recency-weighted Beta posterior (half-life 4 years) and is reported unconditionally."),
    ("Scores and backtests",
     "Backtests refit every model as of 1 January of each year on the snapshot of that date and score the "
     "year's outcome: log score (probabilities floored at 1e-4), multiclass Brier score (Brier 1950), "
     "CRPS of the start date in days (Matheson and Winkler 1976; Hersbach 2000), PIT and coverage of the "
     "start intervals with Clopper-Pearson intervals (Clopper and Pearson 1934); all are proper scores "
     "(Gneiting and Raftery 2007). Models are compared with a paired sign-flip permutation test on the "
     "per-year score differences, exact up to 20 differing pairs, Monte Carlo p-values never zero (Phipson "
     "and Smyth 2010). Reliability diagrams pool the one-vs-rest outcome probabilities with binomial "
     "consistency bands (Broecker and Smith 2007)."),
    ("Hypothesis tests",
     "Each test states its null and alternative hypotheses. p-values are exact permutation or enumeration "
     "p-values where feasible and Monte Carlo otherwise ((1 + #extreme)/(draws + 1); Davison and Hinkley "
     "1997); the battery is adjusted for multiplicity by Holm's method (Holm 1979). Power is estimated by "
     "simulation against a stated alternative, with the total n needed for 80 % power."),
]

_REFERENCES = [
    ("Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. Monthly Weather "
     "Review 78, 1-3."),
    ("Broecker, J. and Smith, L. A. (2007). Increasing the reliability of reliability diagrams. Weather "
     "and Forecasting 22, 651-661."),
    ("Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated in "
     "the case of the binomial. Biometrika 26, 404-413."),
    ("Davison, A. C. and Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge "
     "University Press."),
    "Fisher, N. I. (1993). Statistical Analysis of Circular Data. Cambridge University Press.",
    "Gelman, A. et al. (2013). Bayesian Data Analysis, 3rd ed. CRC Press.",
    ("Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and estimation. "
     "JASA 102, 359-378."),
    ("Gneiting, T. and Ranjan, R. (2013). Combining predictive distributions. Electronic Journal of "
     "Statistics 7, 1747-1782."),
    ("Hersbach, H. (2000). Decomposition of the continuous ranked probability score for ensemble "
     "prediction systems. Weather and Forecasting 15, 559-570."),
    ("Hoeting, J. A., Madigan, D., Raftery, A. E. and Volinsky, C. T. (1999). Bayesian model averaging: a "
     "tutorial. Statistical Science 14, 382-417."),
    ("Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of "
     "Statistics 6, 65-70."),
    "Mardia, K. V. and Jupp, P. E. (2000). Directional Statistics. Wiley.",
    ("Matheson, J. E. and Winkler, R. L. (1976). Scoring rules for continuous probability distributions. "
     "Management Science 22, 1087-1096."),
    ("Office of the Director of National Intelligence (2015). Intelligence Community Directive 203: "
     "Analytic Standards."),
    ("Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero. Statistical "
     "Applications in Genetics and Molecular Biology 9, 39."),
    "Stone, M. (1961). The opinion pool. Annals of Mathematical Statistics 32, 1339-1342.",
]


def methods(doc: Doc, results):
    doc.heading(SECTION_TITLES["methods"], 0, page_break=True, key="sec-methods")
    for title, text in _METHODS:
        doc.heading(title, 1)
        doc.para(text)
        if title == "Scores and backtests":
            doc.para("The default models and the models in the track-record tables: How to read this report "
                     "(the second-order Markov model is left out to keep the report fast; "
                     "<font name='DejaVuSansMono'>drillcast backtest</font> scores every model). Words of "
                     "likelihood: the ICD 203 table there.")
    doc.heading("Glossary", 1)
    import re

    from drillcast.present.glossary import TERMS

    for term, definition in TERMS:
        text = re.sub(r"`([^`]+)`", rf"<font name='{FONT_MONO}'>\1</font>", _esc(definition))
        doc.para(f"<b>{_esc(term)}</b>: {text}", "small")
    doc.heading("References", 1)
    for ref in _REFERENCES:
        doc.para(_esc(ref), "small")


def limitations(doc: Doc, results, as_of):
    doc.heading(SECTION_TITLES["limitations"], 0, page_break="cond", key="sec-limitations")
    doc.bullets([
        "<b>Open-source reporting.</b> The catalogue holds what public sources reported. Smaller or "
        "less publicised exercises, early years and exercises reported only in languages or outlets not "
        "searched are under-represented; an exercise that was held but not found counts as 'none'.",
        "<b>Small samples.</b> A series has one outcome a year, so even the longest has fewer than twenty "
        "outcomes (table below). Probabilities carry that uncertainty but cannot remove it; tests have low "
        "power, and a non-significant result is rarely evidence of no effect (see the power column).",
        "<b>Dates.</b> Some starts are known only to a month or a year; they enter the models as intervals. "
        "Catalogue judgements (which exercise is a year's primary one, what counts as 'other') are documented "
        "in the data notes and may be disputed.",
        "<b>Change.</b> The models assume the recent pattern continues, with a change point allowed in one "
        "model; a decision to stop or reshape a series is not foreseen by any of them.",
        "<b>Many comparisons.</b> Several models and tests are run per series; Holm-adjusted p-values are "
        "given for the battery, but the track-record comparisons are not adjusted.",
    ])
    header = ["Series", "kind", "events known", "held primary events used", "complete years", "first year"]
    rows = []
    for r in results:
        h = r.history
        rows.append([_esc(r.sid), _esc(r.info.kind), str(len(r.events)), str(h.n_events), str(h.n_years),
                     str(int(h.years[0])) if h.n_years else "\u2013"])
    doc.table(header, rows, [140, 56, 60, 100, 62, doc.width - 418], align_right={2, 3, 4, 5})
    doc.para(f"Numbers as known on {as_of}.", "tiny")


def appendix(doc: Doc, results, as_of):
    doc.heading(SECTION_TITLES["appendix"], 0, page_break=True, key="sec-appendix")
    doc.para(f"Every event of the reported series known on {as_of}, with its sources. Status as known on that "
             "date; primary = no marks an event that is not the year's main exercise of the series. Text is "
             "shown exactly as in the catalogue.", "small")
    for r in results:
        doc.heading(f"{r.sid}: {r.name}", 1)
        rows = []
        for e in r.events:
            dates = e["start"].text + (f" \u2013 {e['end'].text}" if e["end"] is not None else "")
            status = e["status"] + ("" if e["primary"] else "; primary = no")
            who = "; ".join(e["participants"]) or "\u2013"
            if e["observers"]:
                who += f" (observers: {'; '.join(e['observers'])})"
            direction = f"<i>{_esc(e['direction'])}</i><br/>" if e["direction"] else ""
            rows.append([
                f'<font name="{FONT_MONO}" size=6.5>{_esc(e["id"])}</font><br/>{_esc(e["name"])}',
                f"{_esc(dates)}<br/>{_esc(status)}", direction + _esc(who), _esc(e["confidence"]),
                "<br/>".join(link(u) for u in e["sources"]),
            ])
        if not rows:
            doc.para("No events known.", "small")
            continue
        doc.table(["Event", "dates, status", "direction, participants", "source confidence", "sources"],
                  rows, [136, 72, 70, 50, doc.width - 328], url_col=4)


def reproducibility(doc: Doc, catalogue, results, as_of, seed, horizon, command_line, version, pdf_date):
    import platform

    doc.heading(SECTION_TITLES["reproducibility"], 0, page_break="cond", key="sec-reproducibility")
    versions = []
    for mod in ("numpy", "scipy", "pandas", "matplotlib", "reportlab"):
        try:
            m = __import__(mod)
            versions.append(f"{mod} {getattr(m, '__version__', getattr(m, 'Version', '?'))}")
        except ImportError:
            pass
    from drillcast.analysis import backtest_models

    rows = [
        ["drillcast version", _esc(version)],
        ["Catalogue SHA-256", f'<font name="{FONT_MONO}">{catalogue.sha256}</font>'],
        ["Catalogue file", _esc(os.path.basename(catalogue.path) or "-")],
        ["Latest report in it", latest_report_cell(catalogue, as_of)],
        ["As of", as_of.isoformat()],
        ["Seed", str(seed)],
        ["Horizon", f"{horizon} year(s)"],
        ["Series", ", ".join(_esc(r.sid) for r in results)],
        ["Models backtested", ", ".join(backtest_models())],
        ["Tests", f"hypotheses.run_battery, alpha = {ALPHA}, correction = {CORRECTION}"],
        ["PDF date", _esc(f"{pdf_date[2:6]}-{pdf_date[6:8]}-{pdf_date[8:10]} {pdf_date[10:12]}:{pdf_date[12:14]}"
                          f":{pdf_date[14:16]} UTC") + (" (SOURCE_DATE_EPOCH)" if os.environ.get("SOURCE_DATE_EPOCH")
                                                         else " (the as-of date)")],
        ["Software", _esc(f"Python {platform.python_version()}; " + ", ".join(versions))],
        ["Command", f'<font name="{FONT_MONO}">{_esc(command_line)}</font>' if command_line else
         "built through the Python API (drillcast.present.report.build_report)"],
    ]
    doc.table(None, rows, [110, doc.width - 110], zebra=False)
    doc.space(6)
    doc.para("The same catalogue, as-of date, seed, options and software versions give a byte-identical PDF. "
             "To re-create the data, check the catalogue's SHA-256 (printed above) against "
             "<font name='DejaVuSansMono'>sha256(exercises.csv + NUL + series.csv)</font>.", "small")


