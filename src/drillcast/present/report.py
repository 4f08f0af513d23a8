"""Results + figures -> a PDF report an analyst can hand to a reader.

:func:`build_report` computes, for each series and as of one date, the
forecast (default model), a one-year-ahead backtest against the baselines
and the battery of hypothesis tests, then lays them out with reportlab
platypus: a cover, key judgments in the words of US Intelligence Community
Directive 203, one chapter per series (history, forecast, track record,
hypothesis tests), methods, limitations, a data appendix with every event
and its sources as links, and what is needed to reproduce the report.

Figures are drawn by :mod:`drillcast.present.plotting` and rendered straight onto
the PDF canvas by a small matplotlib renderer (:func:`_renderer_class`):
vector paths, hatches and text as text in the embedded DejaVu Sans font,
selectable and searchable. (An SVG -> svglib route was measured first: it was
about 3x slower per figure and svglib does not draw SVG pattern fills, i.e.
matplotlib's hatches, nor the ``opacity`` property.)

Reproducible bytes: reportlab runs in invariant mode (no random document
id, fixed font subset names) and the PDF dates are ``SOURCE_DATE_EPOCH``
when set, otherwise the as-of date at 00:00 UTC, so the same inputs give a
byte-identical PDF.

Catalogue text is never interpreted as markup: every string from the
catalogue goes through :func:`drillcast.present.text.safe_text` (control
characters made visible) and XML escaping before it reaches a Paragraph.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import sys
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

from drillcast.errors import OptionError

__all__ = [
    "SECTIONS",
    "ICD203_SCALE",
    "icd203_term",
    "icd203_phrase",
    "judgment_sentences",
    "format_p",
    "build_report",
    "write_report",
    "default_report_path",
]

SECTIONS = ("judgments", "history", "forecast", "track_record", "hypotheses", "methods", "limitations",
            "appendix", "reproducibility")
"""Selectable parts of the report (the cover is always there), in report order."""

SECTION_TITLES = {
    "judgments": "Key judgments", "history": "History", "forecast": "Forecast",
    "track_record": "Track record", "hypotheses": "Hypothesis tests", "methods": "Methods",
    "limitations": "Limitations", "appendix": "Data appendix", "reproducibility": "Reproducibility",
}

ICD203_SCALE = (
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.20),
    ("unlikely", 0.20, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.80),
    ("very likely", 0.80, 0.95),
    ("almost certain", 0.95, 0.99),
)
"""The expressions of likelihood of ICD 203 (2015, section D.6.e.2.a) and their ranges."""

ALPHA = 0.05
CORRECTION = "holm"

# --------------------------------------------------------------------------- words for numbers


def icd203_term(p: float) -> str:
    """The ICD 203 expression of likelihood for probability ``p``.

    The probability is first rounded to the whole per cent the report prints
    next to the term, so words and number always agree. Bands: below 5 %
    "almost no chance", 5 % up to (excluding) 20 % "very unlikely", 20 % up
    to (excluding) 45 % "unlikely", 45 % to 55 % inclusive "roughly even
    chance", above 55 % up to 80 % "likely", above 80 % up to 95 % "very
    likely", above 95 % "almost certain". The bands mirror each other:
    ``icd203_term(1 - p)`` is the opposite of ``icd203_term(p)``.

    ICD 203 stops at 1 % and 99 %. Below 1 % the term is still "almost no
    chance" and above 99 % "almost certain"; the report then shows the
    number as "<1 %" or ">99 %" beside it, never a false 0 or 100 %.

    Raises
    ------
    ValueError
        If ``p`` is not a number in [0, 1].

    Examples
    --------
    >>> icd203_term(0.62), icd203_term(0.5), icd203_term(0.2), icd203_term(0.004)
    ('likely', 'roughly even chance', 'unlikely', 'almost no chance')
    """
    try:
        x = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"icd203_term: {p!r} is not a probability; give a number in [0, 1]") from None
    if not 0.0 <= x <= 1.0:  # also catches NaN
        raise ValueError(f"icd203_term: {p!r} is not a probability; give a number in [0, 1]")
    pc = round(100 * x)
    if pc < 5:
        return "almost no chance"
    if pc < 20:
        return "very unlikely"
    if pc < 45:
        return "unlikely"
    if pc <= 55:
        return "roughly even chance"
    if pc <= 80:
        return "likely"
    if pc <= 95:
        return "very likely"
    return "almost certain"


def _pct(p) -> str:
    from drillcast.present.text import pct

    return pct(p)


def icd203_phrase(p: float) -> str:
    """``"likely (62 %)"``: the ICD 203 term with the number as the report prints it."""
    return f"{icd203_term(p)} ({_pct(p)})"


def _that(p: float) -> str:
    """'it is likely (62 %) that' / 'there is a roughly even chance (50 %) that'."""
    term = icd203_term(p)
    if term in ("roughly even chance", "almost no chance"):
        art = "a " if term == "roughly even chance" else ""
        return f"there is {art}{term} ({_pct(p)}) that"
    return f"it is {term} ({_pct(p)}) that"


def format_p(p) -> str:
    """A p-value as the report prints it: three decimals, '<0.001' below, '-' when there is none."""
    if p is None:
        return "\u2013"
    p = float(p)
    if p != p:
        return "\u2013"
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}"


_COUNTRIES = {
    "CHN": "China", "RUS": "Russia", "BLR": "Belarus", "IRN": "Iran", "IND": "India", "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan", "TJK": "Tajikistan", "UZB": "Uzbekistan", "PAK": "Pakistan", "MNG": "Mongolia",
    "ARM": "Armenia", "AZE": "Azerbaijan", "TKM": "Turkmenistan", "PRK": "North Korea", "USA": "the United States",
}


def _country(code: str) -> str:
    from drillcast.present.text import safe_text

    return _COUNTRIES.get(code, safe_text(code))


def _part_of_month(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    part = "early" if d.day <= 10 else ("mid" if d.day <= 20 else "late")
    return f"{part}-{d.strftime('%B')}"


def _day_month(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}"


def _interval(start: dict) -> str:
    a, b = _dt.date.fromisoformat(start["q10"]), _dt.date.fromisoformat(start["q90"])
    if a.month == b.month:
        return f"{a.day}\u2013{b.day} {b.strftime('%b')}"
    return f"{_day_month(start['q10'])} \u2013 {_day_month(start['q90'])}"


def _label_text(label: str) -> str:
    from drillcast.present.text import safe_text

    return safe_text(label).capitalize()


def judgment_sentences(forecast, series_info=None) -> list[str]:
    """Each year of ``forecast`` in words and numbers, as plain text (the report escapes it).

    Rotating series: the most likely outcome with its ICD 203 term and
    probability, the start (given it is held) as part of a month and its 80 %
    interval, and the runner-up. Recurring series: the probability that at
    least one event is held, the expected count and the start. The first
    year adds each regular participant's probability of taking part, and
    known facts (an announcement, an exercise already held) are quoted.

    Examples
    --------
    A 2027 forecast of 62 % Zapad, median start 15 September and 80 %
    interval 8-22 September reads ``"2027: it is likely (62 %) that the
    exercise will be Zapad, starting mid-September if held (80 %: 8–22 Sep);
    next most likely Vostok (20 %)."``
    """
    from drillcast.present.text import safe_text

    fc = forecast
    if not fc.ok:
        return [f"No forecast: {safe_text(fc.reason)}."]
    multi = bool(series_info is not None and series_info.multi_event)
    out = []
    for i, y in enumerate(fc.years):
        if fc.kind == "rotating" and y.outcomes:
            ranked = sorted(y.outcomes.items(), key=lambda kv: (-kv[1], list(fc.categories).index(kv[0])))
            (lab, p), (lab2, p2) = ranked[0], ranked[1]

            def name(label):
                return {"none": "no exercise", "other": "another exercise ('other')"}.get(label, _label_text(label))

            when = ""
            if y.start and y.p_held >= 0.05:
                when = f", starting {_part_of_month(y.start['median'])} if held (80 %: {_interval(y.start)})"
            if round(100 * p) >= 45 and lab == "none":
                s = (f"{y.year}: {_that(p)} no exercise of the series will be held; "
                     f"next most likely {name(lab2)} ({_pct(p2)}).")
            elif round(100 * p) >= 45:
                what = ("an exercise outside the named rotation ('other')" if lab == "other"
                        else _label_text(lab))
                s = (f"{y.year}: {_that(p)} the exercise will be {what}{when}; "
                     f"next most likely {name(lab2)} ({_pct(p2)}).")
            else:
                top = ", ".join(f"{name(lb)} {_pct(v)}" for lb, v in ranked[:3])
                s = (f"{y.year}: {_that(y.p_held)} an exercise of the series will be held{when}, but no single "
                     f"outcome is likely: {top}.")
        else:
            noun = "at least one event" if multi else "the exercise"
            s = f"{y.year}: {_that(y.p_held)} {noun} will be held"
            if multi:
                lo, hi = y.count_interval
                s += f" (expected {y.expected_count:.1f} events; 80 %: {lo}\u2013{hi})"
            if y.start and y.p_held >= 0.05:
                first = "the first starting" if multi else "starting"
                s += f", {first} {_part_of_month(y.start['median'])} if held (80 %: {_interval(y.start)})"
            s += "."
        if i == 0 and y.participants:
            parts = [f"{_country(c)} {icd203_phrase(v)}" for c, v in sorted(y.participants.items())]
            s += " Taking part: " + "; ".join(parts) + "."
        if y.known:
            s += f" Basis: {safe_text(y.known)}."
        out.append(s)
    return out


# --------------------------------------------------------------------------- results per series


@dataclass
class _SeriesResults:
    sid: str
    info: object
    history: object
    forecast: object
    events: list
    snapshot: object = None
    backtest: object = None
    battery: list | None = None
    battery_note: str = ""


def _analyse(catalogue, sid, as_of, horizon, seed, wanted) -> _SeriesResults:
    """Everything the report shows about one series, from :mod:`drillcast.analysis` (no fitting here)."""
    from drillcast import analysis
    from drillcast.data.history import series_history

    snapshot = catalogue.as_of(as_of)
    info = snapshot.get_series(sid)
    fc = analysis.forecast(catalogue, sid, as_of=as_of, horizon=horizon, seed=seed, track_record=False)[sid]
    history = snapshot.memo(("history", sid), lambda snap: series_history(snap, sid))
    res = _SeriesResults(sid, info, history, fc, snapshot.events(sid), snapshot)
    if "track_record" in wanted:
        res.backtest = analysis.backtest(catalogue, sid, as_of=as_of, models=analysis.backtest_models(), seed=seed)
    if "hypotheses" in wanted:
        if history.n_years == 0 and history.current_outcome is None:
            res.battery_note = f"no complete year of the series is known on {as_of}, so there is nothing to test"
        else:
            ts = analysis.hypothesis_tests(catalogue, sid, "all", as_of=as_of, alpha=ALPHA, seed=seed,
                                           correction=CORRECTION)
            res.battery = list(ts.results[0][1])
    return res


# --------------------------------------------------------------------------- fonts, styles, figures


_FONT = "DejaVuSans"
_FONT_BOLD = "DejaVuSans-Bold"
_FONT_ITALIC = "DejaVuSans-Oblique"
_FONT_MONO = "DejaVuSansMono"


def _register_fonts():
    """Register DejaVu Sans (matplotlib's bundled copy) with reportlab, once."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    files = {_FONT: "DejaVuSans.ttf", _FONT_BOLD: "DejaVuSans-Bold.ttf", _FONT_ITALIC: "DejaVuSans-Oblique.ttf",
             "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf", _FONT_MONO: "DejaVuSansMono.ttf"}
    for name, fname in files.items():
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, fname)))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, _FONT_BOLD)
    addMapping(_FONT, 0, 1, _FONT_ITALIC)
    addMapping(_FONT, 1, 1, "DejaVuSans-BoldOblique")


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=_FONT, bulletFontName=_FONT, fontSize=9, leading=12.2, alignment=TA_LEFT,
                          spaceAfter=5, splitLongWords=1)
    s = {"body": base}
    s["small"] = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.6, spaceAfter=3)
    s["caption"] = ParagraphStyle("caption", parent=base, fontSize=7.5, leading=9.6,
                                  textColor=colors.HexColor("#444444"),
                                  spaceBefore=2, spaceAfter=9)
    s["cell"] = ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2, spaceAfter=0)
    s["head"] = ParagraphStyle("head", parent=s["cell"], fontName=_FONT_BOLD, fontSize=7, leading=8.6,
                               splitLongWords=0)
    s["cellr"] = ParagraphStyle("cellr", parent=s["cell"], alignment=2)
    s["cellmono"] = ParagraphStyle("cellmono", parent=s["cell"], fontName=_FONT_MONO, fontSize=7)
    s["tiny"] = ParagraphStyle("tiny", parent=base, fontSize=6.5, leading=8.2, spaceAfter=0)
    s["H1"] = ParagraphStyle("H1", parent=base, fontName=_FONT_BOLD, fontSize=15, leading=19, spaceBefore=4,
                             spaceAfter=8, textColor=colors.HexColor("#0B3C5D"), keepWithNext=1)
    s["H2"] = ParagraphStyle("H2", parent=base, fontName=_FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=10,
                             spaceAfter=5, textColor=colors.HexColor("#0B3C5D"), keepWithNext=1)
    s["H3"] = ParagraphStyle("H3", parent=base, fontName=_FONT_BOLD, fontSize=9.5, leading=12.5, spaceBefore=6,
                             spaceAfter=3, keepWithNext=1)
    s["title"] = ParagraphStyle("title", parent=base, fontName=_FONT_BOLD, fontSize=26, leading=32,
                                textColor=colors.HexColor("#0B3C5D"), spaceAfter=10)
    s["subtitle"] = ParagraphStyle("subtitle", parent=base, fontSize=13, leading=17, spaceAfter=18,
                                   textColor=colors.HexColor("#333333"))
    s["bullet"] = ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=4)
    s["note"] = ParagraphStyle("note", parent=base, fontSize=7.5, leading=9.6, leftIndent=12, spaceAfter=6,
                               textColor=colors.HexColor("#555555"))
    s["contents"] = ParagraphStyle("contents", parent=base, fontSize=8.5, leading=11, leftIndent=10, spaceAfter=1)
    s["mono"] = ParagraphStyle("mono", parent=base, fontName=_FONT_MONO, fontSize=7.5, leading=9.6)
    return s


def _esc(s) -> str:
    """Catalogue (or any) text as literal paragraph text: control characters visible, markup escaped."""
    from drillcast.present.text import safe_text

    return _xml_escape(safe_text(s), {'"': "&quot;"})


def _link(url: str) -> str:
    if re.match(r"^https?://", url or ""):
        return f'<a href="{_esc(url)}" color="#0B5394">{_esc(url)}</a>'
    return _esc(url)


_RENDERER = None


def _renderer_class():
    """The matplotlib -> reportlab renderer class (defined on first use: matplotlib is imported late).

    Matplotlib lays the figure out and calls ``draw_path``, ``draw_text``
    and ``draw_image`` with device coordinates in points (the figure is made
    at 72 dpi); each call becomes reportlab canvas operations, so the PDF
    gets vector paths, text as text in the embedded DejaVu Sans, hatches
    (tiled like matplotlib's PDF backend: a 72 pt tile, clipped to the
    shape), dashes, alpha and clipping. Markers and collections use
    matplotlib's generic implementations, which call ``draw_path``.
    """
    global _RENDERER
    if _RENDERER is not None:
        return _RENDERER
    import math

    from matplotlib.backend_bases import RendererBase
    from matplotlib.font_manager import weight_dict
    from matplotlib.path import Path
    from matplotlib.transforms import Affine2D

    caps = {"butt": 0, "round": 1, "projecting": 2}
    joins = {"miter": 0, "round": 1, "bevel": 2}
    fonts = {(False, False): _FONT, (True, False): _FONT_BOLD, (False, True): _FONT_ITALIC,
             (True, True): "DejaVuSans-BoldOblique"}

    class ReportLabRenderer(RendererBase):
        def __init__(self, canv, width, height):
            super().__init__()
            self.canv, self.width, self.height = canv, width, height

        def flipy(self):
            return False

        def get_canvas_width_height(self):
            return self.width, self.height

        def points_to_pixels(self, points):
            return points

        def option_image_nocomposite(self):
            return True

        def _add(self, p, path, transform):
            last = (0.0, 0.0)
            for v, code in path.iter_segments(transform, remove_nans=True, simplify=False, curves=True):
                if code == Path.MOVETO:
                    p.moveTo(v[0], v[1])
                elif code == Path.LINETO:
                    p.lineTo(v[0], v[1])
                elif code == Path.CURVE4:
                    p.curveTo(*v[:6])
                elif code == Path.CURVE3:  # quadratic -> cubic
                    (x0, y0), (x1, y1), (x2, y2) = last, v[0:2], v[2:4]
                    p.curveTo(x0 + 2 / 3 * (x1 - x0), y0 + 2 / 3 * (y1 - y0),
                              x2 + 2 / 3 * (x1 - x2), y2 + 2 / 3 * (y1 - y2), x2, y2)
                elif code == Path.CLOSEPOLY:
                    p.close()
                    continue
                last = (v[-2], v[-1])
            return p

        def _path(self, path, transform):
            return self._add(self.canv.beginPath(), path, transform)

        def _clip(self, gc):
            c = self.canv
            rect = gc.get_clip_rectangle()
            if rect is not None:
                x0, y0, w, h = rect.bounds
                p = c.beginPath()
                p.rect(x0, y0, w, h)
                c.clipPath(p, stroke=0, fill=0)
            cp, tr = gc.get_clip_path()
            if cp is not None:
                c.clipPath(self._path(cp, tr), stroke=0, fill=0)

        @staticmethod
        def _alpha(gc, rgba):
            if gc.get_forced_alpha():
                return gc.get_alpha()
            return rgba[3] if len(rgba) > 3 else 1.0

        def draw_path(self, gc, path, transform, rgbFace=None):
            c = self.canv
            c.saveState()
            self._clip(gc)
            fill = rgbFace is not None and self._alpha(gc, rgbFace) > 0
            if fill:
                c.setFillColorRGB(*rgbFace[:3])
                a = self._alpha(gc, rgbFace)
                if a < 1:
                    c.setFillAlpha(a)
            rgb = gc.get_rgb()
            stroke = gc.get_linewidth() > 0 and self._alpha(gc, rgb) > 0
            if stroke:
                c.setStrokeColorRGB(*rgb[:3])
                a = self._alpha(gc, rgb)
                if a < 1:
                    c.setStrokeAlpha(a)
                c.setLineWidth(gc.get_linewidth())
                c.setLineCap(caps.get(gc.get_capstyle(), 0))
                c.setLineJoin(joins.get(gc.get_joinstyle(), 0))
                off, dashes = gc.get_dashes()
                if dashes is not None and len(dashes):
                    c.setDash([float(d) for d in dashes], float(off or 0))
            if gc.get_hatch():
                if fill:
                    c.drawPath(self._path(path, transform), stroke=0, fill=1)
                self._hatch(gc, path, transform)
                if stroke:
                    c.drawPath(self._path(path, transform), stroke=1, fill=0)
            elif fill or stroke:
                c.drawPath(self._path(path, transform), stroke=int(stroke), fill=int(fill))
            c.restoreState()

        def _hatch(self, gc, path, transform):
            hp = gc.get_hatch_path()
            if hp is None:
                return
            c = self.canv
            side = 72.0
            c.saveState()
            c.clipPath(self._path(path, transform), stroke=0, fill=0)
            hc = gc.get_hatch_color()
            c.setStrokeColorRGB(*hc[:3])
            c.setFillColorRGB(*hc[:3])
            lw = gc.get_hatch_linewidth() if hasattr(gc, "get_hatch_linewidth") else 1.0
            c.setLineWidth(lw)
            ext = path.get_extents(transform)
            p = c.beginPath()
            for i in range(math.floor(ext.x0 / side), math.floor(ext.x1 / side) + 1):
                for j in range(math.floor(ext.y0 / side), math.floor(ext.y1 / side) + 1):
                    self._add(p, hp, Affine2D().scale(side).translate(i * side, j * side))
            c.drawPath(p, stroke=1, fill=1)
            c.restoreState()

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:  # drawn as paths by matplotlib's generic implementation
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            c = self.canv
            c.saveState()
            self._clip(gc)
            rgb = gc.get_rgb()
            c.setFillColorRGB(*rgb[:3])
            if self._alpha(gc, rgb) < 1:
                c.setFillAlpha(self._alpha(gc, rgb))
            w = prop.get_weight()
            w = weight_dict.get(w, 400) if isinstance(w, str) else int(w)
            font = fonts[(w >= 600, prop.get_style() in ("italic", "oblique"))]
            c.translate(x, y)
            if angle:
                c.rotate(angle)
            t = c.beginText(0, 0)
            t.setFont(font, prop.get_size_in_points())
            t.textOut(s)
            c.drawText(t)
            c.restoreState()

        def draw_image(self, gc, x, y, im):
            import numpy as np
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            h, w = im.shape[:2]
            c = self.canv
            c.saveState()
            self._clip(gc)
            c.drawImage(ImageReader(Image.fromarray(np.ascontiguousarray(im), "RGBA")), x, y, w, h, mask="auto")
            c.restoreState()

    _RENDERER = ReportLabRenderer
    return _RENDERER


def _figure_flowable(fig, max_width):
    """A matplotlib figure (made at 72 dpi) as a platypus Flowable drawn in vector form."""
    from reportlab.platypus import Flowable

    from drillcast.present.plotting import style

    class _FigureFlowable(Flowable):
        def __init__(self):
            super().__init__()
            self.k = min(1.0, max_width / fig.bbox.width)
            self.width, self.height = fig.bbox.width * self.k, fig.bbox.height * self.k
            self.hAlign = "CENTER"

        def wrap(self, aw, ah):
            return self.width, self.height

        def draw(self):
            self.canv.saveState()
            self.canv.scale(self.k, self.k)
            with style():
                fig.draw(_renderer_class()(self.canv, fig.bbox.width, fig.bbox.height))
            self.canv.restoreState()

    return _FigureFlowable()


_LAYOUT = "constrained"


def _new_figure(width_in, height_in):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from drillcast.present.plotting import style

    with style():
        fig = Figure(figsize=(width_in, height_in), dpi=72, layout=_LAYOUT)
        FigureCanvasAgg(fig)
    return fig


# --------------------------------------------------------------------------- the document


class _Doc:
    """Collects flowables and outline entries (platypus story plus bookmarks)."""

    def __init__(self, styles, width):
        self.s = styles
        self.width = width
        self.story = []
        self._n = 0

    def heading(self, text, level, *, page_break=False, key=None):
        """A heading with a PDF bookmark (``key``, or a generated one) and an outline entry."""
        from reportlab.platypus import PageBreak, Paragraph

        if page_break:
            self.story.append(PageBreak())
        self._n += 1
        p = Paragraph(_esc(text), self.s[("H1", "H2", "H3")[level]])
        p._bookmark = (key or f"h{self._n}", text, level)
        self.story.append(p)

    def para(self, xml, style="body"):
        from reportlab.platypus import Paragraph

        self.story.append(Paragraph(xml, self.s[style]))

    def bullets(self, items, style="bullet"):
        from reportlab.platypus import Paragraph

        for it in items:
            self.story.append(Paragraph(it, self.s[style], bulletText="\u2022"))

    def table(self, header, rows, widths, *, align_right=(), bold_rows=(), font_size=None, zebra=True):
        from reportlab.lib import colors
        from reportlab.platypus import Paragraph, Table, TableStyle

        cell, cellr = self.s["cell"], self.s["cellr"]

        def wrap(v, bold=False, right=False):
            if hasattr(v, "wrap"):
                return v
            if bold:
                v = f"<b>{v}</b>"
            return Paragraph(v, cellr if right else cell)

        data = [[Paragraph(h, self.s["head"]) for h in header]] if header else []
        for i, r in enumerate(rows):
            data.append([wrap(v, bold=i in bold_rows, right=j in align_right) for j, v in enumerate(r)])
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        st = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), _FONT),
            ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            st += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4EAF0")),
                   ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#0B3C5D"))]
        else:
            st += [("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.HexColor("#0B3C5D")),
                   ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#444444"))]
        if zebra:
            for i in range(2 if header else 1, len(data), 2):
                st.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F5F7F9")))
        t.setStyle(TableStyle(st))
        self.story.append(t)

    def figure(self, fig, caption_xml):
        from reportlab.platypus import KeepTogether, Paragraph

        f = _figure_flowable(fig, self.width)
        self.story.append(KeepTogether([f, Paragraph(caption_xml, self.s["caption"])]))

    def space(self, h=6):
        from reportlab.platypus import Spacer

        self.story.append(Spacer(1, h))


def _pdf_date(as_of: _dt.date) -> str:
    sde = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if sde:
        try:
            t = _dt.datetime.fromtimestamp(int(sde), _dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise OptionError(f"SOURCE_DATE_EPOCH={sde!r} is not a Unix time in seconds; "
                              "unset it or give an integer") from None
    else:
        t = _dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=_dt.timezone.utc)
    return t.strftime("D:%Y%m%d%H%M%S+00'00'")


def _render(doc: _Doc, meta: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

    date_str = meta["pdf_date"]

    class _Canvas(Canvas):
        def __init__(self, *a, **k):
            k["invariant"] = 1
            super().__init__(*a, **k)
            self.setDateFormatter(lambda *ymdhms: date_str)

    from drillcast.present.text import safe_text

    class _Template(BaseDocTemplate):
        def afterFlowable(self, flowable):
            bm = getattr(flowable, "_bookmark", None)
            if bm:
                key, text, level = bm
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(safe_text(text), key, level=level, closed=level >= 1)

    W, H = A4
    margin = 2.0 * cm
    frame = Frame(margin, margin, W - 2 * margin, H - 2 * margin - 0.4 * cm, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)

    def cover(canv, d):
        canv.saveState()
        canv.setFillColor(colors.HexColor("#0B3C5D"))
        canv.rect(0, H - 1.1 * cm, W, 1.1 * cm, stroke=0, fill=1)
        canv.setFont(_FONT, 7)
        canv.setFillColor(colors.HexColor("#666666"))
        canv.drawString(margin, 1.2 * cm, meta["footer"])
        canv.restoreState()

    def page(canv, d):
        canv.saveState()
        canv.setStrokeColor(colors.HexColor("#0B3C5D"))
        canv.setLineWidth(0.5)
        canv.line(margin, H - margin + 0.2 * cm, W - margin, H - margin + 0.2 * cm)
        canv.setFont(_FONT, 7)
        canv.setFillColor(colors.HexColor("#444444"))
        canv.drawString(margin, H - margin + 0.35 * cm, meta["header"])
        canv.drawRightString(W - margin, 1.2 * cm, f"Page {d.page}")
        canv.drawString(margin, 1.2 * cm, meta["footer"])
        canv.restoreState()

    buf = io.BytesIO()
    tpl = _Template(buf, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                    bottomMargin=margin, title=meta["title"], author=meta["author"], subject=meta["subject"],
                    keywords=meta["keywords"], creator=meta["creator"], invariant=1, lang="en",
                    initialFontName=_FONT, initialFontSize=9)
    tpl.addPageTemplates([PageTemplate("cover", [frame], onPage=cover), PageTemplate("page", [frame], onPage=page)])
    story = list(doc.story)
    story.insert(0, NextPageTemplate("page"))
    tpl.build(story, canvasmaker=_Canvas)
    return buf.getvalue()


# --------------------------------------------------------------------------- sections


def _latest_report_cell(catalogue, as_of) -> str:
    """The catalogue's latest knowledge date on the as-of date, flagged when over 90 days old."""
    latest = catalogue.as_of(as_of).latest_report()
    if latest is None:
        return "-"
    days = (as_of - latest).days
    if days > 90:
        return (f"{latest.isoformat()} (<b>{days} days before the as-of date</b>: anything not recorded since is "
                "treated as not having happened)")
    return latest.isoformat()


def _cover(doc: _Doc, catalogue, results, as_of, seed, horizon, command_line, version, wanted=SECTIONS):
    from reportlab.platypus import Spacer

    doc.story.append(Spacer(1, 60))
    doc.para("drillcast report", "title")
    n = len(results)
    doc.para(f"Forecasts of recurring military exercises, their track record and tests of their rotation "
             f"\u2014 {n} series, as of {as_of.isoformat()}", "subtitle")
    rows = [
        ["As of", f"<b>{as_of.isoformat()}</b> (nothing reported after this date is used)"],
        ["Catalogue SHA-256", f'<font name="{_FONT_MONO}">{catalogue.sha256}</font>'],
        ["Catalogue file", _esc(os.path.basename(catalogue.path) or "-")],
        ["Latest report in it", _latest_report_cell(catalogue, as_of)],
        ["drillcast version", _esc(version)],
        ["Series", ", ".join(_esc(r.sid) for r in results)],
        ["Forecast horizon", f"{horizon} year(s) from {as_of.year}"],
        ["Seed", str(seed)],
    ]
    if command_line:
        rows.append(["Command", f'<font name="{_FONT_MONO}">{_esc(command_line)}</font>'])
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


def _judgments(doc: _Doc, results):
    doc.heading(SECTION_TITLES["judgments"], 0, page_break=True, key="sec-judgments")
    doc.para("Each forecast below is a probability from the default model of the series, stated in the "
             "words of ICD 203 and in numbers; start dates are given for the case that the exercise is held. "
             "How far to trust each one is shown in the series' track record.", "small")
    from reportlab.platypus import KeepTogether, Paragraph

    for r in results:
        block = [Paragraph(f"<b>{_esc(r.info.name)}</b> <font size=7 color='#555555'>({_esc(r.sid)}; "
                           f"{r.forecast.n_events_used} events over {r.forecast.n_years_used} years)</font>",
                           doc.s["body"])]
        block += [Paragraph(_emphasise(_esc(t)), doc.s["bullet"], bulletText="\u2022")
                  for t in judgment_sentences(r.forecast, r.info)]
        tr = _track_record_summary(r)
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


def _track_record_summary(r: _SeriesResults) -> dict | None:
    """The default model's backtest in the form of :func:`drillcast.evaluation.backtest.track_record` (no refit)."""
    if r.backtest is None or not r.forecast.ok:
        return None
    by = {s["model"]: s for s in r.backtest.summary if s["series"] == r.sid}
    me = by.get(r.forecast.model)
    if me is None:
        return {"model": r.forecast.model, "n": 0, "reason": "no scorable past forecast before the as-of date"}
    years = sorted({f["year"] for f in r.backtest.folds if f["series"] == r.sid and f["model"] == me["model"]})
    return {"model": me["model"], "n": me["n"], "from": years[0], "to": years[-1],
            "mean_log_score": me["mean_log_score"], "mean_brier": me["mean_brier"],
            "uniform_mean_log_score": by["uniform"]["mean_log_score"] if "uniform" in by else None,
            "climatology_mean_log_score": by["climatology"]["mean_log_score"] if "climatology" in by else None,
            "mean_crps_days": me["mean_crps_days"]}


_TERMS = "|".join(re.escape(t) for t, _, _ in sorted(ICD203_SCALE, key=lambda x: -len(x[0])))


def _emphasise(xml: str) -> str:
    """Bold the leading year and the first ICD 203 phrase of an (escaped) judgment sentence."""
    xml = re.sub(r"^(\d{4}):", r"<b>\1:</b>", xml).replace(" %", "\u00a0%")
    return re.sub(rf"((?:a )?(?:{_TERMS}) \((?:&lt;|&gt;)?\d+\u00a0%\))", r"<b>\1</b>", xml, count=1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _history(doc: _Doc, r: _SeriesResults, as_of):
    import numpy as np

    from drillcast.present import plotting

    h = r.history
    doc.heading(SECTION_TITLES["history"], 1)
    held = [e for e in r.events if e["status"] == "held"]
    cancelled = [e for e in r.events if e["status"] in ("cancelled", "postponed")]
    announced = [e for e in r.events if e["status"] == "announced"]
    counts = {c: int(np.sum(h.outcomes == i)) for i, c in enumerate(h.categories)}
    span = f"{int(h.years[0])}\u2013{int(h.years[-1])}" if h.n_years else "no complete year"
    txt = (f"{_count(len(r.events), 'event')} known on {as_of} ({len(held)} held, {len(cancelled)} cancelled or "
           f"postponed, {len(announced)} announced); {_count(h.n_events, 'held primary event')} "
           f"{'is' if h.n_events == 1 else 'are'} used, over {_count(h.n_years, 'complete year')} ({span}).")
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
        fig = _new_figure(doc.width / 72, t_h + g_h)
        axs = fig.subplots(2, 1, height_ratios=[t_h, g_h])
        plotting.plot_timeline(r.snapshot, r.sid, ax=axs[0])
        plotting.plot_rotation_grid(h, ax=axs[1])
    doc.figure(fig, f"<b>Figure.</b> {_esc(r.info.name)}: every event by date (top; hatched: date known only to "
                    f"the month or year, outline: cancelled, dashed: announced) and the outcome of each year "
                    f"(bottom). As of {as_of}.")


def _forecast(doc: _Doc, r: _SeriesResults, as_of):
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
        rows = [[str(y.year), *[_pct(y.outcomes[c]) for c in cats], _pct(y.p_held), _esc(start_phrase(y.start)),
                 *[_pct(y.participants.get(p)) for p in parts]] for y in fc.years]
        fixed = 34 + 40 * len(cats) + 36 + 40 * len(parts)
        widths = [34, *[40] * len(cats), 36, max(90, doc.width - fixed), *[40] * len(parts)]
        right = set(range(1, len(cats) + 2)) | set(range(len(cats) + 3, len(header)))
    else:
        header = ["Year", "held", "expected count (80 %)", "start if held: median (80 %)", *map(_esc, parts)]
        rows = [[str(y.year), _pct(y.p_held), f"{y.expected_count:.1f} ({y.count_interval[0]}\u2013"
                 f"{y.count_interval[1]})", _esc(start_phrase(y.start)), *[_pct(y.participants.get(p)) for p in parts]]
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
        fig = _new_figure(doc.width / 72, 5.6)
        axs = fig.subplots(2, 1, height_ratios=[2.5, 3.1])
        plotting.plot_forecast(fc, ax=axs[0])
        plotting.plot_date_fan(r.history, fc, ax=axs[1])
    doc.figure(fig, f"<b>Figure.</b> {_esc(r.info.name)}: forecast probabilities by year (top) and the start "
                    f"date of the year's first event: observed (points) and forecast quantile bands given the "
                    f"exercise is held (bottom). As of {as_of}.")


def _track_record(doc: _Doc, r: _SeriesResults, as_of):
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
        fig = _new_figure(doc.width / 72, 3.6)
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


def _hypotheses(doc: _Doc, r: _SeriesResults, as_of):
    from drillcast.present import plotting

    doc.heading(SECTION_TITLES["hypotheses"], 1)
    if r.battery is None:
        doc.para(f"Hypothesis tests are not part of this report: {_esc(r.battery_note)}.")
        return
    ran = [t for t in r.battery if not getattr(t, "skipped", None)]
    n_p = len([t for t in ran if t.p_value is not None])
    adjusted = (f"p-values are adjusted for {_count(n_p, 'test')} by Holm's method" if n_p > 1 else
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
            fig = _new_figure(doc.width / 72 * 0.72, 2.4)
            plotting.plot_power_curve(curve, ax=fig.add_subplot())
        doc.figure(fig, f"<b>Figure.</b> Power of the {_esc(curve['test'])} test against the number of future "
                        "years observed (points: the simulations behind 'n for 80 %').")


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


def _methods(doc: _Doc, results):
    from drillcast.models import DEFAULT_MODEL, get_model

    doc.heading(SECTION_TITLES["methods"], 0, page_break=True, key="sec-methods")
    kinds = sorted({r.info.kind for r in results})
    defaults = [f"for {kind} series <b>{_esc(DEFAULT_MODEL[kind])}</b> "
                f"({_esc(get_model(DEFAULT_MODEL[kind]).description)})" for kind in kinds]
    for title, text in _METHODS:
        doc.heading(title, 1)
        doc.para(text)
        if title == "Outcome models":
            doc.para("The forecasts of this report come from the default model, " + "; ".join(defaults) + ".")
        elif title == "Scores and backtests":
            from drillcast.analysis import backtest_models

            doc.para("Models in the track-record tables: " + ", ".join(backtest_models()) + " (the "
                     "second-order Markov and the change-point models are left out to keep the report fast; "
                     "<font name='DejaVuSansMono'>drillcast backtest</font> scores every model).")
    doc.heading("References", 1)
    for ref in _REFERENCES:
        doc.para(_esc(ref), "small")


def _limitations(doc: _Doc, results, as_of):
    doc.heading(SECTION_TITLES["limitations"], 0, page_break=True, key="sec-limitations")
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


def _appendix(doc: _Doc, results, as_of):
    doc.heading(SECTION_TITLES["appendix"], 0, page_break=True, key="sec-appendix")
    doc.para(f"Every event of the reported series known on {as_of}, with its sources. Status as known on that "
             "date; primary = no marks an event that is not the year's main exercise of the series. Text is "
             "shown exactly as in the catalogue.", "small")
    for r in results:
        doc.heading(f"{r.sid}: {r.info.name}", 1)
        rows = []
        for e in r.events:
            dates = e["start"].text + (f" \u2013 {e['end'].text}" if e["end"] is not None else "")
            status = e["status"] + ("" if e["primary"] else "; primary = no")
            who = "; ".join(e["participants"]) or "\u2013"
            if e["observers"]:
                who += f" (observers: {'; '.join(e['observers'])})"
            direction = f"<i>{_esc(e['direction'])}</i><br/>" if e["direction"] else ""
            rows.append([
                f'<font name="{_FONT_MONO}" size=6.5>{_esc(e["id"])}</font><br/>{_esc(e["name"])}',
                f"{_esc(dates)}<br/>{_esc(status)}", direction + _esc(who), _esc(e["confidence"]),
                "<br/>".join(_link(u) for u in e["sources"]),
            ])
        if not rows:
            doc.para("No events known.", "small")
            continue
        doc.table(["Event", "dates, status", "direction, participants", "conf.", "sources"], rows,
                  [118, 80, 72, 34, doc.width - 304])


def _reproducibility(doc: _Doc, catalogue, results, as_of, seed, horizon, command_line, version, pdf_date):
    import platform

    doc.heading(SECTION_TITLES["reproducibility"], 0, page_break=True, key="sec-reproducibility")
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
        ["Catalogue SHA-256", f'<font name="{_FONT_MONO}">{catalogue.sha256}</font>'],
        ["Catalogue file", _esc(os.path.basename(catalogue.path) or "-")],
        ["Latest report in it", _latest_report_cell(catalogue, as_of)],
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
        ["Command", f'<font name="{_FONT_MONO}">{_esc(command_line)}</font>' if command_line else
         "built through the Python API (drillcast.present.report.build_report)"],
    ]
    doc.table(None, rows, [110, doc.width - 110], zebra=False)
    doc.space(6)
    doc.para("The same catalogue, as-of date, seed, options and software versions give a byte-identical PDF. "
             "To re-create the data, check the catalogue's SHA-256 (printed above) against "
             "<font name='DejaVuSansMono'>sha256(exercises.csv + NUL + series.csv)</font>.", "small")


# --------------------------------------------------------------------------- public API


def _check_sections(sections):
    if sections is None:
        return list(SECTIONS)
    if isinstance(sections, str):
        sections = [sections]
    out = []
    for s in sections:
        if s not in SECTIONS:
            from drillcast.errors import did_you_mean

            raise OptionError(f"sections: unknown section {s!r}{did_you_mean(s, SECTIONS)}; "
                              f"choose from {', '.join(SECTIONS)}")
        out.append(s)
    return out


def build_report(catalogue, series_ids, as_of, *, horizon: int = 3, seed: int = 0, sections=None,
                 command_line: str | None = None) -> bytes:
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
        A subset of :data:`SECTIONS` (the cover is always included); default all.
    command_line : str, optional
        Printed on the cover and in the reproducibility section.

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
        raise OptionError("--series: no series to report on; give at least one series id")
    if horizon is None or int(horizon) < 1:
        raise OptionError(f"--horizon: {horizon} is not allowed; give an integer >= 1")
    if not isinstance(as_of, _dt.date):
        raise OptionError(f"as_of: {as_of!r} is not a date; give a datetime.date")
    wanted = _check_sections(sections)
    for sid in series_ids:
        catalogue.get_series(sid)
    pdf_date = _pdf_date(as_of)
    _register_fonts()
    snapshot = catalogue.as_of(as_of)
    results = [_analyse(catalogue, sid, as_of, int(horizon), seed, wanted) for sid in series_ids]

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm

    doc = _Doc(_styles(), A4[0] - 4.0 * cm)
    _cover(doc, catalogue, results, as_of, seed, horizon, command_line, __version__, wanted)
    if "judgments" in wanted:
        _judgments(doc, results)
    per_series = [s for s in ("history", "forecast", "track_record", "hypotheses") if s in wanted]
    if per_series:
        for r in results:
            doc.heading(f"{r.info.name}", 0, page_break=True, key=f"series-{r.sid}")
            desc = (f" <font color='#555555'>Catalogue description (current, written with hindsight; not used "
                    f"by the models):</font> {_esc(r.info.description)}" if r.info.description else "")
            doc.para(f"Series <font name='{_FONT_MONO}'>{_esc(r.sid)}</font> ({_esc(r.info.kind)}"
                     + (f": {', '.join(_esc(d) for d in r.info.directions)}" if r.info.rotating else "")
                     + f").{desc}", "small")
            for s in per_series:
                {"history": _history, "forecast": _forecast, "track_record": _track_record,
                 "hypotheses": _hypotheses}[s](doc, r, as_of)
    if "methods" in wanted:
        _methods(doc, results)
    if "limitations" in wanted:
        _limitations(doc, results, as_of)
    if "appendix" in wanted:
        _appendix(doc, results, as_of)
    if "reproducibility" in wanted:
        _reproducibility(doc, catalogue, results, as_of, seed, horizon, command_line, __version__, pdf_date)
    names = ", ".join(series_ids)
    meta = {
        "title": f"drillcast report as of {as_of.isoformat()}",
        "author": f"drillcast {__version__}",
        "subject": f"Forecasts, track record and hypothesis tests of recurring military exercises: {names}",
        "keywords": ["drillcast", "forecast", "military exercises", "ICD 203", *series_ids],
        "creator": f"drillcast {__version__} (matplotlib, reportlab)",
        "header": f"drillcast report \u2014 as of {as_of.isoformat()}",
        "footer": f"catalogue {catalogue.sha256[:12]} \u00b7 drillcast {__version__} \u00b7 seed {seed}",
        "pdf_date": pdf_date,
    }
    return _render(doc, meta)


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
