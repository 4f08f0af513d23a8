"""How to read this report: the one place the report's explanations are printed (the rest refers to it).

In the main body, so that a report without its annex still explains itself:
the words of likelihood (ICD 203), what page 1's columns mean, how confidence
and skill are judged, how the backtests score a model, the default models,
and how facts and sources are chosen.
"""

from __future__ import annotations

from drillcast.present.report.document import Doc
from drillcast.present.report.facts import STALE_DAYS
from drillcast.present.report.wording import ICD203_SCALE
from drillcast.present.report.wording import esc as _esc



def icd203_table(doc: Doc):
    """The ICD 203 scale and its boundaries (in How to read this report)."""
    doc.table(["ICD 203 term", "probability range", "", "ICD 203 term", "probability range"], [
        [ICD203_SCALE[i][0], f"{100 * ICD203_SCALE[i][1]:.0f}\u2013{100 * ICD203_SCALE[i][2]:.0f} %", "",
         ICD203_SCALE[i + 4][0] if i + 4 < 7 else "",
         f"{100 * ICD203_SCALE[i + 4][1]:.0f}\u2013{100 * ICD203_SCALE[i + 4][2]:.0f} %" if i + 4 < 7 else ""]
        for i in range(4)], [110, 80, 20, 110, 80], zebra=False)
    doc.para("Boundaries: a probability rounded to a whole per cent of exactly 45 or 55 % is 'roughly even "
             "chance', 20 % 'unlikely', 80 % 'likely', 5 % 'very unlikely', 95 % 'very likely'. Below 1 % the "
             "term is 'almost no chance' (shown as <1 %), above 99 % 'almost certain' (>99 %).", "tiny")



def guide(doc: Doc, results, annex: bool):
    """The section (see the module docstring)."""
    from drillcast.analysis import backtest_models
    from drillcast.models import DEFAULT_MODEL, get_model

    doc.heading("How to read this report", 0, page_break="cond", key="sec-guide")
    doc.heading("Words of likelihood (ICD 203)", 1)
    icd203_table(doc)
    doc.heading("Page 1", 1)
    doc.para("The outlook covers the twelve months from the as-of date. 'At least one event': the probability "
             "that an event of the series starts in that window, from joint draws of whole calendars "
             "(drillcast outlook). 'When': the start of the next event given that there is one (median and 80 % interval), or 'any time of year' when it is "
             "close to uniform over the months of the window. "
             "'Who, given held': the chance each tracked state takes part if the exercise is held. A series is "
             f"'not checked' when its sources were last searched more than {STALE_DAYS} days before the as-of "
             "date; what may have happened since is listed under To verify with the probability that it "
             "happened, never as an expectation.", "small")
    doc.heading("Confidence and skill", 1)
    doc.para("Confidence (high, medium, low) is separate from probability: it starts high and drops one step "
             "each for fewer than 8 complete years (two below 4), no track record or no skill over a uniform "
             "guess, fewer than half of the events rated high source confidence, and a coverage gap. Skill: "
             "each model was re-run as of 1 January of each past year using only what was reported by then, "
             "and scored on that year's outcome as known on the as-of date. Log score: higher is better, 0 is "
             "perfect; Brier and CRPS (days): lower is better; 'vs uniform': the mean log-score difference per "
             "forecast and its paired sign-flip permutation p-value. 'Better in k of n years' always carries "
             "that p-value, and 'not significant' when p \u2265 0.05; a model that scores no better than the "
             "uniform guess has no skill and its numbers are base rates.", "small")
    kinds = sorted({r.info.kind for r in results})
    models = "; ".join(f"for {_esc(k)} series <b>{_esc(DEFAULT_MODEL[k])}</b>: "
                       f"{_esc(get_model(DEFAULT_MODEL[k]).description)}" for k in kinds)
    more = (" (the annex scores every model and gives the methods and references)" if annex else "")
    doc.para(f"Default models: {models}. Track-record tables on the series pages: the default model (bold), "
             f"the models it pools and the uniform guess (* a baseline), of {', '.join(backtest_models())}"
             f"{more}.", "small")
    doc.heading("Figures", 1)
    doc.para("Events by date: one row per year, a bar from start to end (hatched: a date known only to the month "
             "or year; outline: cancelled or postponed; dashed: announced), and below it the outcome of each year. "
             "Start dates: observed starts (points) and the forecast's quantile bands of the year's first start "
             "if held; the number above a band is the probability that the series is held that year. Past "
             "forecasts: the probability each one-year-ahead forecast gave to what then happened (bars: the default "
             "model; dashes: a uniform guess); bars above the dashes are years the model beat the guess.", "small")
    doc.heading("Facts and sources", 1)
    doc.para("An event the catalogue records as held is a fact, stated with its dates and the source that "
             "reports it held (a report from on or after the start where there is one, not a pre-event "
             "announcement), followed by the catalogue's confidence in the event's sources: high (two "
             "independent reputable sources), medium (one reputable source), low (weak or secondary sources "
             "only). A fact with low confidence says 'reported held by low-confidence sources only'. Only what "
             "was reported by the as-of date is used: names, sources (a source whose address is dated later is "
             "left out), statuses and counts.", "small")
