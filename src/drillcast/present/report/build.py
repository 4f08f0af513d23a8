"""Assemble the report: analyse each series once, lay out the sections, render the PDF."""

from __future__ import annotations

import datetime as _dt
import os

from drillcast.errors import ParameterError
from drillcast.present.report import annex as _annex
from drillcast.present.report import front as _front
from drillcast.present.report import sections as _sections
from drillcast.present.report import tracking as _tracking
from drillcast.present.report import guide as _guide
from drillcast.present.report.document import Doc, pdf_date, register_fonts, render, styles
from drillcast.present.report.facts import skill
from drillcast.present.report.results import analyse_all, start_batteries, with_batteries
from drillcast.present.report.wording import ANNEX, SECTIONS


def _check_sections(sections):
    if sections is None:
        return list(SECTIONS)
    if isinstance(sections, str):
        sections = [sections]
    out = []
    for s in sections:
        if s not in SECTIONS:
            from drillcast.errors import did_you_mean

            raise ParameterError("sections", f"unknown section {s!r}{did_you_mean(s, SECTIONS)}; "
                                 f"choose from {', '.join(SECTIONS)}")
        out.append(s)
    return out


def build_report(catalogue, series_ids, as_of, *, horizon: int = 3, seed: int = 0, sections=None,
                 command_line: str | None = None, annex: bool = True, order=None, since=None, ledger=None,
                 allow_broken_ledger: bool = False) -> bytes:
    """Build the PDF report and return its bytes (nothing is written).

    Parameters
    ----------
    catalogue : Catalogue
        The full catalogue (snapshots are taken here).
    series_ids : str or list of str
    as_of : datetime.date
        Knowledge date of every forecast, backtest and test.
    horizon : int
        Years forecast, from ``as_of.year``.
    seed : int
    sections : list of str, optional
        A subset of :data:`SECTIONS` (the bottom line on page 1 is always included); default all.
    command_line : str, optional
        Printed in the reproducibility section.
    annex : bool
        Include the annex (hypothesis tests, methods, limitations, data appendix, reproducibility).
    order : sequence of str or ``"given"``, optional
        Order of the series: default :data:`.front.READER_ORDER` (Russia's strategic rotation first);
        ``"given"`` keeps ``series_ids`` as given.
    since : dict or path, optional
        The previous forecast document (``drillcast forecast --format json``): adds "What changed".
    ledger : path, optional
        A forecast ledger (:class:`drillcast.ledger.Ledger`): adds "Live record", its entries scored
        against the catalogue as known on ``as_of``, and, without ``since``, "What changed" against
        its latest forecast made before ``as_of``. A broken ledger raises DataError naming its first bad
        entry, unless ``allow_broken_ledger``: then the entries before it are scored and the break is printed.

    Returns
    -------
    bytes
        A PDF; the same inputs give the same bytes.

    Examples
    --------
    >>> pdf = build_report(load_catalogue(), ["russia-strategic"], datetime.date(2025, 6, 1),
    ...                    sections=["judgments", "forecast"])   # doctest: +SKIP
    >>> pdf[:5]                                                   # doctest: +SKIP
    b'%PDF-'
    """
    from drillcast import __version__

    if isinstance(series_ids, str):
        series_ids = [series_ids]
    series_ids = list(dict.fromkeys(series_ids))
    if not series_ids:
        raise ParameterError("series_ids", "no series to report on; give at least one series id")
    if horizon is None or int(horizon) < 1:
        raise ParameterError("horizon", f"{horizon} is not allowed; give an integer >= 1")
    if not isinstance(as_of, _dt.date):
        raise ParameterError("as_of", f"{as_of!r} is not a date; give a datetime.date")
    from drillcast._params import check_seed

    seed = check_seed(seed)
    wanted = _check_sections(sections)
    if not annex:
        wanted = [s for s in wanted if s not in ANNEX]
    for sid in series_ids:
        catalogue.get_series(sid)
    if order != "given":
        series_ids = _front.reader_order(series_ids, order)
    if since is not None and not isinstance(since, dict):
        since = _tracking.load_since(since)
    if since is None and ledger is not None:
        since = _tracking.since_from_ledger(ledger, as_of, allow_broken=allow_broken_ledger)
    snapshot = catalogue.as_of(as_of)
    known = [s for s in series_ids if snapshot.events(s)]  # a series with no event known by then is left out
    if not known:
        raise ParameterError("series_ids", f"no event of {', '.join(series_ids)} is known on {as_of}; "
                                           "give a later as-of date or other series")
    series_ids = known
    date = pdf_date(as_of)
    register_fonts()
    batteries = start_batteries(catalogue, series_ids, as_of, seed) if "hypotheses" in wanted else None
    results = analyse_all(catalogue, series_ids, as_of, int(horizon), seed,
                          [s for s in wanted if s != "hypotheses"])

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm

    doc = Doc(styles(), A4[0] - 4.0 * cm, annex=annex)
    per_series = [s for s in ("history", "forecast", "track_record") if s in wanted]
    from drillcast.present.report.window import windows as _windows

    windows, outlook = _windows(catalogue, results, as_of, seed, skill)
    _front.outlook_page(doc, results, windows, as_of, catalogue, chapters=bool(per_series))
    if "judgments" in wanted:
        doc.heading("The next 12 months in detail", 0, page_break=True, key="sec-tracking")
        _sections.calendar_section(doc, outlook)
        _tracking.changes(doc, results, as_of, since)
        _tracking.live_record(doc, results, as_of, catalogue, ledger, allow_broken=allow_broken_ledger)
        _tracking.indicators(doc, results)
        _sections.map_section(doc, results, catalogue, as_of)
    _guide.guide(doc, results, annex)
    for r in results if per_series else ():
        _sections.series_chapter(doc, r, as_of, per_series)
    if annex and (any(s in wanted for s in ANNEX) or "track_record" in wanted):
        doc.heading("Annex", 0, page_break=True, key="sec-annex")
        doc.para("Hypothesis tests, methods, limitations, every event with its sources, and what is needed to "
                 "reproduce this report.", "small")
    if batteries is not None:  # ready by now (they ran beside the main body), or waited for here
        results = with_batteries(results, batteries())
        _sections.hypotheses(doc, results, as_of, page_break=False)
    if "track_record" in wanted and annex:
        _sections.models(doc, results, as_of)
    if "methods" in wanted:
        _annex.methods(doc, results)
    if "limitations" in wanted:
        _annex.limitations(doc, results, as_of)
    if "appendix" in wanted:
        _annex.appendix(doc, results, as_of)
    if "reproducibility" in wanted:
        _annex.reproducibility(doc, catalogue, results, as_of, seed, horizon, command_line, __version__, date)
    names = ", ".join(series_ids)
    meta = {
        "title": f"drillcast report as of {as_of.isoformat()}",
        "author": f"drillcast {__version__}",
        "subject": f"Forecasts, track record and hypothesis tests of recurring military exercises: {names}",
        "keywords": ["drillcast", "forecast", "military exercises", "ICD 203", *series_ids],
        "creator": f"drillcast {__version__} (matplotlib, reportlab)",
        "header": f"drillcast report \u2014 as of {as_of.isoformat()}",
        "footer": f"catalogue {catalogue.sha256[:12]} \u00b7 drillcast {__version__} \u00b7 seed {seed}",
        "pdf_date": date,
    }
    return render(doc, meta)


def write_report(path, pdf_bytes: bytes, inputs=()) -> "os.PathLike":
    """Write ``pdf_bytes`` to ``path`` atomically (temporary file in the same folder, then rename).

    A failure or an interrupt leaves any previous file untouched and no
    temporary file behind; ``path`` may not be one of ``inputs``.
    """
    from drillcast._io import atomic_write

    return atomic_write(path, pdf_bytes, inputs)


def default_report_path(as_of: _dt.date) -> str:
    """``reports/drillcast-<as_of>.pdf`` (relative to the working directory)."""
    return os.path.join("reports", f"drillcast-{as_of.isoformat()}.pdf")


