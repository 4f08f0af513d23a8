"""Results + figures -> a PDF report an analyst can hand to a reader.

:func:`build_report` computes, for each series and as of one date, the
forecast (default model), one one-year-ahead backtest against the baselines
and one battery of hypothesis tests (:mod:`.results`), then lays them out
with reportlab platypus: a bottom line up front (a lede and a table of every
series and year), key judgments in the words of US Intelligence Community
Directive 203, one chapter per series (history, forecast, track record) and
an annex (hypothesis tests, methods, limitations, a data appendix with every
event and its sources as links, and what is needed to reproduce the report).

Modules: :mod:`.wording` (numbers in words, no heavy imports),
:mod:`.results` (the analysis, computed once), :mod:`.document` (fonts,
styles, the story, the PDF), :mod:`.canvas` (matplotlib figures drawn
straight onto the PDF canvas; imported only when a figure is drawn),
:mod:`.sections` and :mod:`.annex` (what each part says), :mod:`.build`.

Figures are drawn by :mod:`drillcast.present.plotting` and rendered by
:class:`.canvas.ReportLabRenderer`: vector paths, hatches and text as text in
the embedded DejaVu Sans font, selectable and searchable. (An SVG -> svglib
route was measured first: it was about 3x slower per figure and svglib does
not draw SVG pattern fills, i.e. matplotlib's hatches, nor ``opacity``.)

Reproducible bytes: reportlab runs in invariant mode (no random document
id, fixed font subset names) and the PDF dates are ``SOURCE_DATE_EPOCH``
when set, otherwise the as-of date at 00:00 UTC, so the same inputs give a
byte-identical PDF.

Catalogue text is never interpreted as markup: every string from the
catalogue goes through :func:`drillcast.present.text.safe_text` (control
characters made visible) and XML escaping before it reaches a Paragraph.
"""

from drillcast.present.report.build import build_report, default_report_path, write_report
from drillcast.present.report.wording import (
    ICD203_SCALE,
    SECTION_TITLES,
    SECTIONS,
    format_p,
    icd203_phrase,
    icd203_term,
    judgment_sentences,
)

__all__ = [
    "SECTIONS",
    "SECTION_TITLES",
    "ICD203_SCALE",
    "icd203_term",
    "icd203_phrase",
    "judgment_sentences",
    "format_p",
    "build_report",
    "write_report",
    "default_report_path",
]
